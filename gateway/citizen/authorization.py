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

from consent.consents import lifecycle
from consent.consents.lifecycle import ConsentError, RequestedRight
from gateway.citizen.service import PageError, ProductView, local_date, product_views
from gateway.oauth import interaction
from gateway.oauth.authorization_details import PERSON_URN_PREFIX
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
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class AskedConsent:
    """The pushed request, checked by the consent rules and ready to record."""

    pending: PendingInteraction
    rights: list[RequestedRight]
    altinn_rights: list[dict[str, Any]]
    valid_to: datetime
    purpose: str
    one_time: bool


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
    try:
        valid_to = datetime.fromisoformat(detail["validTo"])
        altinn_rights = lifecycle.validate_rights(rights, now)
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
    )


def _for_person(pending: PendingInteraction, person: str) -> PendingInteraction:
    """When the bank named the person it expects (`from`), no one else sees or answers."""
    [detail] = pending.authorization_details
    expected = detail.get("from")
    if expected is not None and expected != PERSON_URN_PREFIX + person:
        raise PageError(403, "not_yours_title", "not_yours")
    return pending


def authorization_page(
    session: Session, interaction_id: str, *, person: str, language: str, now: datetime
) -> AuthorizationView:
    pending = _for_person(_pending(session, interaction_id, now), person)
    asked = _asked(pending, now)
    return AuthorizationView(
        interaction_id=interaction_id,
        bank_name=asked.pending.client_name,
        organisation_number=asked.pending.organisation_number,
        purpose=asked.purpose,
        valid_to=local_date(asked.valid_to),
        one_time=asked.one_time,
        products=product_views(asked.altinn_rights, language),
    )


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
) -> str:
    """Record the citizen's answer as a consent and complete the interaction.

    Returns the bank's redirect URL (code, state and iss; or error=access_denied).
    """
    pending = _for_person(_pending(session, interaction_id, now), person)
    asked = _asked(pending, now)
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
        )
    except ProblemError as error:
        raise _gone() from error
    consent = lifecycle.create(
        session,
        consent_id=consent_id,
        person=person,
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
        lifecycle.accept(session, consent, person=person, now=now)
    else:
        lifecycle.reject(session, consent, person=person, now=now)
    return redirect_url
