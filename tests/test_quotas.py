"""Rate limits are counted in the database, so every gateway process sees the same count."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from consent.quotas.limiter import RateLimiter


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_limit_is_shared_between_limiters_and_resets_with_the_window(engine: Engine) -> None:
    clock = FakeClock(1_000_000.5)
    first_process = RateLimiter(engine, limit=3, window_seconds=10, clock=clock)
    second_process = RateLimiter(engine, limit=3, window_seconds=10, clock=clock)
    key = f"bank:{uuid.uuid4().hex}"

    decisions = [
        first_process.check(key),
        second_process.check(key),
        first_process.check(key),
        second_process.check(key),
    ]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert decisions[2].remaining == 0
    assert decisions[3].retry_after_seconds == 10

    clock.now += 9.5  # the next window starts
    assert first_process.check(key).allowed


def test_keys_are_counted_apart(engine: Engine) -> None:
    clock = FakeClock(2_000_000.0)
    limiter = RateLimiter(engine, limit=1, window_seconds=60, clock=clock)
    assert limiter.check(f"bank:{uuid.uuid4().hex}").allowed
    assert limiter.check(f"bank:{uuid.uuid4().hex}").allowed
