"""Timeouts, a total deadline, retries with jitter and a circuit breaker, shared by every connector.

The clock, the sleep and the random source are injectable so that tests
drive time instead of waiting for it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from connectors.errors import CircuitOpen

Clock = Callable[[], float]


@dataclass(frozen=True)
class ResilienceSettings:
    """How patient a connector is with one registry."""

    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    # The whole call, retries and back-off included, ends by this many seconds.
    deadline: float = 10.0
    # Attempts for idempotent calls (1 = no retry); only timeouts, failed
    # connections and 5xx are retried.
    max_attempts: int = 3
    backoff_base: float = 0.1
    backoff_max: float = 2.0
    # Consecutive calls without a usable answer (none, a 5xx, or a malformed one)
    # that open the circuit, and how long it stays open. The gateway sets all of
    # these from its SAMTYKKE_REGISTRY_* settings.
    failure_threshold: int = 5
    reset_after: float = 30.0


def backoff_delay(attempt: int, settings: ResilienceSettings, rand: Callable[[], float]) -> float:
    """Full jitter: a random wait up to an exponentially growing cap (attempt is 0-based)."""
    cap = min(settings.backoff_max, settings.backoff_base * 2.0**attempt)
    return rand() * cap


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Stops calling a registry that keeps failing, then lets one trial call through.

    Closed: calls pass; `failure_threshold` consecutive failures open it.
    Open: calls fail at once with CircuitOpen until `reset_after` has passed.
    Half-open: exactly one trial call passes; its success closes the
    circuit, its failure opens it again. Thread-safe.
    """

    def __init__(
        self, registry: str, settings: ResilienceSettings, *, clock: Clock = time.monotonic
    ) -> None:
        self.registry = registry
        self._threshold = settings.failure_threshold
        self._reset_after = settings.reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._state is CircuitState.OPEN and self._reset_elapsed():
                return CircuitState.HALF_OPEN
            return self._state

    def _reset_elapsed(self) -> bool:
        return self._clock() - self._opened_at >= self._reset_after

    def before_call(self) -> None:
        """Raise CircuitOpen unless a call may go out now."""
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return
            if self._state is CircuitState.OPEN and self._reset_elapsed():
                self._state = CircuitState.HALF_OPEN
                self._trial_in_flight = False
            if self._state is CircuitState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return
            remaining = max(0.0, self._reset_after - (self._clock() - self._opened_at))
            raise CircuitOpen(self.registry, retry_after=remaining)

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_abandoned(self) -> None:
        """The call ended without telling whether the registry works (our own error):
        a half-open circuit lets the next call be the trial instead."""
        with self._lock:
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is CircuitState.HALF_OPEN or self._failures >= self._threshold:
                self._state = CircuitState.OPEN
                self._opened_at = self._clock()
                self._trial_in_flight = False


def default_random() -> float:
    return random.random()  # noqa: S311  (jitter, not a secret)
