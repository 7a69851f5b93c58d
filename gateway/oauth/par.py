"""Pushed authorization requests (RFC 9126) and the authorization endpoint that redeems them.

FAPI 2.0: every authorization request is pushed, by an authenticated client,
with PKCE S256 and an exactly registered redirect URI. The request_uri lives
at most 60 s and works once; the authorization endpoint turns it into a
pending interaction and sends the browser (303) to the consent page.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError, OAuth2Error
from fastapi.responses import RedirectResponse, Response

from consent.authorization import repository as authorization_repository
from consent.authorization.models import PushedAuthorizationRequest
from gateway.oauth.authorization_details import parse_consent_request
from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.oauth.dpop import single_proof
from gateway.oauth.requests import StarletteOAuth2Request
from gateway.oauth.server import AuthorizationServer
from gateway.security.scopes import DATA_READ

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
REQUEST_URI_LIFETIME_SECONDS = 60
# The consent page of the citizen pages; it calls gateway.oauth.interaction.
CONSENT_PAGE_PATH = "/citizen/authorize/"
_FORBIDDEN_IN_PUSH = ("request_uri", "request")


def _granted_scope(client: OAuthClient, requested: str | None) -> str:
    """The scope the code flow grants: the data scope, when asked for (or nothing was).

    RFC 6749 §3.3: scopes the server does not grant are left out, not refused,
    so that client libraries that always add `openid` work; the token
    response's `scope` tells the client what it got.
    """
    if requested is not None and DATA_READ not in requested.split():
        raise InvalidScopeError(f"The code flow issues the scope '{DATA_READ}'; ask for it.")
    if not client.may_fetch_data():
        raise InvalidScopeError(f"This client may not have the scope '{DATA_READ}'.")
    return DATA_READ


def _check_parameters(client: OAuthClient, form: dict[str, str], now: datetime) -> dict[str, Any]:
    if form.get("response_type") != "code":
        raise InvalidRequestError("response_type must be 'code'.")
    for name in _FORBIDDEN_IN_PUSH:
        if name in form:
            raise InvalidRequestError(f"'{name}' is not accepted in a pushed request.")
    redirect_uri = form.get("redirect_uri", "")
    if not client.check_redirect_uri(redirect_uri):
        raise InvalidRequestError("redirect_uri must be exactly one of the client's registered.")
    if form.get("code_challenge_method") != "S256":
        raise InvalidRequestError("PKCE is required: code_challenge_method must be S256.")
    challenge = form.get("code_challenge", "")
    if not 43 <= len(challenge) <= 128:
        raise InvalidRequestError("PKCE is required: send a code_challenge (43-128 characters).")
    scope = _granted_scope(client, form.get("scope"))
    details = parse_consent_request(
        form.get("authorization_details"), list(client.record.data_products), now
    )
    return {
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "state": form.get("state"),
        "scope": scope,
        "authorization_details": details,
        "dpop_jkt": form.get("dpop_jkt"),
    }


def push(server: AuthorizationServer, request: StarletteOAuth2Request) -> Response:
    try:
        client: OAuthClient = server.authenticate_client(request, [PRIVATE_KEY_JWT], "par")
        if not client.check_response_type("code"):
            raise InvalidRequestError("Only bank clients use the authorization code flow.")
        parameters = _check_parameters(
            client, request.form, datetime.fromtimestamp(server.now(), UTC)
        )
        proof_header = single_proof(request.headers)
        if proof_header:  # RFC 9449 §10: bind the code to the proof's key
            proof = server.dpop.verify(proof_header, method="POST", url=request.uri)
            if parameters["dpop_jkt"] not in (None, proof.jkt):
                raise InvalidRequestError("dpop_jkt differs from the DPoP proof's key.")
            parameters["dpop_jkt"] = proof.jkt
        server.jtis.settle()
    except OAuth2Error as error:
        return server.handle_error_response(request, error)
    request_id = secrets.token_urlsafe(32)
    authorization_repository.add_pushed_request(
        server.session,
        PushedAuthorizationRequest(
            id=request_id,
            client_id=client.client_id,
            parameters=parameters,
            expires_at=datetime.fromtimestamp(server.now(), UTC)
            + timedelta(seconds=REQUEST_URI_LIFETIME_SECONDS),
        ),
    )
    body = {
        "request_uri": REQUEST_URI_PREFIX + request_id,
        "expires_in": REQUEST_URI_LIFETIME_SECONDS,
    }
    return server.handle_response(201, body, [("Cache-Control", "no-store")])


def authorize(server: AuthorizationServer, client_id: str, request_uri: str) -> Response:
    """Redeem a request_uri; errors are not redirected, the redirect URI is not yet trusted."""
    request_id = request_uri.removeprefix(REQUEST_URI_PREFIX)
    interaction_id = secrets.token_urlsafe(32)
    pushed = None
    if request_uri.startswith(REQUEST_URI_PREFIX):
        pushed = authorization_repository.use_pushed_request(
            server.session,
            request_id,
            client_id,
            interaction_id,
            datetime.fromtimestamp(server.now(), UTC),
        )
    if pushed is None:
        error = InvalidRequestError(
            "request_uri is unknown, expired, already used or not this client's; "
            "push the authorization request again.",
        )
        error.error = "invalid_request_uri"
        return server.handle_error_response(None, error)
    return RedirectResponse(CONSENT_PAGE_PATH + interaction_id, status_code=303)
