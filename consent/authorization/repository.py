"""Every query on the authorization server's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consent.authorization.models import (
    AuthorizationCode,
    PushedAuthorizationRequest,
    RevokedToken,
    UsedJti,
)


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


def is_revoked(session: Session, jti: str) -> bool:
    return session.get(RevokedToken, jti) is not None


def revoke_token(
    session: Session, jti: str, client_id: str, expires_at: datetime, now: datetime
) -> None:
    """Record the revocation of token `jti` (idempotent)."""
    values = {"jti": jti, "client_id": client_id, "expires_at": expires_at, "revoked_at": now}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(RevokedToken).values(**values).on_conflict_do_nothing())


def add_pushed_request(session: Session, pushed: PushedAuthorizationRequest) -> None:
    session.add(pushed)
    session.flush()


def use_pushed_request(
    session: Session, request_id: str, client_id: str, interaction_id: str, now: datetime
) -> PushedAuthorizationRequest | None:
    """Consume a live request_uri once (race-free); None when unknown, expired, used or foreign."""
    result = session.execute(
        update(PushedAuthorizationRequest)
        .where(
            PushedAuthorizationRequest.id == request_id,
            PushedAuthorizationRequest.client_id == client_id,
            PushedAuthorizationRequest.used_at.is_(None),
            PushedAuthorizationRequest.expires_at > now,
        )
        .values(used_at=now, interaction_id=interaction_id)
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.get(PushedAuthorizationRequest, request_id, populate_existing=True)


def pending_interaction(session: Session, interaction_id: str) -> PushedAuthorizationRequest | None:
    query = select(PushedAuthorizationRequest).where(
        PushedAuthorizationRequest.interaction_id == interaction_id,
        PushedAuthorizationRequest.completed_at.is_(None),
    )
    return session.scalars(query).first()


def complete_interaction(session: Session, interaction_id: str, now: datetime) -> bool:
    """Mark the interaction done once; False when it was completed before."""
    result = session.execute(
        update(PushedAuthorizationRequest)
        .where(
            PushedAuthorizationRequest.interaction_id == interaction_id,
            PushedAuthorizationRequest.completed_at.is_(None),
        )
        .values(completed_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def add_authorization_code(session: Session, code: AuthorizationCode) -> None:
    session.add(code)
    session.flush()


def use_authorization_code(
    session: Session, code_hash: str, now: datetime
) -> AuthorizationCode | None:
    """Redeem a code once (race-free). Returns it even when expired; the caller decides."""
    result = session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.get(AuthorizationCode, code_hash, populate_existing=True)
