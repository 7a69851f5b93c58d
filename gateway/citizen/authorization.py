"""The consent page of the FAPI 2.0 code flow: what a bank's pushed request asks, and the answer.

The bank pushed `authorization_details` of type `urn:samtykke:consent-request`
(RFC 9396); the authorization endpoint turned it into a pending interaction.
Here the logged-in citizen sees it in plain words. Accepting records the
consent through the consent lifecycle (created by the bank, accepted by the
citizen, each audited) and completes the interaction with the consent's id,
so the code, and the token, name that consent. Refusing records a refused
consent and sends the bank `error=access_denied`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consent.authority import Authority, AuthorityRefusal, on_behalf_of
from consent.consents import lifecycle
from consent.consents.lifecycle import ConsentError, RequestedRight
from consent.identifiers import is_valid_organisation_number
from consent.parties import Party, PartyType
from gateway.citizen.service import (
    PageError,
    ProductView,
    authority_refused,
    check_authority,
    local_date,
    not_yours,
    product_views,
)
from gateway.citizen.web_security import origin_of
from gateway.enterprises.authority import RolesRegistry
from gateway.oauth import interaction
from gateway.oauth.authorization_details import PERSON_URN_PREFIX, party_of
from gateway.oauth.interaction import PendingInteraction
from gateway.problems import ProblemError

# The citizen answers on the page, within the interaction's own lifetime.
ANSWER_WITHIN = interaction.INTERACTION_LIFETIME


@dataclass(frozen=True)
class AuthorizationView:
    """What the page shows; the field names match the consent request page's."""

    interaction_id: str
    bank_name: str
    organisation_number: str
    purpose: str
    valid_to: str
    one_time: bool
    products: list[ProductView]
    return_origin: str  # where answering sends the browser: the client's redirect URI
    on_behalf_of: str | None = None
    # An enterprise's consent whose enterprise the bank left to the person to name.
    pick_enterprise: bool = False


@dataclass(frozen=True)
class AskedConsent:
    """The pushed request, checked by the consent rules and ready to record."""

    pending: PendingInteraction
    rights: list[RequestedRight]
    altinn_rights: list[dict[str, Any]]
    valid_to: datetime
    purpose: str
    one_time: bool
    party_type: PartyType
    enterprise: str | None  # fixed by the bank; None: the person names it (or a person's)


def _gone() -> PageError:
    return PageError(410, "authorization_gone_title", "authorization_gone")


def _pending(session: Session, interaction_id: str, now: datetime) -> PendingInteraction:
    try:
        return interaction.load_pending(session, interaction_id, now=now)
    except ProblemError as error:
        raise _gone() from error


def _asked(pending: PendingInteraction, now: datetime) -> AskedConsent:
    """Apply the consent rules to the pushed request; a page explains a request they refuse."""
    [detail] = pending.authorization_details
    rights = lifecycle.rights_asked(detail["products"], detail.get("metadata") or {})
    party = party_of(detail.get("from"))
    party_type = (
        party.type
        if party is not None
        else PartyType(detail.get("partyType", PartyType.PERSON.value))
    )
    try:
        valid_to = datetime.fromisoformat(detail["validTo"])
        altinn_rights = lifecycle.validate_rights(rights, now, party_type)
        lifecycle.validate_validity(rights, valid_to, now)
    except (ValueError, ConsentError) as error:
        raise PageError(400, "bad_authorization_title", "bad_authorization") from error
    return AskedConsent(
        pending=pending,
        rights=rights,
        altinn_rights=altinn_rights,
        valid_to=valid_to,
        purpose=detail["purpose"],
        one_time=bool(detail.get("oneTime", False)),
        party_type=party_type,
        enterprise=party.id if party is not None and party.is_organisation else None,
    )


def _for_person(
    session: Session, pending: PendingInteraction, person: str, *, action: str, now: datetime
) -> PendingInteraction:
    """When the bank named the person it expects (`from`), no one else sees or answers."""
    [detail] = pending.authorization_details
    expected = detail.get("from")
    if (
        isinstance(expected, str)
        and expected.startswith(PERSON_URN_PREFIX)
        and expected != PERSON_URN_PREFIX + person
    ):
        raise not_yours(
            session,
            person=person,
            action=action,
            interaction_id=pending.interaction_id,
            now=now,
        )
    return pending


def authorization_page(
    session: Session,
    interaction_id: str,
    *,
    person: str,
    language: str,
    now: datetime,
    registry: RolesRegistry,
) -> AuthorizationView:
    pending = _for_person(
        session, _pending(session, interaction_id, now), person, action="view", now=now
    )
    asked = _asked(pending, now)
    on_behalf: str | None = None
    if asked.enterprise is not None:
        decision = check_authority(registry, person, asked.enterprise)
        if isinstance(decision, AuthorityRefusal):
            raise authority_refused(decision.reason.value, audited=False)
        on_behalf = on_behalf_of(
            decision.organisation_name, decision.organisation_number, decision.role, language
        )
    return AuthorizationView(
        interaction_id=interaction_id,
        bank_name=asked.pending.client_name,
        organisation_number=asked.pending.organisation_number,
        purpose=asked.purpose,
        valid_to=local_date(asked.valid_to),
        one_time=asked.one_time,
        products=product_views(asked.altinn_rights, language),
        return_origin=origin_of(asked.pending.redirect_uri),
        on_behalf_of=on_behalf,
        pick_enterprise=asked.party_type is PartyType.ORGANISATION and asked.enterprise is None,
    )


def _enterprise_authority(
    session: Session,
    asked: AskedConsent,
    *,
    person: str,
    named: str | None,
    registry: RolesRegistry,
    now: datetime,
) -> Authority | None:
    """For an enterprise's consent, the person's authority for it; refusals are audited.

    `named` is the organisation number the person typed when the bank left it open.
    """
    if asked.party_type is not PartyType.ORGANISATION:
        return None
    organisation = asked.enterprise or (named or "").strip()
    if not is_valid_organisation_number(organisation):
        raise PageError(
            400,
            "authority_refused_title",
            "refused_invalid-organisation-identifier",
            code="invalid-organisation-identifier",
        )
    decision = check_authority(registry, person, organisation)
    reason = decision.reason.value if isinstance(decision, AuthorityRefusal) else None
    if isinstance(decision, Authority):
        try:
            lifecycle.check_owner_products([r.product_id for r in asked.rights], decision)
        except ConsentError as error:
            reason = error.code
    if reason is not None:
        lifecycle.record_authority_refusal(
            session,
            person=person,
            organisation_number=organisation,
            reason=reason,
            bank_organisation_number=asked.pending.organisation_number,
            consent_id=None,
            now=now,
        )
        raise authority_refused(reason, audited=True)
    assert isinstance(decision, Authority)
    return decision


def _fingerprint(pending: PendingInteraction) -> str:
    canonical = json.dumps(pending.authorization_details, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer(
    session: Session,
    interaction_id: str,
    *,
    person: str,
    accept: bool,
    issuer: str,
    now: datetime,
    registry: RolesRegistry,
    organisation: str | None = None,
) -> str:
    """Record the citizen's answer as a consent and complete the interaction.

    Returns the bank's redirect URL (code, state and iss; or error=access_denied). For an
    enterprise, a person without authority for it gets a page that says why; no consent
    is recorded, the interaction stays open, and the refusal is audited.
    """
    pending = _for_person(
        session, _pending(session, interaction_id, now), person, action="answer", now=now
    )
    asked = _asked(pending, now)
    authority = _enterprise_authority(
        session, asked, person=person, named=organisation, registry=registry, now=now
    )
    consent_id = str(uuid.uuid4())
    try:
        # Completing first claims the interaction: of two answers sent at once, one wins.
        redirect_url = interaction.complete(
            session,
            interaction_id,
            person=person,
            approved=accept,
            issuer=issuer,
            consent_id=consent_id,
            now=now,
            party_urn=Party.organisation(authority.organisation_number).urn if authority else None,
        )
    except ProblemError as error:
        raise _gone() from error
    consent = lifecycle.create(
        session,
        consent_id=consent_id,
        person=person,
        organisation_number=authority.organisation_number if authority else None,
        bank_organisation_number=pending.organisation_number,
        client_id=pending.client_id,
        valid_to=asked.valid_to,
        rights=asked.rights,
        # The bank's own words, in the language it wrote them; shown whatever the page's.
        request_message={"nb": asked.purpose},
        redirect_url=pending.redirect_uri,
        one_time=asked.one_time,
        request_fingerprint=_fingerprint(pending),
        answer_within=ANSWER_WITHIN,
        now=now,
    )
    if accept:
        lifecycle.accept(session, consent, person=person, now=now, authority=authority)
    else:
        lifecycle.reject(session, consent, person=person, now=now, authority=authority)
    return redirect_url
