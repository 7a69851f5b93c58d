"""Every query on the citizen sessions' table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from consent.citizen_sessions.models import CitizenSession


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every one we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def live(
    session: Session,
    id_hash: str,
    *,
    now: datetime,
    lifetime: timedelta,
    idle: timedelta,
) -> CitizenSession | None:
    """The session with this id hash, or None when there is none or it has ended.

    An ended session's row is deleted on the way, so it cannot come back.
    """
    row = session.get(CitizenSession, id_hash)
    if row is None:
        return None
    if now >= _aware(row.created_at) + lifetime or now >= _aware(row.last_used_at) + idle:
        session.delete(row)
        return None
    return row


def create(
    session: Session,
    id_hash: str,
    *,
    now: datetime,
    state: dict[str, Any],
    person: str | None,
    logged_in_at: datetime | None,
    idporten_sid: str | None,
) -> None:
    session.add(
        CitizenSession(
            id_hash=id_hash,
            person=person,
            created_at=now,
            last_used_at=now,
            logged_in_at=logged_in_at,
            idporten_sid=idporten_sid,
            state=state,
        )
    )


def save(
    session: Session,
    id_hash: str,
    *,
    now: datetime,
    state: dict[str, Any],
    person: str | None,
    logged_in_at: datetime | None,
    idporten_sid: str | None,
) -> bool:
    """Write the session's state and last use; False when the row has gone meanwhile."""
    result = session.execute(
        update(CitizenSession)
        .where(CitizenSession.id_hash == id_hash)
        .values(
            last_used_at=now,
            state=state,
            person=person,
            logged_in_at=logged_in_at,
            idporten_sid=idporten_sid,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end(session: Session, id_hash: str) -> None:
    session.execute(delete(CitizenSession).where(CitizenSession.id_hash == id_hash))


def purge_ended(session: Session, *, now: datetime, lifetime: timedelta, idle: timedelta) -> int:
    """Delete every session past its absolute lifetime or idle time."""
    result = session.execute(
        delete(CitizenSession).where(
            or_(
                CitizenSession.created_at <= now - lifetime,
                CitizenSession.last_used_at <= now - idle,
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
