"""The rules of the bank's consent request API, between the routes and the consent domain.

Checks that need the gateway's knowledge (the bank's client registration,
the deployment mode, the token's organisation) live here; the consent
rules themselves live in `consent.consents.lifecycle`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consent import catalogue
from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.clients import repository as clients
from consent.clients.models import Client
from consent.consents import lifecycle, repository
from consent.consents.lifecycle import ConsentError, RequestedRight
from consent.consents.models import Consent, ConsentEvent
from consent.identifiers import is_valid_organisation_number, parse_national_identity_number
from consent.parties import Party
from gateway.consent_requests.schemas import (
    ORGANISATION_URN_PREFIX,
    PERSON_URN_PREFIX,
    Authority,
    ConsentRequestEventOut,
    ConsentRequestEventPage,
    ConsentRequestIn,
    ConsentRequestOut,
    PerformedBy,
)
from gateway.problems import AuditedRefusal, ProblemError
from gateway.settings import Settings

# HTTP status of each domain refusal; anything unlisted is a 409 conflict with the state.
_STATUS_BY_CODE = {
    "invalid-resource": 422,
    "missing-metadata": 422,
    "unknown-metadata": 422,
    "invalid-metadata": 422,
    "invalid-valid-to": 422,
    "time-not-in-future": 422,
    "validity-too-long": 422,
    "product-not-for-party": 422,
    "party-mismatch": 403,
    "not-found": 404,
}
EVENT_PAGE_SIZE = 100
REFUSED = event_type("consent", "api", "refused")


def problem_of(error: ConsentError) -> ProblemError:
    status = _STATUS_BY_CODE.get(error.code, 409)
    return ProblemError(status, error.code, "The consent request was refused", error.message)


def refuse(
    session: Session,
    problem: ProblemError,
    *,
    organisation: str,
    client_id: str,
    action: str,
    consent_id: str,
    now: datetime,
) -> AuditedRefusal:
    """Append the bank's refused attempt to the audit log; the answer to raise.

    No person is named: the refused request may name someone the bank has
    no consent from, and another bank's request is that bank's business.
    """
    log.append(
        session,
        AuditEvent(
            event_type=REFUSED,
            actor_type=ActorType.BANK,
            actor_id=organisation,
            outcome=Outcome.DENIED,
            consent_id=consent_id,
            details={"reason": problem.code, "action": action, "clientId": client_id},
            occurred_at=now,
        ),
    )
    return AuditedRefusal.of(problem)


def _invalid(code: str, title: str, detail: str, status: int = 422) -> ProblemError:
    return ProblemError(status, code, title, detail)


def view_uri(settings: Settings, consent_id: str) -> str:
    return f"{settings.issuer_url}/citizen/consentrequests/{consent_id}"


def fingerprint(body: ConsentRequestIn) -> str:
    document = body.model_dump(mode="json", by_alias=True)
    # Left out when not sent, so a person's request keeps the fingerprint it always had.
    if document.get("requiredDelegator") is None:
        document.pop("requiredDelegator", None)
    canonical = json.dumps(document, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _party_of(body: ConsentRequestIn, settings: Settings) -> tuple[str, str | None]:
    """The person who answers, and the organisation they answer for (None: for themselves)."""
    if body.from_.startswith(ORGANISATION_URN_PREFIX):
        organisation = body.from_.removeprefix(ORGANISATION_URN_PREFIX)
        if not is_valid_organisation_number(organisation):
            raise _invalid(
                "invalid-organisation-identifier",
                "The organisation number is invalid",
                "'from' names an organisation number that fails its check digit.",
            )
        if body.required_delegator is None:
            raise _invalid(
                "delegator-required",
                "The person who consents for the enterprise is not named",
                f"For an enterprise, 'requiredDelegator' must be {PERSON_URN_PREFIX}<person>.",
            )
        return _person_of(body.required_delegator, settings, "requiredDelegator"), organisation
    if body.required_delegator is not None:
        raise _invalid(
            "invalid-person-identifier",
            "A person consents for themselves",
            "'requiredDelegator' is only for a request whose 'from' is an enterprise.",
        )
    return _person_of(body.from_, settings, "from"), None


def _person_of(urn: str, settings: Settings, field: str) -> str:
    person = urn.removeprefix(PERSON_URN_PREFIX)
    if person == urn:
        raise _invalid(
            "invalid-person-identifier",
            "The person is not named correctly",
            f"'{field}' must be {PERSON_URN_PREFIX}<national identity number>"
            + (f" or {ORGANISATION_URN_PREFIX}<organisation number>." if field == "from" else "."),
        )
    try:
        parsed = parse_national_identity_number(person)
    except ValueError as error:
        # The message of the parser never repeats the number.
        raise _invalid(
            "invalid-person-identifier", "The national identity number is invalid", str(error)
        ) from error
    if parsed.synthetic != settings.accepts_synthetic_identities:
        detail = (
            "This is a test deployment: only synthetic identities are accepted."
            if settings.accepts_synthetic_identities
            else "Synthetic identities are not accepted in production."
        )
        raise _invalid(
            "invalid-person-identifier", "The national identity number is not accepted", detail
        )
    return person


def _check_bank(body: ConsentRequestIn, client: Client | None, organisation: str) -> Client:
    if client is None or not client.is_active:
        raise ProblemError(403, "unknown-client", "The client is not registered or is disabled")
    if body.to != ORGANISATION_URN_PREFIX + organisation:
        raise ProblemError(
            403,
            "party-mismatch",
            "The request is not from the organisation it names",
            "'to' must name the organisation of the access token.",
        )
    if body.redirect_url not in client.redirect_uris:
        raise _invalid(
            "invalid-redirect-url",
            "The redirect URL is not registered for this client",
            "redirectUrl must be one of the client's registered redirect URIs.",
        )
    for right in body.consent_rights:
        product_id = right.resource[0].value
        if catalogue.find(product_id) is None:
            raise _invalid(
                "invalid-resource", "Unknown data product", f"No product '{product_id}'."
            )
        if product_id not in client.data_products:
            raise ProblemError(
                403,
                "product-not-allowed",
                "The bank may not ask for this data product",
                f"This client is not allowed to ask for '{product_id}'.",
            )
    return client


def create_request(
    session: Session,
    settings: Settings,
    body: ConsentRequestIn,
    *,
    client_id: str,
    organisation: str,
    now: datetime,
) -> tuple[ConsentRequestOut, bool]:
    """The request as stored, and whether it was created now (False: a repeat of the same)."""
    digest = fingerprint(body)
    consent_id = str(body.id)

    def refused(problem: ProblemError) -> AuditedRefusal:
        return refuse(
            session,
            problem,
            organisation=organisation,
            client_id=client_id,
            action="create",
            consent_id=consent_id,
            now=now,
        )

    existing = repository.get(session, consent_id)
    if existing is not None:
        if existing.bank_organisation_number == organisation and (
            existing.request_fingerprint == digest
        ):
            return read_request(
                session,
                settings,
                consent_id,
                organisation=organisation,
                client_id=client_id,
                now=now,
            ), False
        raise refused(_duplicate_id())
    try:
        client = _check_bank(body, clients.get(session, client_id), organisation)
    except ProblemError as problem:
        raise refused(problem) from problem
    person, organisation_party = _party_of(body, settings)
    rights = [
        RequestedRight(right.resource[0].value, dict(right.metadata))
        for right in body.consent_rights
    ]
    messages = {
        language: text
        for language, text in body.request_message.model_dump().items()
        if text is not None
    }
    if not messages:
        raise _invalid(
            "invalid-request-message",
            "The request message is empty",
            "requestMessage needs a text in at least one of nb, nn and en.",
        )
    try:
        consent = lifecycle.create(
            session,
            consent_id=consent_id,
            person=person,
            organisation_number=organisation_party,
            bank_organisation_number=organisation,
            client_id=client.client_id,
            valid_to=body.valid_to,
            rights=rights,
            request_message=messages,
            redirect_url=body.redirect_url,
            one_time=body.one_time,
            request_fingerprint=digest,
            answer_within=timedelta(seconds=settings.consent_request_answer_seconds),
            now=now,
        )
    except ConsentError as error:
        raise problem_of(error) from error
    except IntegrityError as error:
        # Another request with the same id was stored between our read and our write.
        # The failed insert ends the transaction; the refusal's record starts a new one.
        session.rollback()
        raise refused(_duplicate_id()) from error
    return present(settings, consent, repository.events_of(session, consent.id)), True


def _duplicate_id() -> ProblemError:
    return ProblemError(
        409,
        "duplicate-id",
        "A consent request with this id exists",
        "Choose a new id; the same id is only accepted again with the same body.",
    )


def own_consent(
    session: Session,
    consent_id: str,
    organisation: str,
    now: datetime,
    *,
    client_id: str,
    action: str,
) -> Consent:
    consent = repository.get_for_update(session, consent_id)
    not_found = ProblemError(404, "not-found", "No such consent request")
    if consent is None:
        raise not_found
    if consent.bank_organisation_number != organisation:
        # Another bank's request is as invisible as a missing one, and the attempt is recorded.
        raise refuse(
            session,
            not_found,
            organisation=organisation,
            client_id=client_id,
            action=action,
            consent_id=consent.id,
            now=now,
        )
    lifecycle.expire_if_due(session, consent, now)
    return consent


def read_request(
    session: Session,
    settings: Settings,
    consent_id: str,
    *,
    organisation: str,
    client_id: str,
    now: datetime,
) -> ConsentRequestOut:
    consent = own_consent(
        session, consent_id, organisation, now, client_id=client_id, action="read"
    )
    return present(settings, consent, repository.events_of(session, consent.id))


def withdraw_request(
    session: Session,
    settings: Settings,
    consent_id: str,
    *,
    organisation: str,
    client_id: str,
    now: datetime,
) -> ConsentRequestOut:
    consent = own_consent(
        session, consent_id, organisation, now, client_id=client_id, action="withdraw"
    )
    try:
        lifecycle.delete(session, consent, bank_organisation_number=organisation, now=now)
    except ConsentError as error:
        raise problem_of(error) from error
    return present(settings, consent, repository.events_of(session, consent.id))


def encode_position(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{event_id}".encode()).decode().rstrip("=")


def decode_position(token: str | None) -> int:
    if not token:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, _, position = decoded.partition(":")
        if version != "v1" or not position.isdigit():
            raise ValueError(token)
        return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ProblemError(
            400,
            "invalid-continuation-token",
            "The continuation token is not one this API gave out",
        ) from error


def event_page(
    session: Session, token: str | None, *, organisation: str, page_size: int
) -> ConsentRequestEventPage:
    after = decode_position(token)
    events = repository.events_of_bank(
        session, organisation, after=after, limit=min(page_size, EVENT_PAGE_SIZE)
    )
    position = events[-1][0].id if events else after
    return ConsentRequestEventPage(
        consent_request_events=[_event_out(event, party) for event, party in events],
        continuation_token=encode_position(position),
    )


def _event_out(event: ConsentEvent, party: Party) -> ConsentRequestEventOut:
    return ConsentRequestEventOut(
        consentEventID=event.event_id,
        consentRequestID=event.consent_id,
        eventType=event.event_type,
        party=party.urn,
        created=lifecycle.utc(event.occurred_at),
        performedBy=PerformedBy.model_validate({"type": event.actor_type}),
    )


def present(
    settings: Settings, consent: Consent, events: Sequence[ConsentEvent]
) -> ConsentRequestOut:
    party = consent.party
    organisation = party.is_organisation
    return ConsentRequestOut(
        id=consent.id,
        from_=party.urn,
        required_delegator=PERSON_URN_PREFIX + consent.person if organisation else None,
        authority=Authority(
            role=consent.authority_role, organisation_name=consent.organisation_name or ""
        )
        if organisation and consent.authority_role
        else None,
        to=ORGANISATION_URN_PREFIX + consent.bank_organisation_number,
        valid_to=lifecycle.utc(consent.valid_to),
        consented=lifecycle.utc(consent.accepted_at) if consent.accepted_at else None,
        consent_rights=consent.consent_rights,
        request_message=consent.request_message,
        redirect_url=consent.redirect_url,
        one_time=consent.one_time,
        status=consent.status,
        view_uri=view_uri(settings, consent.id),
        consent_request_events=[_event_out(event, party) for event in events],
    )
