"""The citizen pages' session, CSRF tokens and the security headers of every HTML answer.

Sessions live in the database (`citizen_sessions`): the browser holds only a
random id, the table only its SHA-256, so the cookie says nothing about the
person and a copied cookie dies everywhere the moment the row goes. A
session ends at logout, `citizen_session_lifetime_seconds` after it began
(login starts a new one), and `citizen_session_idle_seconds` after its last
request; every gateway process sees the same rows.

The cookie is HttpOnly and SameSite=Lax (ID-porten's answer arrives as a
cross-site top-level GET, which Strict would strip of the cookie). Outside
plain-http localhost it is `__Host-` prefixed and Secure, so no subdomain
can set or shadow it; on localhost it is scoped to /citizen.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consent.citizen_sessions import repository
from gateway.clock import clock_of
from gateway.problems import DATABASE_ERRORS, database_unavailable
from gateway.settings import DeploymentMode, Settings

CITIZEN_PREFIX = "/citizen"
SESSION_COOKIE = "samtykke_citizen"
HOST_PREFIX = "__Host-"
CSRF_FIELD = "csrf_token"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SESSION_SCOPE_KEY = "citizen_session"
# Longer values are no id this gateway gave out; they are not even hashed.
MAX_SESSION_ID_LENGTH = 64

# Forms post to the gateway itself; a page whose form ends in a redirect to the
# bank names the bank's origin too (Chromium checks form-action on redirects).
_POLICY = (
    "default-src 'self'; form-action {form_action}; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
CONTENT_SECURITY_POLICY = _POLICY.format(form_action="'self'")
OTHER_SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
# Pages carry personal data: no cache keeps them. The stylesheet may be cached.
NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = CITIZEN_PREFIX + "/static/"


def policy_with_form_targets(origins: list[str]) -> str:
    """The pages' policy, with forms also allowed to end at these origins (the bank's)."""
    targets = " ".join(["'self'", *sorted({o for o in origins if o})])
    return _POLICY.format(form_action=targets)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def cookies_need_https(issuer_url: str) -> bool:
    parts = urlsplit(issuer_url)
    return not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)


@dataclass(frozen=True)
class CookiePolicy:
    name: str
    path: str
    secure: bool
    max_age: int

    @classmethod
    def of(cls, settings: Settings) -> CookiePolicy:
        secure = settings.mode is DeploymentMode.PRODUCTION or cookies_need_https(
            settings.issuer_url
        )
        if secure:
            # `__Host-` requires Secure, Path=/ and no Domain; browsers enforce all three.
            return cls(
                HOST_PREFIX + SESSION_COOKIE, "/", True, settings.citizen_session_lifetime_seconds
            )
        return cls(SESSION_COOKIE, CITIZEN_PREFIX, False, settings.citizen_session_lifetime_seconds)

    def set_cookie(self, value: str) -> str:
        secure = "; Secure" if self.secure else ""
        return (
            f"{self.name}={value}; Max-Age={self.max_age}; Path={self.path}; "
            f"HttpOnly; SameSite=Lax{secure}"
        )

    def clear_cookie(self) -> str:
        secure = "; Secure" if self.secure else ""
        return f"{self.name}=; Max-Age=0; Path={self.path}; HttpOnly; SameSite=Lax{secure}"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class CitizenSession:
    """One request's view of the session; `state` is what `request.session` shows."""

    id_hash: str | None = None  # the live row this request came with, if any
    state: dict[str, Any] = field(default_factory=dict)
    person: str | None = None
    logged_in_at: datetime | None = None
    idporten_sid: str | None = None
    had_cookie: bool = False
    rotate: bool = False  # a new id at the end of this request (login, logout)

    def log_in(self, person: str, idporten_sid: str | None, now: datetime) -> None:
        """A new session for the person: nothing from before it (a planted cookie) survives."""
        self.person = person
        self.idporten_sid = idporten_sid
        self.logged_in_at = now
        self.rotate = True

    def log_out(self) -> None:
        self.person = None
        self.idporten_sid = None
        self.logged_in_at = None
        self.rotate = True


def citizen_session(request: Request) -> CitizenSession:
    session: CitizenSession = request.scope[SESSION_SCOPE_KEY]
    return session


class CitizenSessions:
    """Loads the session of every /citizen request from the database and stores it back.

    The row is written before the answer's headers leave, so the browser's next
    request finds it whichever process it reaches.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cookie = CookiePolicy.of(settings)
        self.lifetime = timedelta(seconds=settings.citizen_session_lifetime_seconds)
        self.idle = timedelta(seconds=settings.citizen_session_idle_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Everything outside the pages passes straight through: no cookie parsed,
        # no database touched.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(CITIZEN_PREFIX) or path.startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        now = clock_of(state)()
        offered = HTTPConnection(scope).cookies.get(self.cookie.name)
        try:
            session = await run_in_threadpool(self._load, state.sessionmaker, offered, now)
        except DATABASE_ERRORS as error:
            await database_unavailable(Request(scope), error)(scope, receive, send)
            return
        scope[SESSION_SCOPE_KEY] = session
        scope["session"] = session.state
        replaced = False

        async def send_with_session(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the page's own answer, after the session could not be kept
            if message["type"] == "http.response.start":
                try:
                    cookie = await run_in_threadpool(
                        self._store, state.sessionmaker, session, clock_of(state)()
                    )
                except DATABASE_ERRORS as error:
                    # A login or logout that is not stored did not happen: say so instead.
                    replaced = True
                    await database_unavailable(Request(scope), error)(scope, receive, send)
                    return
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _load(self, sessionmaker: Any, offered: str | None, now: datetime) -> CitizenSession:
        if not offered or len(offered) > MAX_SESSION_ID_LENGTH:
            return CitizenSession(had_cookie=offered is not None)
        id_hash = _hash(offered)
        with sessionmaker() as db:
            row = repository.live(db, id_hash, now=now, lifetime=self.lifetime, idle=self.idle)
            loaded = (
                CitizenSession(had_cookie=True)
                if row is None
                else CitizenSession(
                    id_hash=id_hash,
                    state=dict(row.state),
                    person=row.person,
                    logged_in_at=row.logged_in_at,
                    idporten_sid=row.idporten_sid,
                    had_cookie=True,
                )
            )
            db.commit()  # an ended row was deleted on the way
            return loaded

    def _store(
        self,
        sessionmaker: Any,
        session: CitizenSession,
        now: datetime,
    ) -> str | None:
        """Write the session back; returns the Set-Cookie value to send, if any."""
        with sessionmaker() as db:
            if session.id_hash is not None and not session.rotate:
                # Every request renews the idle time; the absolute lifetime stays.
                still_there = repository.save(
                    db,
                    session.id_hash,
                    now=now,
                    state=session.state,
                    person=session.person,
                    logged_in_at=session.logged_in_at,
                    idporten_sid=session.idporten_sid,
                )
                db.commit()
                # Ended meanwhile (a logout in another tab or process): it stays ended.
                return None if still_there else self.cookie.clear_cookie()
            if session.id_hash is not None:
                repository.end(db, session.id_hash)
            cookie = None
            if session.state or session.person:
                new_id = secrets.token_urlsafe(32)
                repository.create(
                    db,
                    _hash(new_id),
                    now=now,
                    state=session.state,
                    person=session.person,
                    logged_in_at=session.logged_in_at,
                    idporten_sid=session.idporten_sid,
                )
                cookie = self.cookie.set_cookie(new_id)
            elif session.had_cookie:
                cookie = self.cookie.clear_cookie()
            db.commit()
            return cookie


_CONTENT_TYPE = b"content-type"
_CSP_NAME = b"content-security-policy"
_CSP = (_CSP_NAME, CONTENT_SECURITY_POLICY.encode())
# Set, replacing whatever the page set: the page's own policy stays (see below).
_REPLACED = frozenset(name for name, _ in OTHER_SECURITY_HEADERS)
_REPLACED_NO_STORE = _REPLACED | {NO_STORE[0]}


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == _CONTENT_TYPE:
            return value.startswith(b"text/html")
    return False


def _secured(headers: list[tuple[bytes, bytes]], *, no_store: bool) -> list[tuple[bytes, bytes]]:
    """The answer's headers with the security headers set; a page's own CSP is kept."""
    replaced = _REPLACED_NO_STORE if no_store else _REPLACED
    kept = []
    has_policy = False
    for name, value in headers:
        lowered = name.lower()
        if lowered in replaced:
            continue
        has_policy = has_policy or lowered == _CSP_NAME
        kept.append((name, value))
    if not has_policy:
        kept.append(_CSP)
    kept.extend(OTHER_SECURITY_HEADERS)
    if no_store:
        kept.append(NO_STORE)
    return kept


class SecurityHeaders:
    """The security headers on every HTML answer and on everything under /citizen.

    Wraps the whole application, so error answers (500s included) carry them too.
    A page that set its own Content-Security-Policy (naming a bank's origin) keeps it.
    Every answer passes through here: the headers are bytes made at import, and an
    answer outside /citizen costs one look at its content type.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        citizen = path.startswith(CITIZEN_PREFIX)
        no_store = citizen and not path.startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if citizen or _is_html(headers):
                    message["headers"] = _secured(headers, no_store=no_store)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(CitizenSessions, settings=settings)


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
