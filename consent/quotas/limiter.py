"""A fixed-window rate limit per key, counted in the database so every process agrees."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from consent.quotas.repository import count_request, forget_windows_before


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after_seconds: int


class RateLimiter:
    """Counts each request in its own short transaction, apart from the request's own.

    The count is committed at once so that other processes see it; on
    PostgreSQL it is committed without waiting for the disk, since losing a
    few counts in a crash is harmless and an fsync per request is not.
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

    def check(self, key: str) -> QuotaDecision:
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        with Session(self.engine) as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit = off"))
            used = count_request(session, key, window_start)
            if window_start != self._last_cleanup:
                forget_windows_before(session, window_start - self.window_seconds)
                self._last_cleanup = window_start
            session.commit()
        retry_after = max(1, math.ceil(window_start + self.window_seconds - now))
        return QuotaDecision(
            allowed=used <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - used),
            retry_after_seconds=retry_after,
        )
