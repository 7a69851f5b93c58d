"""Fault injection: make a registry slow, failing, hanging, garbled or cut off.

A fault is written as comma-separated parts, e.g. ``latency=1500``,
``status=503``, ``timeout``, ``malformed``, ``drop`` or
``latency=200,status=500``. It applies to every answer when set in the
settings (``SAMTYKKE_MOCKS_FAULT``), or to one request through the
``X-Mock-Fault`` header, which only test mode honours.

- ``latency=MS`` waits before answering (combines with the others).
- ``status=CODE`` answers CODE with the registry's own error body.
- ``timeout`` holds the request until the client gives up (bounded by
  ``hang_limit_seconds``, then 504).
- ``malformed`` answers 200 with a truncated JSON body.
- ``drop`` starts a 200 answer and closes the connection halfway.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAULT_HEADER = "X-Mock-Fault"

ErrorBody = Callable[[str, int], dict[str, Any]]
"""Given the request path and a status, the registry's own error body."""


class DroppedConnection(Exception):  # noqa: N818  (an event, not an error of ours)
    """Raised after a partial answer, so the server closes the connection."""


@dataclass(frozen=True)
class Fault:
    latency_ms: int = 0
    status: int | None = None
    timeout: bool = False
    malformed: bool = False
    drop: bool = False


def parse_fault(spec: str) -> Fault | None:
    """Parse a fault spec; None when empty; ValueError when it cannot be understood."""
    latency, status = 0, None
    flags: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, _, value = part.partition("=")
        if name == "latency" and value.isdigit():
            latency = int(value)
        elif name == "status" and value.isdigit() and 400 <= int(value) <= 599:
            status = int(value)
        elif name in ("timeout", "malformed", "drop") and not value:
            flags.add(name)
        else:
            raise ValueError(f"unknown fault {part!r}")
    if not latency and status is None and not flags:
        return None
    return Fault(latency, status, "timeout" in flags, "malformed" in flags, "drop" in flags)


class FaultInjectionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        error_body: ErrorBody,
        default: str = "",
        honour_header: bool = False,
        hang_limit_seconds: float = 30.0,
        exempt_prefixes: tuple[str, ...] = ("/healthz", "/openapi.json", "/docs"),
    ) -> None:
        self.app = app
        self.error_body = error_body
        self.default = parse_fault(default)
        self.honour_header = honour_header
        self.hang_limit_seconds = hang_limit_seconds
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        fault = self.default
        if self.honour_header:
            header = dict(scope["headers"]).get(FAULT_HEADER.lower().encode())
            if header is not None:
                try:
                    fault = parse_fault(header.decode("latin-1"))
                except ValueError as error:
                    await _send_json(send, 400, {"error": str(error)})
                    return
        if fault is None:
            await self.app(scope, receive, send)
            return
        await self._inject(fault, path, scope, receive, send)

    async def _inject(
        self, fault: Fault, path: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if fault.latency_ms:
            left, receive = await _wait_for_disconnect(receive, fault.latency_ms / 1000)
            if left:
                return  # nobody to answer; do not keep the server busy
        if fault.timeout:
            left, receive = await _wait_for_disconnect(receive, self.hang_limit_seconds)
            if not left:
                await _send_json(send, 504, self.error_body(path, 504))
            return
        if fault.drop:
            await send(
                {"type": "http.response.start", "status": 200, "headers": _json_headers(1000)}
            )
            await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
            raise DroppedConnection("connection dropped on purpose")
        if fault.status is not None:
            await _send_json(send, fault.status, self.error_body(path, fault.status))
            return
        if fault.malformed:
            body = b'{"personidentifikator": "'
            await send(
                {"type": "http.response.start", "status": 200, "headers": _json_headers(len(body))}
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


async def _wait_for_disconnect(receive: Receive, seconds: float) -> tuple[bool, Receive]:
    """Wait up to `seconds` for the client to leave. Returns whether it left, and a
    `receive` that replays the request messages read meanwhile, for the app."""
    buffered: list[Message] = []

    async def disconnected() -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                return
            buffered.append(message)

    try:
        await asyncio.wait_for(disconnected(), timeout=seconds)
    except TimeoutError:
        left = False
    else:
        left = True

    async def replay() -> Message:
        if buffered:
            return buffered.pop(0)
        return await receive()

    return left, replay


def _json_headers(length: int) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(length).encode())]


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    encoded = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {"type": "http.response.start", "status": status, "headers": _json_headers(len(encoded))}
    )
    await send({"type": "http.response.body", "body": encoded})
