"""Registering and disabling clients.

A bank is registered only when the Central Coordinating Register says its
organisation exists, is active, is neither bankrupt nor being wound up, and
is a financial institution (NACE 64.1 or 64.9). Each refusal has its own code.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from consent.audit import log as audit_log
from consent.audit.events import ActorType, AuditEvent, event_type
from consent.clients import repository
from consent.clients.models import Client, ClientKind, ClientStatus
from consent.identifiers import is_valid_organisation_number
from gateway.clients.jwks import check_public_jwks
from gateway.clients.organisations import (
    Organisation,
    OrganisationLookup,
    OrganisationLookupUnavailableError,
)
from gateway.clients.schemas import ClientRegistration
from gateway.problems import ProblemError
from gateway.security.scopes import AGENCY_SCOPES, BANK_SCOPES

DATA_PRODUCT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _refuse(status: int, code: str, title: str, detail: str) -> ProblemError:
    return ProblemError(status, code, title, detail)


def check_organisation(lookup: OrganisationLookup, organisation_number: str) -> Organisation:
    """The organisation, when it may hold a client; otherwise a refusal naming the reason."""
    if not is_valid_organisation_number(organisation_number):
        raise _refuse(
            422,
            "invalid-organisation-number",
            "Not an organisation number",
            "An organisation number has nine digits and a valid modulus-11 check digit.",
        )
    try:
        organisation = lookup.find(organisation_number)
    except OrganisationLookupUnavailableError as error:
        raise ProblemError(
            503,
            "organisation-register-unavailable",
            "The Central Coordinating Register does not answer; nothing was registered",
            headers={"Retry-After": "30"},
        ) from error
    number = organisation_number
    if organisation is None:
        raise _refuse(
            422,
            "organisation-not-found",
            "Unknown organisation",
            f"Organisation {number} is not in the Central Coordinating Register.",
        )
    if organisation.slettet:
        raise _refuse(
            422,
            "organisation-removed",
            "The organisation has been removed",
            f"Organisation {number} has been deleted from the Central Coordinating Register.",
        )
    if organisation.konkurs:
        raise _refuse(
            422,
            "organisation-bankrupt",
            "The organisation is bankrupt",
            f"Organisation {number} is registered as bankrupt (konkurs).",
        )
    if organisation.underTvangsavviklingEllerTvangsopplosning:
        raise _refuse(
            422,
            "organisation-under-forced-dissolution",
            "The organisation is being compulsorily dissolved",
            f"Organisation {number} is under compulsory liquidation or dissolution.",
        )
    if organisation.underAvvikling:
        raise _refuse(
            422,
            "organisation-under-liquidation",
            "The organisation is being wound up",
            f"Organisation {number} is under liquidation (underAvvikling).",
        )
    return organisation


def _check_financial_institution(organisation: Organisation) -> None:
    if not organisation.is_financial_institution:
        raise _refuse(
            422,
            "organisation-not-financial-institution",
            "Only financial institutions may register as banks",
            f"Organisation {organisation.organisasjonsnummer} has NACE code "
            f"{organisation.naeringskode1 or 'none'}; banks need 64.1xx or 64.9xx.",
        )


def _is_https_or_allowed_loopback(uri: str, allow_loopback_http: bool) -> bool:
    parts = urlsplit(uri)
    loopback_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    return parts.scheme == "https" or (loopback_http and allow_loopback_http)


def _check_redirect_uris(uris: Sequence[str], *, allow_loopback_http: bool) -> list[str]:
    for uri in uris:
        parts = urlsplit(uri)
        if not parts.hostname or parts.fragment or "#" in uri:
            raise _refuse(
                422,
                "invalid-redirect-uri",
                "A redirect URI is not acceptable",
                f"'{uri}' must be an absolute URI without a fragment.",
            )
        if not _is_https_or_allowed_loopback(uri, allow_loopback_http):
            raise _refuse(
                422,
                "invalid-redirect-uri",
                "A redirect URI is not acceptable",
                f"'{uri}' must use https.",
            )
    return list(dict.fromkeys(uris))


def _check_keys(registration: ClientRegistration, *, allow_loopback_http: bool) -> None:
    if (registration.jwks is None) == (registration.jwks_uri is None):
        raise _refuse(
            422,
            "invalid-jwks",
            "The client's key set is not acceptable",
            "Give exactly one of 'jwks' (keys by value) and 'jwks_uri'.",
        )
    if registration.jwks is not None:
        check_public_jwks(registration.jwks)
    elif not _is_https_or_allowed_loopback(registration.jwks_uri or "", allow_loopback_http):
        raise _refuse(
            422,
            "invalid-jwks",
            "The client's key set is not acceptable",
            "jwks_uri must use https.",
        )


def register(
    session: Session,
    lookup: OrganisationLookup,
    registration: ClientRegistration,
    *,
    registered_by: str,
    allow_loopback_http: bool = False,
) -> Client:
    organisation = check_organisation(lookup, registration.organisation_number)
    kind = ClientKind(registration.kind)
    if kind is ClientKind.BANK:
        _check_financial_institution(organisation)
    _check_keys(registration, allow_loopback_http=allow_loopback_http)
    for product in registration.data_products:
        if not DATA_PRODUCT_PATTERN.match(product):
            raise _refuse(
                422,
                "invalid-data-product",
                "A data product name is not acceptable",
                f"'{product}' is not a data product name (lower case letters, digits, dashes).",
            )
    if kind is ClientKind.AGENCY and (registration.redirect_uris or registration.data_products):
        raise _refuse(
            422,
            "invalid-registration",
            "Agency clients fetch no data",
            "Agency clients have neither redirect URIs nor data products.",
        )
    client = repository.add(
        session,
        Client(
            client_id=str(uuid.uuid4()),
            kind=kind.value,
            organisation_number=organisation.organisasjonsnummer,
            name=registration.name,
            jwks=registration.jwks,
            jwks_uri=registration.jwks_uri,
            redirect_uris=_check_redirect_uris(
                registration.redirect_uris, allow_loopback_http=allow_loopback_http
            ),
            data_products=list(dict.fromkeys(registration.data_products)),
            scopes=sorted(BANK_SCOPES if kind is ClientKind.BANK else AGENCY_SCOPES),
            status=ClientStatus.ACTIVE.value,
        ),
    )
    audit_log.append(
        session,
        AuditEvent(
            event_type=event_type("client", "registration", "created"),
            actor_type=ActorType.SYSTEM,
            actor_id=registered_by,
            details={
                "clientId": client.client_id,
                "kind": client.kind,
                "organisationNumber": client.organisation_number,
                "name": client.name,
            },
        ),
    )
    return client


def disable(session: Session, client_id: str, *, disabled_by: str) -> Client:
    client = repository.get(session, client_id)
    if client is None:
        raise ProblemError(404, "client-not-found", "No such client", f"No client '{client_id}'.")
    if client.is_active:
        client.status = ClientStatus.DISABLED.value
        session.flush()
        audit_log.append(
            session,
            AuditEvent(
                event_type=event_type("client", "registration", "disabled"),
                actor_type=ActorType.SYSTEM,
                actor_id=disabled_by,
                details={"clientId": client.client_id},
            ),
        )
    return client


def list_clients(session: Session) -> Sequence[Client]:
    return repository.all_clients(session)
