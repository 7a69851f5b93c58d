"""The consent lifecycle: every change of state, each with its event and audit record.

Each function changes one consent in the caller's transaction: it moves the
status, writes a :class:`ConsentEvent`, appends the audit entry that records
it and queues the event for the bank's push endpoints, then flushes. The
caller commits (or rolls back) all of them together. A transition the state
machine does not allow raises :class:`ConsentError` with a stable code and
changes nothing.

Time is always passed in (`now`), so that expiry can be tested without waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.authority import Authority
from consent.catalogue import (
    LONGEST_VALIDITY,
    SOLE_PROPRIETOR_ROLE,
    MetadataError,
    Subject,
    find,
)
from consent.consents import repository
from consent.consents.models import Consent, ConsentEvent
from consent.consents.states import REFUSAL_CODES, ConsentStatus, may_transition
from consent.parties import Party, PartyType
from consent.push import outbox

ALTINN_RESOURCE_TYPE = "urn:altinn:resource"
EXPIRY_SWEEPER = "expiry-sweeper"
# How many consents one sweep transaction expires.
SWEEP_BATCH = 500


class ConsentError(Exception):
    """A request the consent rules refuse; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str  # organisation number, national identity number or component name

    @classmethod
    def citizen(cls, person: str) -> Actor:
        return cls(ActorType.CITIZEN, person)

    @classmethod
    def bank(cls, organisation_number: str) -> Actor:
        return cls(ActorType.BANK, organisation_number)

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(ActorType.SYSTEM, component)


@dataclass(frozen=True)
class RequestedRight:
    """One data product the bank asks for, with its metadata as sent."""

    product_id: str
    metadata: Mapping[str, object] = field(default_factory=dict)


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def party_details(consent: Consent) -> dict[str, str]:
    """The party in an audit entry's details: the subject column holds its number."""
    if consent.party_type != PartyType.ORGANISATION.value:
        return {"party": PartyType.PERSON.value}
    details = {"party": PartyType.ORGANISATION.value}
    if consent.authority_role:
        details["role"] = consent.authority_role
    return details


def _record(
    session: Session, consent: Consent, status: ConsentStatus, actor: Actor, now: datetime
) -> ConsentEvent:
    entry = log.append(
        session,
        AuditEvent(
            event_type=event_type("consent", "request", status.value),
            actor_type=actor.type,
            actor_id=actor.id,
            # The data subject: the person, or the organisation consented for.
            subject=consent.party.id,
            consent_id=consent.id,
            details={
                "bank": consent.bank_organisation_number,
                "products": consent.product_ids,
                "status": status.value,
                **party_details(consent),
            },
            occurred_at=now,
        ),
    )
    event = repository.add_event(
        session,
        ConsentEvent(
            event_id=str(uuid.uuid4()),
            consent_id=consent.id,
            bank_organisation_number=consent.bank_organisation_number,
            event_type=status.value,
            actor_type=actor.type.value,
            actor_id=actor.id,
            occurred_at=now,
            audit_entry_id=entry.entry_id,
        ),
    )
    # Owed to the bank's push endpoints in this same transaction: committed together or not at all.
    outbox.enqueue(session, event, now)
    return event


def _transition(
    session: Session, consent: Consent, target: ConsentStatus, actor: Actor, now: datetime
) -> ConsentEvent:
    current = ConsentStatus(consent.status)
    if not may_transition(current, target):
        if current is ConsentStatus.EXPIRED:
            raise ConsentError("expired", "The consent request has expired.")
        raise ConsentError(
            REFUSAL_CODES[target], f"A consent that is {current.value} cannot become {target}."
        )
    consent.status = target.value
    consent.updated_at = now
    if target is ConsentStatus.ACCEPTED:
        consent.accepted_at = now
    return _record(session, consent, target, actor, now)


def rights_asked(
    product_ids: Sequence[str], metadata: Mapping[str, object]
) -> list[RequestedRight]:
    """Rights for products that share one metadata object, each taking the keys it needs.

    This is how a pushed authorization request describes a consent; the rights
    still go through `validate_rights`.
    """
    rights = []
    for product_id in product_ids:
        product = find(product_id)
        keys = product.metadata.keys if product else ()
        rights.append(RequestedRight(product_id, {k: metadata[k] for k in keys if k in metadata}))
    return rights


def validate_rights(
    rights: Sequence[RequestedRight],
    now: datetime,
    party_type: PartyType = PartyType.PERSON,
) -> list[dict[str, Any]]:
    """The rights as the Altinn list, metadata checked; ConsentError names the first fault.

    Each product must be one of the party's kind: a person's own data for a person, an
    organisation's for an organisation.
    """
    if not rights:
        raise ConsentError("invalid-resource", "At least one data product must be asked for.")
    seen: set[str] = set()
    altinn_rights: list[dict[str, Any]] = []
    for right in rights:
        product = find(right.product_id)
        if product is None:
            raise ConsentError("invalid-resource", f"Unknown data product '{right.product_id}'.")
        if product.id in seen:
            raise ConsentError("invalid-resource", f"'{product.id}' is asked for twice.")
        if party_type not in product.parties:
            whom = "an organisation" if party_type is PartyType.ORGANISATION else "a person"
            raise ConsentError(
                "product-not-for-party", f"'{product.id}' cannot be asked for from {whom}."
            )
        seen.add(product.id)
        try:
            metadata = product.metadata.validate(right.metadata, now)
        except MetadataError as error:
            raise ConsentError(error.code, f"{product.id}: {error}") from error
        altinn_rights.append(
            {
                "action": ["consent"],
                "resource": [{"type": ALTINN_RESOURCE_TYPE, "value": product.id}],
                "metadata": metadata,
            }
        )
    return altinn_rights


def validate_validity(rights: Sequence[RequestedRight], valid_to: datetime, now: datetime) -> None:
    if valid_to.tzinfo is None:
        raise ConsentError("invalid-valid-to", "validTo must carry a time zone.")
    if valid_to <= now:
        raise ConsentError("time-not-in-future", "validTo must be in the future.")
    longest = min(
        [LONGEST_VALIDITY]
        + [product.longest_validity for r in rights if (product := find(r.product_id))]
    )
    if valid_to - now > longest:
        raise ConsentError(
            "validity-too-long", f"This consent may be valid for at most {longest.days} days."
        )


def create(
    session: Session,
    *,
    consent_id: str,
    person: str,
    bank_organisation_number: str,
    client_id: str,
    valid_to: datetime,
    rights: Sequence[RequestedRight],
    request_message: Mapping[str, str],
    redirect_url: str,
    one_time: bool,
    request_fingerprint: str,
    answer_within: timedelta,
    now: datetime,
    organisation_number: str | None = None,
) -> Consent:
    """Record a bank's consent request, waiting for the citizen's answer.

    `person` answers it. With an `organisation_number` the consent is the
    organisation's, given by `person` on its behalf once their authority is
    checked; without one it is the person's own.
    """
    party = (
        Party.person(person)
        if organisation_number is None
        else Party.organisation(organisation_number)
    )
    consent_rights = validate_rights(rights, now, party.type)
    validate_validity(rights, valid_to, now)
    consent = repository.add(
        session,
        Consent(
            id=consent_id,
            status=ConsentStatus.CREATED.value,
            party_type=party.type.value,
            person=person,
            organisation_number=organisation_number,
            authority_role=None,
            organisation_name=None,
            bank_organisation_number=bank_organisation_number,
            client_id=client_id,
            valid_to=valid_to,
            one_time=one_time,
            consent_rights=consent_rights,
            request_message=dict(request_message),
            redirect_url=redirect_url,
            request_fingerprint=request_fingerprint,
            created_at=now,
            request_expires_at=min(now + answer_within, valid_to),
            accepted_at=None,
            updated_at=now,
        ),
    )
    _record(session, consent, ConsentStatus.CREATED, Actor.bank(bank_organisation_number), now)
    return consent


def expiry_due(consent: Consent, now: datetime) -> bool:
    status = ConsentStatus(consent.status)
    if status is ConsentStatus.CREATED:
        return utc(consent.request_expires_at) <= now or utc(consent.valid_to) <= now
    return status is ConsentStatus.ACCEPTED and utc(consent.valid_to) <= now


def expire_if_due(session: Session, consent: Consent, now: datetime) -> bool:
    """Expire the consent when its time has come; called on every read and by the sweeper."""
    if not expiry_due(consent, now):
        return False
    _transition(session, consent, ConsentStatus.EXPIRED, Actor.system(EXPIRY_SWEEPER), now)
    return True


def check_owner_products(product_ids: Sequence[str], authority: Authority) -> None:
    """An ENK owner's own data is shared only by the owner, as innehaver (INNH)."""
    owners_data = [
        product.id
        for product_id in product_ids
        if (product := find(product_id)) and product.subject is Subject.SOLE_PROPRIETOR
    ]
    if owners_data and authority.role != SOLE_PROPRIETOR_ROLE:
        raise ConsentError(
            "not-sole-proprietor",
            f"Only the owner (innehaver) of a sole proprietorship can share {owners_data[0]}.",
        )


def _check_authority(consent: Consent, authority: Authority | None) -> None:
    """An organisation's request is answered only with authority for that organisation."""
    if consent.party_type != PartyType.ORGANISATION.value:
        return
    if authority is None or authority.organisation_number != consent.organisation_number:
        raise ConsentError(
            "no-authority", "Only a person with authority for the organisation can answer."
        )
    check_owner_products(consent.product_ids, authority)
    consent.authority_role = authority.role
    consent.organisation_name = authority.organisation_name


def _answer(
    session: Session,
    consent: Consent,
    person: str,
    target: ConsentStatus,
    now: datetime,
    *,
    authority: Authority | None = None,
) -> ConsentEvent:
    if consent.person != person:
        raise ConsentError("party-mismatch", "Only the person the request names can answer it.")
    expire_if_due(session, consent, now)
    if target in (ConsentStatus.ACCEPTED, ConsentStatus.REJECTED) and may_transition(
        ConsentStatus(consent.status), target
    ):
        _check_authority(consent, authority)
    return _transition(session, consent, target, Actor.citizen(person), now)


def accept(
    session: Session,
    consent: Consent,
    *,
    person: str,
    now: datetime,
    authority: Authority | None = None,
) -> ConsentEvent:
    """The person accepts; for an organisation, `authority` is the policy's verdict for them."""
    return _answer(session, consent, person, ConsentStatus.ACCEPTED, now, authority=authority)


def reject(
    session: Session,
    consent: Consent,
    *,
    person: str,
    now: datetime,
    authority: Authority | None = None,
) -> ConsentEvent:
    return _answer(session, consent, person, ConsentStatus.REJECTED, now, authority=authority)


def record_authority_refusal(
    session: Session,
    *,
    person: str,
    organisation_number: str,
    reason: str,
    bank_organisation_number: str,
    consent_id: str | None,
    now: datetime,
) -> None:
    """Audit an answer refused for want of authority (`reason`: an AuthorityRefusalReason,
    or a ConsentError's code); the consent, if any, is left as it was."""
    log.append(
        session,
        AuditEvent(
            event_type=event_type("consent", "authority", "refused"),
            actor_type=ActorType.CITIZEN,
            actor_id=person,
            outcome=Outcome.DENIED,
            subject=organisation_number,
            consent_id=consent_id,
            details={
                "bank": bank_organisation_number,
                "party": PartyType.ORGANISATION.value,
                "reason": reason,
            },
            occurred_at=now,
        ),
    )


def revoke(session: Session, consent: Consent, *, person: str, now: datetime) -> ConsentEvent:
    return _answer(session, consent, person, ConsentStatus.REVOKED, now)


def delete(
    session: Session, consent: Consent, *, bank_organisation_number: str, now: datetime
) -> ConsentEvent | None:
    """The bank withdraws its request or consent; deleting twice changes nothing."""
    if consent.bank_organisation_number != bank_organisation_number:
        raise ConsentError("party-mismatch", "Only the bank that asked can withdraw.")
    if consent.status == ConsentStatus.DELETED.value:
        return None
    expire_if_due(session, consent, now)
    return _transition(
        session, consent, ConsentStatus.DELETED, Actor.bank(bank_organisation_number), now
    )


def mark_used(session: Session, consent: Consent, *, actor: Actor, now: datetime) -> ConsentEvent:
    """Use up a one-time consent after its first successful fetch, in the fetch's transaction."""
    if not consent.one_time:
        raise ConsentError("not-one-time", "Only a one-time consent is used up.")
    expire_if_due(session, consent, now)
    return _transition(session, consent, ConsentStatus.USED, actor, now)


def sweep_expired(session: Session, now: datetime, *, limit: int = SWEEP_BATCH) -> int:
    """Expire every consent whose time has passed, at most `limit`; returns how many."""
    expired = 0
    for consent in repository.due_for_expiry(session, now, limit=limit):
        if expire_if_due(session, consent, now):
            expired += 1
    return expired
