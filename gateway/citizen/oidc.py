"""Citizen login with OpenID Connect (ID-porten), through Authlib's Starlette client.

The provider is configuration: its discovery document names the endpoints
and keys, so the real ID-porten drops in for the mock. Authorization code
flow with PKCE S256, state and nonce; the ID token is verified (signature,
issuer, audience, nonce, expiry) and its `pid` claim names the citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import Request
from starlette.responses import Response

from gateway.settings import Settings

log = structlog.get_logger(__name__)

PROVIDER = "idporten"
CALLBACK_PATH = "/citizen/login/callback"


@dataclass(frozen=True)
class Login:
    person: str  # the verified national identity number
    idporten_sid: str | None  # ID-porten's session id, for its logout


class LoginFailedError(Exception):
    """The provider refused, or its answer did not verify; the citizen is not logged in."""


def metadata_url(settings: Settings) -> str:
    """The discovery document's URL: under the issuer, unless the gateway reaches it otherwise."""
    return (
        settings.idporten_metadata_url
        or f"{settings.idporten_issuer_url.rstrip('/')}/.well-known/openid-configuration"
    )


def make_oauth(settings: Settings) -> Any:
    oauth = OAuth()
    oauth.register(
        name=PROVIDER,
        client_id=settings.idporten_client_id,
        client_secret=settings.idporten_client_secret,
        server_metadata_url=metadata_url(settings),
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
    )
    return oauth


def _client(request: Request) -> Any:
    return request.app.state.oidc.create_client(PROVIDER)


async def start_login(request: Request, settings: Settings) -> Response:
    try:
        response: Response = await _client(request).authorize_redirect(
            request, settings.issuer_url + CALLBACK_PATH
        )
    except Exception as error:
        # The provider's discovery document could not be read: no login can start.
        log.warning("citizen_login_unavailable", error_type=type(error).__name__)
        raise LoginFailedError(type(error).__name__) from error
    # RFC 9700 and FAPI send the browser on with 303.
    response.status_code = 303
    return response


async def finish_login(request: Request) -> Login:
    """The citizen who just logged in, from the verified ID token."""
    try:
        token = await _client(request).authorize_access_token(request)
    except OAuthError as error:
        raise LoginFailedError(error.error) from error
    except Exception as error:
        # A provider that cannot be reached or an ID token that does not verify is a
        # failed login, never a login.
        log.warning("citizen_login_failed", error_type=type(error).__name__)
        raise LoginFailedError(type(error).__name__) from error
    claims = token.get("userinfo")
    pid = claims.get("pid") if claims else None
    if not isinstance(pid, str) or not pid:
        raise LoginFailedError("the ID token names no person")
    sid = claims.get("sid")
    return Login(person=pid, idporten_sid=sid if isinstance(sid, str) and len(sid) <= 255 else None)
