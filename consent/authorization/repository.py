"""Every query on the authorization server's tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    TextClause,
    bindparam,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consent.audit import repository as audit_repository
from consent.audit.models import AuditEntry
from consent.authorization.models import (
    AuthorizationCode,
    PushedAuthorizationRequest,
    RevokedToken,
    UsedJti,
)
from consent.clients.models import Client, ClientStatus
from consent.consents.models import Consent
from consent.consents.repository import CHECKED_COLUMNS


def _use_jtis_statement(rows: int) -> TextClause:
    values = ", ".join(f"(:namespace{i}, :jti{i}, :expires_at{i})" for i in range(rows))
    statement = text(
        f"INSERT INTO used_jtis (namespace, jti, expires_at) VALUES {values} "  # noqa: S608  (no input in the SQL text)
        "ON CONFLICT DO NOTHING RETURNING namespace, jti"
    )
    expiry_type = UsedJti.__table__.c.expires_at.type
    return statement.bindparams(
        *(bindparam(f"expires_at{i}", type_=expiry_type) for i in range(rows))
    )


# Built once: the token endpoint records one or two jtis per request.
_USE_JTIS = {rows: _use_jtis_statement(rows) for rows in (1, 2, 3)}


def use_jtis(
    session: Session, entries: Sequence[tuple[str, str, datetime]]
) -> set[tuple[str, str]]:
    """Record each (namespace, jti, expires_at) as used, in one statement.

    Returns the (namespace, jti) pairs that were used before, by any process:
    the primary key makes the check race-free, and ON CONFLICT DO NOTHING
    keeps the transaction usable after a replay.
    """
    if not entries:
        return set()
    if len(entries) not in _USE_JTIS:
        return set().union(*(use_jtis(session, [entry]) for entry in entries))
    params: dict[str, object] = {}
    for i, (namespace, jti, expires_at) in enumerate(entries):
        params |= {f"namespace{i}": namespace, f"jti{i}": jti, f"expires_at{i}": expires_at}
    rows = session.connection().execute(_USE_JTIS[len(entries)], params)
    inserted = {(row[0], row[1]) for row in rows}
    return {(namespace, jti) for namespace, jti, _ in entries} - inserted


_ENTRY_COLUMNS = (
    "entry_id",
    "occurred_at",
    "event_type",
    "actor_type",
    "actor_id",
    "outcome",
    "subject",
    "consent_id",
    "data_product",
    "correlation_id",
    "details",
)


def _jtis_then_entry_statement(rows: int) -> TextClause:
    """PostgreSQL: record `rows` jtis and, only when none was used before, an audit entry.

    One statement is one round trip and one commit: the INSERT of the jtis and
    the INSERT of the entry are data-modifying CTEs, and the entry's INSERT
    selects its row only when every jti was new. Returns the new jtis. Text,
    so that it is compiled once (SQLAlchemy does not cache the compiled form
    of a multi-row VALUES).
    """
    values = ", ".join(f"(:namespace{i}, :jti{i}, :expires_at{i})" for i in range(rows))
    typed = {"occurred_at": "TIMESTAMP WITH TIME ZONE", "details": "JSON"}
    selected = ", ".join(
        f"CAST(:{name} AS {typed[name]})" if name in typed else f"CAST(:{name} AS VARCHAR)"
        for name in _ENTRY_COLUMNS
    )
    statement = text(
        "WITH used AS ("  # noqa: S608  (no input in the SQL text)
        f"INSERT INTO used_jtis (namespace, jti, expires_at) VALUES {values} "
        "ON CONFLICT DO NOTHING RETURNING namespace, jti), "
        f"entry AS (INSERT INTO audit_entries ({', '.join(_ENTRY_COLUMNS)}) "
        f"SELECT {selected} WHERE (SELECT count(*) FROM used) = {rows} RETURNING id) "
        "SELECT namespace, jti FROM used"
    )
    columns = AuditEntry.__table__.c
    expiry_type = UsedJti.__table__.c.expires_at.type
    return statement.bindparams(
        *(bindparam(f"expires_at{i}", type_=expiry_type) for i in range(rows)),
        *(bindparam(name, type_=columns[name].type) for name in _ENTRY_COLUMNS),
    )


_USE_JTIS_THEN_ENTRY = {rows: _jtis_then_entry_statement(rows) for rows in (1, 2)}


def use_jtis_then_append(
    session: Session,
    entries: Sequence[tuple[str, str, datetime]],
    entry: Mapping[str, Any],
) -> set[tuple[str, str]]:
    """`use_jtis`, and the audit entry (`consent.audit.log.entry_values`) when none was reused.

    On PostgreSQL both are one statement (one round trip); elsewhere two, in
    the session's transaction. Either way the entry is written only when
    every jti was new, and nothing is written twice.
    """
    session.flush()  # as consent.audit.log.append: what the entry describes goes first
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql" or len(entries) not in _USE_JTIS_THEN_ENTRY:
        reused = use_jtis(session, entries)
        if not reused:
            audit_repository.insert_entry(session, dict(entry))
        return reused
    params: dict[str, object] = dict(entry)
    for i, (namespace, jti, expires_at) in enumerate(entries):
        params |= {f"namespace{i}": namespace, f"jti{i}": jti, f"expires_at{i}": expires_at}
    rows = session.connection().execute(_USE_JTIS_THEN_ENTRY[len(entries)], params)
    inserted = {(row[0], row[1]) for row in rows}
    return {(namespace, jti) for namespace, jti, _ in entries} - inserted


def use_jti(session: Session, namespace: str, jti: str, expires_at: datetime) -> bool:
    """Record one `jti` as used; False when it was used before."""
    return not use_jtis(session, [(namespace, jti, expires_at)])


def purge_expired(session: Session, now: datetime) -> dict[str, int]:
    """Delete rows that can no longer matter: expired jtis, codes, requests, revocations."""
    expiring = {
        "used_jtis": UsedJti.expires_at,
        "authorization_codes": AuthorizationCode.expires_at,
        "pushed_authorization_requests": PushedAuthorizationRequest.expires_at,
        "revoked_tokens": RevokedToken.expires_at,
    }
    counts: dict[str, int] = {}
    for table, column in expiring.items():
        # Pending interactions outlive their request_uri: keep them an hour for the consent page.
        cutoff = now - timedelta(hours=1) if table == "pushed_authorization_requests" else now
        result = session.execute(delete(column.class_).where(column < cutoff))
        counts[table] = int(getattr(result, "rowcount", 0) or 0)
    return counts


class TokenStanding(StrEnum):
    """Whether a verified access token may still be used, as the database says now."""

    USABLE = "usable"
    REVOKED = "revoked"  # by its client (RFC 7009)
    CLIENT_INACTIVE = "client-inactive"  # its client was disabled or is gone


# One statement, two primary-key look-ups: the token's client and a revocation of the token.
_STANDING = (
    select(Client.status, RevokedToken.jti)
    .select_from(Client)
    .outerjoin(RevokedToken, RevokedToken.jti == bindparam("jti"))
    .where(Client.client_id == bindparam("client_id"))
)


def token_standing(session: Session, jti: str, client_id: str) -> TokenStanding:
    """Checked on every use of a token, so a revocation or a disabled client counts at once."""
    row = session.execute(_STANDING, {"jti": jti, "client_id": client_id}).first()
    if row is None:
        return TokenStanding.CLIENT_INACTIVE
    return standing_of(row[0], row[1])


def standing_of(client_status: str | None, revocation: str | None) -> TokenStanding:
    """A token's standing from its client's status and its revocation's key (None: none)."""
    if client_status != ClientStatus.ACTIVE.value:
        return TokenStanding.CLIENT_INACTIVE
    if revocation is not None:
        return TokenStanding.REVOKED
    return TokenStanding.USABLE


# The token endpoint's one read: its client's version and the consent the request names.
_CLIENT_AND_CONSENT = (
    select(
        Client.status.label("client_status"),
        Client.updated_at.label("client_updated_at"),
        *CHECKED_COLUMNS,
    )
    .select_from(Client)
    .outerjoin(Consent, Consent.id == bindparam("consent_id"))
    .where(Client.client_id == bindparam("client_id"))
)


def client_version_and_consent(
    session: Session, client_id: str, consent_id: str
) -> Row[Any] | None:
    """The client's status and last change, and the consent's columns (None when it is not
    there), in one statement; None when there is no such client."""
    row: Row[Any] | None = session.execute(
        _CLIENT_AND_CONSENT, {"client_id": client_id, "consent_id": consent_id}
    ).first()
    return row


# What a data request reads: the token's standing and the consent it names, from a
# one-row base so that a missing client, revocation or consent is a NULL, not no row.
_REQUEST_COLUMNS = (
    Client.status.label("client_status"),
    RevokedToken.jti.label("revoked_jti"),
    *CHECKED_COLUMNS,
)


def _request_state_statement(new_jtis: Any) -> Select[Any]:
    one = select(literal(1).label("one")).subquery("one")
    return (
        select(new_jtis.label("new_jtis"), *_REQUEST_COLUMNS)
        .select_from(one)
        .outerjoin(Client, Client.client_id == bindparam("client_id"))
        .outerjoin(RevokedToken, RevokedToken.jti == bindparam("token_jti"))
        .outerjoin(Consent, Consent.id == bindparam("consent_id"))
    )


def _spend_and_read_statement() -> Select[Any]:
    """PostgreSQL: record one jti and read the request's state, in one statement."""
    used = (
        postgresql.insert(UsedJti)
        .values(
            namespace=bindparam("namespace0"),
            jti=bindparam("jti0"),
            expires_at=bindparam("expires_at0", type_=UsedJti.__table__.c.expires_at.type),
        )
        .on_conflict_do_nothing()
        .returning(UsedJti.jti)
        .cte("used")
    )
    return _request_state_statement(select(func.count()).select_from(used).scalar_subquery())


_READ_REQUEST_STATE = _request_state_statement(literal(0))
_SPEND_AND_READ = _spend_and_read_statement()


def spend_jti_and_read(
    session: Session,
    jti: tuple[str, str, datetime] | None,
    *,
    client_id: str,
    token_jti: str,
    consent_id: str | None,
) -> tuple[bool, Row[Any]]:
    """Record a resource request's proof jti and read what the request is checked against.

    Returns whether the jti was new, and a row with the client's status
    (`client_status`, None: no such client), the token's revocation
    (`revoked_jti`, None: not revoked) and the consent's columns (`id` None:
    no such consent). On PostgreSQL this is one statement: committed by
    itself in a statement session, the jti is spent before anything else is
    done for the request.
    """
    params: dict[str, object] = {
        "client_id": client_id,
        "token_jti": token_jti,
        "consent_id": consent_id,
    }
    if jti is not None and session.get_bind().dialect.name == "postgresql":
        namespace, value, expires_at = jti
        params |= {"namespace0": namespace, "jti0": value, "expires_at0": expires_at}
        row = session.execute(_SPEND_AND_READ, params).one()
        return bool(row.new_jtis), row
    fresh = jti is None or not use_jtis(session, [jti])
    return fresh, session.execute(_READ_REQUEST_STATE, params).one()


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
