"""The gateway's clock, one seam so that tests can move time instead of waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def get_now(request: Request) -> datetime:
    return clock_of(request.app.state)()


Now = Annotated[datetime, Depends(get_now)]


def clock_of(state: object) -> Clock:
    """The app's clock, looked up on every call so that a test may replace it after start."""

    def now() -> datetime:
        clock: Clock = getattr(state, "clock", system_clock)
        return clock()

    return now


def epoch_seconds(state: object) -> Callable[[], int]:
    """The app's clock in whole seconds since the epoch, as JWT claims count time."""
    now = clock_of(state)
    return lambda: int(now().timestamp())
