"""Routes of push delivery: the operator's registration, the bank's failures and replay, keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from gateway.clock import Now
from gateway.consent_requests.endpoints import BankToken
from gateway.database import DbSession
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import problem_responses
from gateway.push import service
from gateway.push.schemas import (
    FailedDeliveryList,
    PushEndpointIn,
    PushEndpointView,
    PushReplayIn,
    PushReplayOut,
)
from gateway.push.tokens import KEYS_PATH
from gateway.security.admin import require_admin
from gateway.settings import Settings

admin = APIRouter(prefix="/admin/v1/clients", tags=["admin"])
bank = APIRouter(prefix="/consent/v1/consentrequest-events", tags=["consent requests"])
keys_router = APIRouter(tags=["consent requests"])
Admin = Annotated[str, Depends(require_admin)]
# Every route here can be refused: bad credentials, an unknown client or endpoint,
# a malformed body or cursor, or the database being away.
REFUSALS = problem_responses(400, 401, 403, 404, 422, 503)


@keys_router.get(KEYS_PATH, summary="The public keys that verify pushed consent events (JWKS)")
def security_event_keys(request: Request) -> dict[str, Any]:
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.SECURITY_EVENT)


@admin.put(
    "/{client_id}/push-endpoint",
    responses=REFUSALS,
    response_model=PushEndpointView,
    summary="Push the client's consent events to this URL from now on",
)
def set_push_endpoint(
    client_id: str,
    body: PushEndpointIn,
    *,
    request: Request,
    session: DbSession,
    actor: Admin,
    now: Now,
) -> PushEndpointView:
    settings: Settings = request.app.state.settings
    return service.set_endpoint(
        session,
        client_id,
        body.url,
        set_by=actor,
        allow_loopback_http=settings.accepts_synthetic_identities,
        now=now,
    )


@admin.get("/{client_id}/push-endpoint", responses=REFUSALS, response_model=PushEndpointView)
def get_push_endpoint(client_id: str, session: DbSession, _admin: Admin) -> PushEndpointView:
    return service.view(session, service.endpoint_of(session, client_id))


@admin.delete(
    "/{client_id}/push-endpoint", responses=REFUSALS, status_code=204, response_class=Response
)
def remove_push_endpoint(client_id: str, session: DbSession, actor: Admin) -> Response:
    service.remove_endpoint(session, client_id, removed_by=actor)
    return Response(status_code=204)


@admin.get("/{client_id}/push-failures", responses=REFUSALS, response_model=FailedDeliveryList)
def client_push_failures(client_id: str, session: DbSession, _admin: Admin) -> FailedDeliveryList:
    return FailedDeliveryList(failed_deliveries=list(service.failures(session, client_id)))


@admin.post("/{client_id}/push-replay", responses=REFUSALS, response_model=PushReplayOut)
def client_push_replay(
    client_id: str, body: PushReplayIn, session: DbSession, _admin: Admin, now: Now
) -> PushReplayOut:
    return service.replay(session, client_id, body.continuation_token, now=now)


@bank.get(
    "/push-endpoint",
    responses=REFUSALS,
    response_model=PushEndpointView,
    summary="Where the gateway pushes this client's consent events",
)
def own_push_endpoint(session: DbSession, token: BankToken) -> PushEndpointView:
    return service.view(session, service.endpoint_of(session, token.client_id))


@bank.get(
    "/push-failures",
    responses=REFUSALS,
    response_model=FailedDeliveryList,
    summary="Pushed consent events the gateway gave up delivering to this client",
)
def push_failures(session: DbSession, token: BankToken) -> FailedDeliveryList:
    return FailedDeliveryList(failed_deliveries=list(service.failures(session, token.client_id)))


@bank.post(
    "/push-replay",
    responses=REFUSALS,
    response_model=PushReplayOut,
    summary="Push the consent events after a continuation token again",
)
def push_replay(
    body: PushReplayIn, session: DbSession, token: BankToken, now: Now
) -> PushReplayOut:
    return service.replay(session, token.client_id, body.continuation_token, now=now)
