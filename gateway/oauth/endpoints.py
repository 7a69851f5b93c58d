"""The authorization server's HTTP endpoints. Thin: read the request, hand it to Authlib."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from gateway.database import DbSession
from gateway.keys import KeyPurpose, KeyStore
from gateway.oauth import par, token_management
from gateway.oauth.metadata import JWKS_PATH, authorization_server_metadata
from gateway.oauth.requests import from_starlette
from gateway.oauth.server import TOKEN_PATH, build_server

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


def _public_url(request: Request) -> str:
    return str(request.app.state.settings.issuer_url) + request.url.path


@router.post(TOKEN_PATH, summary="Token endpoint (RFC 6749 §3.2)")
async def token(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    # Authlib and the session are synchronous: run them off the event loop.
    server = build_server(request, session)
    response: Response = await run_in_threadpool(server.create_token_response, oauth_request)
    return response


@router.post(INTROSPECTION_PATH, summary="Token introspection (RFC 7662)")
async def introspect(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(token_management.introspect, server, oauth_request)


@router.post(REVOCATION_PATH, summary="Token revocation (RFC 7009)")
async def revoke(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(token_management.revoke, server, oauth_request)


@router.post(PAR_PATH, status_code=201, summary="Pushed authorization request (RFC 9126)")
async def pushed_authorization_request(request: Request, session: DbSession) -> Response:
    oauth_request = await from_starlette(request, _public_url(request))
    server = build_server(request, session)
    return await run_in_threadpool(par.push, server, oauth_request)


@router.get(AUTHORIZATION_PATH, summary="Authorization endpoint: redeems a request_uri")
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
