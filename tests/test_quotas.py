"""Rate limits are counted in the database, so every gateway process sees the same count."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select

from consent.quotas.limiter import MAX_RESERVATION, RESERVATION_SHARE, RateLimiter
from consent.quotas.models import QuotaWindow


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


def _counted(engine: Engine, key: str) -> int:
    with engine.connect() as connection:
        used = connection.execute(
            select(QuotaWindow.used).where(QuotaWindow.key == key)
        ).scalar_one()
    return int(used)


def test_a_busy_process_counts_requests_in_batches(engine: Engine) -> None:
    clock = FakeClock(3_000_000.0)
    limiter = RateLimiter(engine, limit=100_000, window_seconds=60, clock=clock)
    key = f"bank:{uuid.uuid4().hex}"
    assert all(limiter.check(key).allowed for _ in range(MAX_RESERVATION + 1))
    # Two reservations, not seventeen counts: every process sees them at once.
    assert _counted(engine, key) == 2 * MAX_RESERVATION


def test_processes_that_reserve_in_batches_never_exceed_the_limit_together(
    engine: Engine,
) -> None:
    clock = FakeClock(4_000_000.0)
    limit = 3 * RESERVATION_SHARE * MAX_RESERVATION
    processes = [RateLimiter(engine, limit=limit, window_seconds=60, clock=clock) for _ in range(3)]
    key = f"bank:{uuid.uuid4().hex}"
    allowed = sum(processes[n % 3].check(key).allowed for n in range(2 * limit))
    # Fail closed: what the others still hold unused when the limit is reached is lost.
    assert limit - 3 <= allowed <= limit
    assert not any(process.check(key).allowed for process in processes)
