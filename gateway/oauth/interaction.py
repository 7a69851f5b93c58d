"""The hand-off between the authorization endpoint and the citizen's consent page.

The consent page loads the pending interaction to show who asks for what,
then completes it with the logged-in person and their answer; it gets back
the URL to send the browser to (303), with code, state and iss (RFC 9207).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from consent.authorization.models import AuthorizationCode, PushedAuthorizationRequest
from consent.clients import repository as clients_repository
from gateway.oauth.authorization_details import CONSENT_TYPE, PERSON_URN_PREFIX
from gateway.problems import ProblemError

CODE_LIFETIME_SECONDS = 60
# From the browser's arrival at the consent page: time to log in with ID-porten and answer.
INTERACTION_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class PendingInteraction:
    interaction_id: str
    client_id: str
    client_name: str
    organisation_number: str
    redirect_uri: str
    authorization_details: list[dict[str, Any]]


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _not_found() -> ProblemError:
    return ProblemError(
        404,
        "interaction-not-found",
        "No such pending authorization",
        "The authorization is unknown, expired or already answered; start again from the bank.",
    )


def _live(pushed: PushedAuthorizationRequest | None, now: datetime) -> bool:
    if pushed is None or pushed.used_at is None:
        return False
    started = pushed.used_at
    if started.tzinfo is None:  # SQLite hands back naive UTC
        started = started.replace(tzinfo=UTC)
    return now < started + INTERACTION_LIFETIME


def load_pending(
    session: Session, interaction_id: str, *, now: datetime | None = None
) -> PendingInteraction:
    """The interaction still waiting for an answer; ProblemError when answered or expired."""
    pushed = authorization_repository.pending_interaction(session, interaction_id)
    if pushed is None or not _live(pushed, now or datetime.now(UTC)):
        raise _not_found()
    client = clients_repository.get(session, pushed.client_id)
    if client is None or not client.is_active:
        raise _not_found()
    return PendingInteraction(
        interaction_id=interaction_id,
        client_id=client.client_id,
        client_name=client.name,
        organisation_number=client.organisation_number,
        redirect_uri=pushed.parameters["redirect_uri"],
        authorization_details=list(pushed.parameters["authorization_details"]),
    )


def _redirect(redirect_uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{query}"


def complete(
    session: Session,
    interaction_id: str,
    *,
    person: str,
    approved: bool,
    issuer: str,
    consent_id: str | None = None,
    now: datetime | None = None,
    party_urn: str | None = None,
) -> str:
    """Answer the interaction once; returns the client redirect URL (send it with 303).

    `party_urn` names the consent's party when it is not the person themselves (an
    enterprise they consented for); the token's `from` names it."""
    now = now or datetime.now(UTC)
    pushed = authorization_repository.pending_interaction(session, interaction_id)
    if not _live(pushed, now) or not authorization_repository.complete_interaction(
        session, interaction_id, now
    ):
        raise _not_found()
    assert pushed is not None
    parameters = pushed.parameters
    redirect_uri: str = parameters["redirect_uri"]
    if not approved:
        return _redirect(
            redirect_uri,
            {"error": "access_denied", "state": parameters.get("state"), "iss": issuer},
        )
    person_urn = party_urn or PERSON_URN_PREFIX + person
    if consent_id is not None:
        # The token names the consent the citizen gave, as the data API and the consent grant
        # expect; what was asked for is in the consent itself.
        details: list[dict[str, Any]] = [
            {"type": CONSENT_TYPE, "id": consent_id, "from": person_urn}
        ]
    else:
        details = [{**detail, "from": person_urn} for detail in parameters["authorization_details"]]
    code = secrets.token_urlsafe(32)
    authorization_repository.add_authorization_code(
        session,
        AuthorizationCode(
            code_hash=hash_code(code),
            client_id=pushed.client_id,
            redirect_uri=redirect_uri,
            code_challenge=parameters["code_challenge"],
            scope=parameters["scope"],
            authorization_details=details,
            person=person,
            dpop_jkt=parameters.get("dpop_jkt"),
            expires_at=now + timedelta(seconds=CODE_LIFETIME_SECONDS),
        ),
    )
    return _redirect(redirect_uri, {"code": code, "state": parameters.get("state"), "iss": issuer})
