"""Counting a request against a window, atomically, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consent.quotas.models import QuotaWindow


def count_requests(session: Session, key: str, window_start: int, count: int = 1) -> int:
    """Add `count` to the window's counter and return the new total."""
    insert = (
        postgresql.insert(QuotaWindow)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(QuotaWindow)
    )
    statement = (
        insert.values(key=key, window_start=window_start, used=count)
        .on_conflict_do_update(
            index_elements=[QuotaWindow.key, QuotaWindow.window_start],
            set_={"used": QuotaWindow.used + count},
        )
        .returning(QuotaWindow.used)
    )
    return int(session.execute(statement).scalar_one())


def forget_windows_before(session: Session, window_start: int) -> int:
    """Delete finished windows; returns how many rows went."""
    result = session.execute(delete(QuotaWindow).where(QuotaWindow.window_start < window_start))
    return int(getattr(result, "rowcount", 0) or 0)
