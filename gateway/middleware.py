"""Request id and request log, as plain ASGI middleware so streaming responses pass through.

It wraps every request, so it does per request only what needs the request:
names are encoded once, the header list is scanned without building a dict,
and the metrics series of a route are looked up once per process.
"""

from __future__ import annotations

import os
import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_NAME = REQUEST_ID_HEADER.encode()
# A caller's request id is echoed only when it is harmless: short and plain.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

log = structlog.get_logger("gateway.request")


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's request id if it is harmless, else a new one (the last header counts)."""
    offered = b""
    for name, value in headers:
        if name == _REQUEST_ID_NAME:
            offered = value
    if offered:
        text = offered.decode("latin-1")
        if _SAFE_REQUEST_ID.match(text):
            return text
    return _new_request_id()


def _new_request_id() -> str:
    """A random (version 4) UUID as text, without building a `uuid.UUID` on every request."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _request_id(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        request_id_header = (_REQUEST_ID_NAME, request_id.encode())

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list: the response's own header list may be reused.
                message["headers"] = [*message.get("headers", ()), request_id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            seconds = time.perf_counter() - started
            # The route template, never the raw path: paths may carry identifiers.
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics = getattr(getattr(scope.get("app"), "state", None), "metrics", None)
            if metrics is not None:
                metrics.observe_request(scope["method"], route, status, seconds)
            log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()
