"""The citizen pages' session cookie, CSRF tokens and security headers.

The session is Starlette's signed cookie: HttpOnly, SameSite=Lax, Secure
unless the gateway runs on plain-http localhost, scoped to /citizen, and
ended after `citizen_session_seconds` without a request (the signature
carries its time and every answer renews it).
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import Settings

CITIZEN_PREFIX = "/citizen"
SESSION_COOKIE = "samtykke_citizen"
SESSION_SECRET_FILE = "session-secret"  # noqa: S105  (a file name, not a secret)
CSRF_FIELD = "csrf_token"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
# Pages carry personal data: no cache keeps them. The stylesheet may be cached.
NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = CITIZEN_PREFIX + "/static/"


def session_secret(settings: Settings) -> str:
    """The configured secret, or one generated once into the key folder and kept there."""
    if settings.session_secret:
        return settings.session_secret
    path: Path = settings.key_dir / SESSION_SECRET_FILE
    settings.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def cookies_need_https(issuer_url: str) -> bool:
    parts = urlsplit(issuer_url)
    return not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)


class CitizenSecurityHeaders:
    """Adds the security headers to every answer under /citizen."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(CITIZEN_PREFIX):
            await self.app(scope, receive, send)
            return

        extra = list(SECURITY_HEADERS)
        if not str(scope["path"]).startswith(STATIC_PREFIX):
            extra.append(NO_STORE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.citizen_session_seconds,
        path=CITIZEN_PREFIX,
        same_site="lax",
        https_only=cookies_need_https(settings.issuer_url),
    )
    app.add_middleware(CitizenSecurityHeaders)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_valid(request: Request, offered: str) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return isinstance(expected, str) and hmac.compare_digest(expected, offered)
