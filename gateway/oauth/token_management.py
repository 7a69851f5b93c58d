"""Token introspection (RFC 7662) and revocation (RFC 7009) for a client's own tokens.

Both authenticate the client with private_key_jwt. A client learns nothing
about tokens of other clients: they introspect as inactive and revoking
them changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from fastapi.responses import Response

from consent.authorization import repository as authorization_repository
from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.oauth.requests import StarletteOAuth2Request
from gateway.oauth.server import AuthorizationServer
from gateway.security.access_tokens import InvalidAccessTokenError, verify_access_token


def _authenticate(server: AuthorizationServer, request: StarletteOAuth2Request) -> OAuthClient:
    client: OAuthClient = server.authenticate_client(request, [PRIVATE_KEY_JWT], "token")
    server.jtis.settle()
    if not request.form.get("token"):
        raise InvalidRequestError("Send the token to look at in the 'token' parameter.")
    return client


def _own_token_claims(
    server: AuthorizationServer, client: OAuthClient, token: str
) -> dict[str, Any] | None:
    try:
        verified = verify_access_token(server.keys, token, issuer=server.issuer)
    except InvalidAccessTokenError:
        return None
    if verified.client_id != client.client_id:
        return None
    if authorization_repository.is_revoked(server.session, verified.token_id):
        return None
    return verified.claims


def introspect(server: AuthorizationServer, request: StarletteOAuth2Request) -> Response:
    try:
        client = _authenticate(server, request)
    except OAuth2Error as error:
        return server.handle_error_response(request, error)
    claims = _own_token_claims(server, client, request.form["token"])
    if claims is None:
        return server.handle_response(200, {"active": False}, [])
    token_type = "DPoP" if "cnf" in claims else "Bearer"
    return server.handle_response(200, {"active": True, "token_type": token_type, **claims}, [])


def revoke(server: AuthorizationServer, request: StarletteOAuth2Request) -> Response:
    try:
        client = _authenticate(server, request)
    except OAuth2Error as error:
        return server.handle_error_response(request, error)
    claims = _own_token_claims(server, client, request.form["token"])
    if claims is not None:
        authorization_repository.revoke_token(
            server.session,
            str(claims["jti"]),
            client.client_id,
            datetime.fromtimestamp(int(claims["exp"]), UTC),
            datetime.now(UTC),
        )
    # RFC 7009 §2.2: 200 whether or not there was anything to revoke.
    return Response(status_code=200, headers={"Cache-Control": "no-store"})
