"""The authorization server's HTTP endpoints. Thin: read the request, hand it to Authlib."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gateway.database import DbSession, run_in_session
from gateway.keys import KeyPurpose, KeyStore
from gateway.oauth import par, token_management
from gateway.oauth.metadata import JWKS_PATH, authorization_server_metadata
from gateway.oauth.requests import from_starlette
from gateway.oauth.server import TOKEN_PATH, build_server
from gateway.problems import problem_responses

INTROSPECTION_PATH = "/oauth/introspect"
REVOCATION_PATH = "/oauth/revoke"
PAR_PATH = "/oauth/par"
AUTHORIZATION_PATH = "/oauth/authorize"
ENDPOINT_PATHS = {
    "authorization": AUTHORIZATION_PATH,
    "pushed_authorization_request": PAR_PATH,
    "token": TOKEN_PATH,
    "introspection": INTROSPECTION_PATH,
    "revocation": REVOCATION_PATH,
}

router = APIRouter(tags=["oauth"])


class OAuthErrorBody(BaseModel):
    """An OAuth error (RFC 6749 §5.2); `consent_error` (RFC 9396) says why a consent was refused."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(examples=["invalid_request"])
    error_description: str = Field(default="")
    consent_error: str = Field(default="", description="Why a consent-bound token was refused.")


_CLIENT_AUTHENTICATION = {
    "client_assertion_type": {
        "type": "string",
        "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
    },
    "client_assertion": {"type": "string", "description": "private_key_jwt (RFC 7523)."},
}


def _form(required: list[str], **fields: dict[str, Any]) -> dict[str, Any]:
    """An operation's form-encoded body, as the route reads it from the request itself."""
    properties = {**_CLIENT_AUTHENTICATION, **fields}
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


_AUTHENTICATED = ["client_assertion_type", "client_assertion"]
TOKEN_FORM = _form(
    ["grant_type", *_AUTHENTICATED],
    grant_type={"type": "string", "enum": ["client_credentials", "authorization_code"]},
    scope={"type": "string"},
    authorization_details={"type": "string", "description": "RFC 9396, JSON."},
    code={"type": "string"},
    redirect_uri={"type": "string"},
    code_verifier={"type": "string"},
)
PAR_FORM = _form(
    ["response_type", "redirect_uri", "code_challenge", "code_challenge_method", *_AUTHENTICATED],
    client_id={"type": "string"},
    response_type={"type": "string", "enum": ["code"]},
    redirect_uri={"type": "string"},
    code_challenge={"type": "string", "minLength": 43, "maxLength": 128},
    code_challenge_method={"type": "string", "enum": ["S256"]},
    scope={"type": "string"},
    state={"type": "string"},
    authorization_details={"type": "string", "description": "RFC 9396, JSON."},
    dpop_jkt={"type": "string"},
)
TOKEN_MANAGEMENT_FORM = _form(
    ["token", *_AUTHENTICATED],
    token={"type": "string"},
    token_type_hint={"type": "string", "enum": ["access_token"]},
)


class TokenAnswer(BaseModel):
    """An issued token (RFC 6749 §5.1), with the consent it carries for a consent-bound one."""

    access_token: str
    token_type: str = Field(examples=["DPoP", "Bearer"])
    expires_in: int
    scope: str
    authorization_details: list[dict[str, Any]] = Field(default_factory=list)


class PushedRequestAnswer(BaseModel):
    """Where the pushed request is kept (RFC 9126 §2.2)."""

    request_uri: str
    expires_in: int


class IntrospectionAnswer(BaseModel):
    """RFC 7662 §2.2: `active`, and the token's claims when it is active and the caller's."""

    model_config = ConfigDict(extra="allow")

    active: bool


def oauth_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OAuth's own error answers, and the database outage every endpoint answers as a problem."""
    meanings = {
        400: "The request is refused (RFC 6749 §5.2)",
        401: "The client could not be authenticated, or its DPoP proof was refused",
    }
    return {
        **{
            status: {"description": meanings[status], "model": OAuthErrorBody}
            for status in statuses
        },
        **problem_responses(503),
    }


def _public_url(request: Request) -> str:
    return str(request.app.state.settings.issuer_url) + request.url.path


@router.post(
    TOKEN_PATH,
    summary="Token endpoint (RFC 6749 §3.2)",
    responses={200: {"model": TokenAnswer}, **oauth_errors(400, 401)},
    openapi_extra=TOKEN_FORM,
)
async def token(request: Request) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))

    def answer(session: Session) -> Response:
        response: Response = build_server(request, session).create_token_response(oauth_request)
        return response

    # Authlib and the session are synchronous: one hop off the event loop does the
    # request and its commit (the jtis and the audit record) before the answer leaves.
    # Its statements commit one by one (PostgreSQL): a client and its consent are read in
    # one, a consent token's jtis and audit record are written in one. Every other write
    # here only ever spends something (a code, a jti) or records a refusal, so one that
    # stands while a later one fails errs toward refusing, and no token is answered
    # before all of them have committed.
    return await run_in_session(request, request.app.state.statement_sessionmaker, answer)


@router.post(
    INTROSPECTION_PATH,
    summary="Token introspection (RFC 7662)",
    responses={200: {"model": IntrospectionAnswer}, **oauth_errors(400, 401)},
    openapi_extra=TOKEN_MANAGEMENT_FORM,
)
async def introspect(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(token_management.introspect, server, oauth_request)


@router.post(
    REVOCATION_PATH,
    response_class=Response,  # 200 with no body (RFC 7009 §2.2)
    summary="Token revocation (RFC 7009)",
    responses=oauth_errors(400, 401),
    openapi_extra=TOKEN_MANAGEMENT_FORM,
)
async def revoke(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(token_management.revoke, server, oauth_request)


@router.post(
    PAR_PATH,
    status_code=201,
    summary="Pushed authorization request (RFC 9126)",
    responses={201: {"model": PushedRequestAnswer}, **oauth_errors(400, 401)},
    openapi_extra=PAR_FORM,
)
async def pushed_authorization_request(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(par.push, server, oauth_request)


@router.get(
    AUTHORIZATION_PATH,
    summary="Authorization endpoint: redeems a request_uri",
    responses=oauth_errors(400),
)
def authorize(
    request: Request,
    session: DbSession,
    client_id: Annotated[str, Query(max_length=64)],
    request_uri: Annotated[str, Query(max_length=200)],
) -> Response:
    return par.authorize(build_server(request, session), client_id, request_uri)


@router.get("/.well-known/oauth-authorization-server", summary="Metadata (RFC 8414)")
def metadata(request: Request) -> dict[str, Any]:
    return authorization_server_metadata(request.app.state.settings.issuer_url, ENDPOINT_PATHS)


@router.get(JWKS_PATH, summary="The keys that sign access tokens")
def jwks(request: Request) -> dict[str, Any]:
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.ACCESS_TOKEN)
