"""The middleware around every request does nothing for answers it has no business with.

Outside /citizen the session middleware neither reads a cookie nor reaches
for the database, and the security headers touch only HTML answers; under
/citizen both do their work (which shows these fakes would notice).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.citizen.web_security import (
    CONTENT_SECURITY_POLICY,
    SESSION_SCOPE_KEY,
    CitizenSessions,
    SecurityHeaders,
)
from gateway.settings import Settings


class UntouchableState:
    """An app state whose every attribute (the sessionmaker, the clock) fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"app.state.{name} was used")


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [(b"cookie", b"samtykke_citizen=abc")],
        "app": SimpleNamespace(state=UntouchableState()),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _answer(headers: list[tuple[bytes, bytes]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    return app


def _run(app: Any, path: str) -> tuple[dict[str, Any], dict[bytes, bytes]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = _scope(path)
    asyncio.run(app(scope, _receive, send))
    return scope, dict(sent[0]["headers"])


@pytest.mark.parametrize("path", ["/oauth/token", "/healthz", "/citizen/static/site.css"])
def test_sessions_pass_other_paths_through_untouched(settings: Settings, path: str) -> None:
    scope, _ = _run(CitizenSessions(_answer([]), settings=settings), path)
    assert SESSION_SCOPE_KEY not in scope
    assert "session" not in scope


def test_sessions_do_their_work_under_citizen(settings: Settings) -> None:
    with pytest.raises(AssertionError, match=r"app\.state"):
        _run(CitizenSessions(_answer([]), settings=settings), "/citizen/consents")


def test_security_headers_leave_api_answers_alone() -> None:
    json_headers = [(b"content-type", b"application/json"), (b"cache-control", b"max-age=5")]
    _, headers = _run(SecurityHeaders(_answer(json_headers)), "/oauth/token")
    assert headers == dict(json_headers)


def test_security_headers_on_html_keep_a_page_policy() -> None:
    own = b"default-src 'self'; form-action 'self' https://bank.example"
    answer = _answer([(b"content-type", b"text/html"), (b"content-security-policy", own)])
    _, headers = _run(SecurityHeaders(answer), "/docs")
    assert headers[b"content-security-policy"] == own
    assert headers[b"x-frame-options"] == b"DENY"
    assert b"cache-control" not in headers


def test_citizen_answers_get_every_header_and_no_store() -> None:
    answer = _answer([(b"content-type", b"application/json"), (b"cache-control", b"max-age=5")])
    _, headers = _run(SecurityHeaders(answer), "/citizen/consents")
    assert headers[b"content-security-policy"] == CONTENT_SECURITY_POLICY.encode()
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"referrer-policy"] == b"no-referrer"
    assert headers[b"cache-control"] == b"no-store"
