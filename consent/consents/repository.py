"""Every query on consents and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from consent.audit.events import ActorType
from consent.audit.models import AuditEntry
from consent.consents.models import Consent, ConsentEvent
from consent.consents.states import ConsentStatus
from consent.parties import Party, PartyType

# The audit tags of the lifecycle itself: consent:request:<status>.
LIFECYCLE_EVENT_PREFIX = "consent:request:"


def get(session: Session, consent_id: str) -> Consent | None:
    return session.get(Consent, consent_id)


# What a check of a consent reads (party, bank, state, validity, rights), as columns: the
# hot paths read these instead of loading an ORM object; `consent_of` makes one of them.
CHECKED_COLUMNS = (
    Consent.id,
    Consent.status,
    Consent.party_type,
    Consent.person,
    Consent.organisation_number,
    Consent.authority_role,
    Consent.bank_organisation_number,
    Consent.client_id,
    Consent.valid_to,
    Consent.request_expires_at,
    Consent.accepted_at,
    Consent.consent_rights,
    Consent.one_time,
)
_VIEW_COLUMNS = select(*CHECKED_COLUMNS).where(Consent.id == bindparam("consent_id"))


def consent_of(row: Any) -> Consent:
    """A consent read as `CHECKED_COLUMNS`, as a Consent no session tracks (nothing writes
    it back)."""
    return Consent(**{column.key: getattr(row, column.key) for column in CHECKED_COLUMNS})


def view_columns(session: Session, consent_id: str) -> Row[Any] | None:
    """What a check of the consent reads, as columns (no ORM object is built or tracked)."""
    row: Row[Any] | None = session.execute(_VIEW_COLUMNS, {"consent_id": consent_id}).first()
    return row


def get_for_update(session: Session, consent_id: str) -> Consent | None:
    """The consent, row-locked on PostgreSQL so that two answers cannot race."""
    return session.get(Consent, consent_id, with_for_update=True)


def get_locked(session: Session, consent_id: str) -> Consent | None:
    """The consent, current and locked until the session's transaction ends, on both databases.

    PostgreSQL: `SELECT ... FOR UPDATE`. SQLite has no row locks: a no-op
    UPDATE of the row first takes the database's one write lock (waiting for
    any other writer), so the read that follows sees the latest commit and no
    other transaction writes before this one ends.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Consent).where(Consent.id == consent_id).values(id=Consent.id),
            execution_options={"synchronize_session": False},
        )
        return session.get(Consent, consent_id, populate_existing=True)
    return get_for_update(session, consent_id)


def add(session: Session, consent: Consent) -> Consent:
    session.add(consent)
    session.flush()
    return consent


def add_event(session: Session, event: ConsentEvent) -> ConsentEvent:
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, consent_id: str) -> Sequence[ConsentEvent]:
    query = select(ConsentEvent).where(ConsentEvent.consent_id == consent_id)
    return session.scalars(query.order_by(ConsentEvent.id)).all()


def events_of_bank(
    session: Session, organisation_number: str, *, after: int, limit: int
) -> list[tuple[ConsentEvent, Party]]:
    """The bank's events in the order they happened, after the event with id `after`,
    each with the party of its consent."""
    query = (
        select(ConsentEvent, Consent.party_type, Consent.person, Consent.organisation_number)
        .join(Consent, Consent.id == ConsentEvent.consent_id)
        .where(
            ConsentEvent.bank_organisation_number == organisation_number,
            ConsentEvent.id > after,
        )
        .order_by(ConsentEvent.id)
        .limit(limit)
    )
    return [
        (
            event,
            Party.organisation(organisation)
            if party_type == PartyType.ORGANISATION.value and organisation
            else Party.person(person),
        )
        for event, party_type, person, organisation in session.execute(query).all()
    ]


def of_person(session: Session, person: str) -> Sequence[Consent]:
    query = select(Consent).where(Consent.person == person)
    return session.scalars(query.order_by(Consent.created_at.desc())).all()


def due_for_expiry(session: Session, now: datetime, *, limit: int) -> Sequence[Consent]:
    """Unanswered requests past their answer time, and accepted consents past validTo."""
    query = (
        select(Consent)
        .where(
            or_(
                and_(
                    Consent.status == ConsentStatus.CREATED.value,
                    or_(Consent.request_expires_at <= now, Consent.valid_to <= now),
                ),
                and_(Consent.status == ConsentStatus.ACCEPTED.value, Consent.valid_to <= now),
            )
        )
        .order_by(Consent.created_at)
        .limit(limit)
        # Two sweepers (two gateway processes) take different rows on PostgreSQL.
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).all()


def accesses_under(session: Session, consent_ids: Sequence[str]) -> Sequence[AuditEntry]:
    """Audit entries made under these consents other than their own lifecycle events:
    the banks' look-ups, as the citizen sees them under "My consents".

    Only banks' entries: a person refused at someone else's consent is on the
    record too, and is no one else's to see."""
    if not consent_ids:
        return []
    query = select(AuditEntry).where(
        AuditEntry.consent_id.in_(consent_ids),
        AuditEntry.actor_type == ActorType.BANK.value,
        AuditEntry.event_type.not_like(f"{LIFECYCLE_EVENT_PREFIX}%"),
    )
    return session.scalars(query.order_by(AuditEntry.occurred_at, AuditEntry.id)).all()
