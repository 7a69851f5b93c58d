"""Registering push endpoints, listing failed deliveries and replaying the feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from consent.audit import log as audit_log
from consent.audit.events import ActorType, AuditEvent, event_type
from consent.clients import repository as clients
from consent.clients.models import Client, ClientKind
from consent.consents.lifecycle import utc
from consent.push import outbox
from consent.push.models import PushDelivery, PushEndpoint
from gateway.clients.service import LOOPBACK_HOSTS
from gateway.consent_requests.service import decode_position, encode_position
from gateway.problems import ProblemError
from gateway.push.schemas import FailedDelivery, PushEndpointView, PushReplayOut

FAILURE_PAGE_SIZE = 100
REPLAY_BATCH = 1000
URL_LENGTH = 2000


def _invalid_url(detail: str) -> ProblemError:
    return ProblemError(422, "invalid-push-endpoint", "The push endpoint is not acceptable", detail)


def check_url(url: str, *, allow_loopback_http: bool) -> str:
    """An absolute https URL without credentials or fragment (loopback http in demo and test)."""
    parts = urlsplit(url)
    if len(url) > URL_LENGTH:
        raise _invalid_url(f"The push endpoint may be at most {URL_LENGTH} characters.")
    if not parts.hostname or parts.fragment or "#" in url:
        raise _invalid_url("The push endpoint must be an absolute URL without a fragment.")
    if parts.username is not None or parts.password is not None:
        raise _invalid_url("The push endpoint must not carry credentials.")
    loopback_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not (loopback_http and allow_loopback_http):
        raise _invalid_url(
            "The push endpoint must use https"
            + (" (or http on 127.0.0.1 or localhost)." if allow_loopback_http else ".")
        )
    return url


def _bank_client(session: Session, client_id: str) -> Client:
    client = clients.get(session, client_id)
    if client is None:
        raise ProblemError(404, "client-not-found", "No such client", f"No client '{client_id}'.")
    if client.kind != ClientKind.BANK.value:
        raise _invalid_url("Only bank clients receive consent events.")
    return client


def view(session: Session, endpoint: PushEndpoint) -> PushEndpointView:
    return PushEndpointView(
        client_id=endpoint.client_id,
        url=endpoint.url,
        created_at=utc(endpoint.created_at),
        updated_at=utc(endpoint.updated_at),
        pending=outbox.pending_count(session, endpoint.client_id),
    )


def _audit(session: Session, action: str, actor: str, details: dict[str, object]) -> None:
    audit_log.append(
        session,
        AuditEvent(
            event_type=event_type("client", "push-endpoint", action),
            actor_type=ActorType.SYSTEM,
            actor_id=actor,
            details=details,
        ),
    )


def set_endpoint(
    session: Session,
    client_id: str,
    url: str,
    *,
    set_by: str,
    allow_loopback_http: bool,
    now: datetime,
) -> PushEndpointView:
    """Deliver the client's consent events to `url` from now on (earlier ones: replay)."""
    client = _bank_client(session, client_id)
    endpoint = outbox.set_endpoint(
        session, client, check_url(url, allow_loopback_http=allow_loopback_http), now
    )
    _audit(session, "set", set_by, {"clientId": client_id, "url": endpoint.url})
    return view(session, endpoint)


def endpoint_of(session: Session, client_id: str) -> PushEndpoint:
    endpoint = outbox.get_endpoint(session, client_id)
    if endpoint is None:
        raise ProblemError(
            404,
            "no-push-endpoint",
            "The client has no push endpoint",
            "Register one first; until then the event feed is the only way to follow events.",
        )
    return endpoint


def remove_endpoint(session: Session, client_id: str, *, removed_by: str) -> None:
    """Stop pushing to the client; what was still owed is dropped (the feed keeps it)."""
    if not outbox.remove_endpoint(session, client_id):
        endpoint_of(session, client_id)  # raises no-push-endpoint
    _audit(session, "removed", removed_by, {"clientId": client_id})


def _failed(delivery: PushDelivery) -> FailedDelivery:
    return FailedDelivery(
        consent_event_id=delivery.event_id,
        consent_request_id=delivery.consent_id,
        attempts=delivery.attempts,
        queued=utc(delivery.created_at),
        last_attempt=utc(delivery.last_attempt_at) if delivery.last_attempt_at else None,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        replay_from=encode_position(delivery.feed_position - 1),
    )


def failures(session: Session, client_id: str) -> Sequence[FailedDelivery]:
    return [
        _failed(delivery)
        for delivery in outbox.failures(session, client_id, limit=FAILURE_PAGE_SIZE)
    ]


def replay(
    session: Session, client_id: str, continuation_token: str | None, *, now: datetime
) -> PushReplayOut:
    """Queue the client's events after the feed position again, at most REPLAY_BATCH."""
    after = decode_position(continuation_token)
    endpoint = endpoint_of(session, client_id)
    result = outbox.replay(session, endpoint, after=after, limit=REPLAY_BATCH, now=now)
    return PushReplayOut(
        queued=result.queued,
        continuation_token=encode_position(result.position),
        complete=result.complete,
    )
