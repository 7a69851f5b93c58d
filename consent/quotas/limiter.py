"""A fixed-window rate limit per key, counted in the database so every process agrees."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from consent.quotas.repository import count_requests, forget_windows_before

# A process reserves up to this many requests of a window in one transaction...
MAX_RESERVATION = 16
# ...and never more than this share of what the window has left, so that the
# requests other processes cannot use because this one holds them stay few
# near the limit (where a reservation shrinks to a single request).
RESERVATION_SHARE = 64


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after_seconds: int


@dataclass
class _Reservation:
    """Requests of one key's window already counted in the database, not yet used here."""

    window_start: int
    unused: int
    remaining_after: int  # what the window had left for everyone once they were counted


class RateLimiter:
    """Counts requests in short transactions of their own, apart from the requests'.

    Each count is committed at once so that other processes see it; on
    PostgreSQL it is committed without waiting for the disk, since losing a
    few counts in a crash is harmless and an fsync per request is not.

    A busy process does not count every request in its own transaction: it
    reserves several of the window's requests at once (a few, and a small
    share of what is left) and hands them out itself. A reserved request
    counts for every process from the moment it is reserved, so together the
    processes never allow more than the limit in a window; what a process
    reserved but did not use is lost with the window, which errs toward
    refusing.
    """

    def __init__(
        self, engine: Engine, *, limit: int, window_seconds: int, clock: Callable[[], float]
    ) -> None:
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window must be positive")
        self.engine = engine
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._last_cleanup = -1
        self._lock = threading.Lock()
        self._reservations: dict[str, _Reservation] = {}

    def check(self, key: str) -> QuotaDecision:
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        retry_after = max(1, math.ceil(window_start + self.window_seconds - now))
        with self._lock:
            reservation = self._reservations.get(key)
            if reservation is None or reservation.window_start != window_start:
                reservation = _Reservation(window_start, 0, self.limit)
            if reservation.unused == 0:
                reservation = self._reserve(key, window_start, reservation.remaining_after)
            allowed = reservation.unused > 0
            if allowed:
                reservation.unused -= 1
            self._reservations[key] = reservation
            remaining = reservation.remaining_after + reservation.unused
        return QuotaDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=remaining,
            retry_after_seconds=retry_after,
        )

    def _reserve(self, key: str, window_start: int, remaining: int) -> _Reservation:
        """Count a batch of requests in the database; the ones within the limit are ours."""
        size = max(1, min(MAX_RESERVATION, remaining // RESERVATION_SHARE))
        with Session(self.engine) as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit = off"))
            used = count_requests(session, key, window_start, size)
            if window_start != self._last_cleanup:
                forget_windows_before(session, window_start - self.window_seconds)
                self._last_cleanup = window_start
            session.commit()
        granted = max(0, min(size, self.limit - (used - size)))
        return _Reservation(window_start, granted, max(0, self.limit - used))
