"""Routes of the bank's consent request API: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from gateway.clock import Now
from gateway.consent_requests import service
from gateway.consent_requests.schemas import (
    ConsentRequestEventPage,
    ConsentRequestIn,
    ConsentRequestOut,
)
from gateway.database import DbSession
from gateway.problems import ProblemError, problem_responses
from gateway.security.access_tokens import AccessToken
from gateway.security.dependencies import require_scope
from gateway.security.scopes import CONSENT_REQUESTS, organisation_number_of
from gateway.settings import Settings

router = APIRouter(prefix="/consent/v1", tags=["consent requests"])

BankToken = Annotated[AccessToken, Depends(require_scope(CONSENT_REQUESTS))]


def bank_organisation(token: AccessToken) -> str:
    organisation = organisation_number_of(token.claims)
    if organisation is None:
        raise ProblemError(403, "unknown-organisation", "The access token names no organisation")
    return organisation


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post(
    "/consentrequests",
    status_code=201,
    response_model=ConsentRequestOut,
    summary="Ask a person for consent",
    responses={
        200: {
            "description": "The same request was sent before; it is returned as is.",
            "model": ConsentRequestOut,
        },
        **problem_responses(400, 401, 403, 409, 422, 503),
    },
)
def create_consent_request(
    body: ConsentRequestIn,
    *,
    request: Request,
    response: Response,
    session: DbSession,
    token: BankToken,
    now: Now,
) -> ConsentRequestOut:
    created, is_new = service.create_request(
        session,
        _settings(request),
        body,
        client_id=token.client_id,
        organisation=bank_organisation(token),
        now=now,
    )
    if not is_new:
        response.status_code = 200
    response.headers["Location"] = f"/consent/v1/consentrequests/{created.id}"
    return created


@router.get(
    "/consentrequests/{consent_id}",
    response_model=ConsentRequestOut,
    summary="Read one of the bank's consent requests",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_consent_request(
    consent_id: str, request: Request, session: DbSession, token: BankToken, now: Now
) -> ConsentRequestOut:
    return service.read_request(
        session,
        _settings(request),
        consent_id,
        organisation=bank_organisation(token),
        client_id=token.client_id,
        now=now,
    )


@router.delete(
    "/consentrequests/{consent_id}",
    response_model=ConsentRequestOut,
    summary="Withdraw a consent request or consent",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def delete_consent_request(
    consent_id: str, request: Request, session: DbSession, token: BankToken, now: Now
) -> ConsentRequestOut:
    return service.withdraw_request(
        session,
        _settings(request),
        consent_id,
        organisation=bank_organisation(token),
        client_id=token.client_id,
        now=now,
    )


@router.get(
    "/consentrequest-events",
    response_model=ConsentRequestEventPage,
    summary="The bank's consent events, oldest first, from a continuation token",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def consent_request_events(
    session: DbSession,
    token: BankToken,
    continuation_token: Annotated[
        str | None, Query(alias="continuationToken", max_length=64)
    ] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=service.EVENT_PAGE_SIZE)] = 100,
) -> ConsentRequestEventPage:
    return service.event_page(
        session, continuation_token, organisation=bank_organisation(token), page_size=page_size
    )
