"""Every query on the authorization server's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consent.authorization.models import IssuedToken, UsedJti


def use_jti(session: Session, namespace: str, jti: str, expires_at: datetime) -> bool:
    """Record `jti` as used; False when it was used before (by any process).

    INSERT ... ON CONFLICT DO NOTHING keeps the transaction usable after a
    replay, and the primary key makes the check race-free.
    """
    values = {"namespace": namespace, "jti": jti, "expires_at": expires_at}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UsedJti).values(**values).on_conflict_do_nothing().returning(UsedJti.jti)
    return session.execute(statement).first() is not None


def purge_used_jtis(session: Session, now: datetime) -> int:
    """Forget identifiers whose JWTs have expired; returns how many."""
    result = session.execute(delete(UsedJti).where(UsedJti.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


def record_issued_token(session: Session, jti: str, client_id: str, expires_at: datetime) -> None:
    session.add(IssuedToken(jti=jti, client_id=client_id, expires_at=expires_at))
    session.flush()


def get_issued_token(session: Session, jti: str) -> IssuedToken | None:
    return session.scalars(select(IssuedToken).where(IssuedToken.jti == jti)).first()


def revoke_issued_token(session: Session, jti: str, client_id: str, now: datetime) -> bool:
    """Revoke the token `jti` if `client_id` owns it; False when it does not."""
    result = session.execute(
        update(IssuedToken)
        .where(IssuedToken.jti == jti, IssuedToken.client_id == client_id)
        .where(IssuedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
