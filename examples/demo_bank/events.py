"""Consent events the gateway pushes to the bank: a revocation stops the application at once.

The gateway POSTs each event of the bank's consents to `/samtykke/events`
as a signed Security Event Token; `samtykke_client` verifies it. The bank
then knows of a revocation before its next fetch, and drops what it fetched.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from samtykke_client import (
    InMemorySeenEvents,
    PushedConsentEvent,
    PushedEventError,
    PushedEventVerifier,
    ReplayedEventError,
    TransportError,
)
from starlette.concurrency import run_in_threadpool

from examples.demo_bank.applications import Applications
from examples.demo_bank.settings import BankSettings

EVENTS_PATH = "/samtykke/events"
# After these the consent may not be used, and what was fetched under it is not kept.
ENDED = frozenset({"revoked", "expired", "used", "deleted"})

router = APIRouter()


class EventDesk:
    """Verifies pushed events and applies them to the bank's applications."""

    def __init__(self, settings: BankSettings, applications: Applications) -> None:
        self.settings = settings
        self.applications = applications
        self._verifier: PushedEventVerifier | None = None
        self._lock = threading.Lock()

    def verifier(self) -> PushedEventVerifier:
        with self._lock:
            if self._verifier is None:
                if not self.settings.client_id:
                    raise TransportError("the bank is not registered yet")
                self._verifier = PushedEventVerifier(
                    self.settings.gateway_url,
                    client_id=self.settings.client_id,
                    seen=InMemorySeenEvents(),
                )
            return self._verifier

    def close(self) -> None:
        if self._verifier is not None:
            self._verifier.close()

    def receive(self, body: bytes, content_type: str | None) -> PushedConsentEvent:
        event = self.verifier().verify(body, content_type=content_type)
        self.apply(event)
        return event

    def apply(self, event: PushedConsentEvent) -> None:
        application = self.applications.get(event.consent_request_id)
        if application is None:
            return  # an application of another process or an earlier run
        application.status = event.event_type
        if event.event_type in ENDED:
            application.bundle = None
            application.refusal = event.event_type


@router.post(EVENTS_PATH, status_code=202)
async def consent_event(request: Request) -> Response:
    desk: EventDesk = request.app.state.events
    body = await request.body()
    try:
        await run_in_threadpool(desk.receive, body, request.headers.get("content-type"))
    except ReplayedEventError:
        return Response(status_code=202)  # received before
    except PushedEventError as error:
        return JSONResponse(error.response_body(), status_code=400)
    except TransportError:
        return Response(status_code=503)  # the gateway tries again later
    return Response(status_code=202)
