"""A gateway database with a bank that receives pushed consent events, for the push tests.

The receiver is a real HTTP server built the way a bank would build it: it
verifies each token with `samtykke_client` and answers 202, or 400 with the
RFC 8935 error. Time is a clock the test moves; the worker runs when the
test calls `deliver_due`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from samtykke_client import (
    InMemorySeenEvents,
    PushedConsentEvent,
    PushedEventError,
    PushedEventVerifier,
    ReplayedEventError,
)
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consent.consents import lifecycle, repository
from consent.consents.models import ConsentEvent
from consent.storage.database import create_database_engine, create_session_factory
from gateway.keys import KeyStore
from gateway.push import service
from gateway.push.delivery import PushWorker
from gateway.settings import DeploymentMode, Settings
from tests.banks import Bank
from tests.consent_factories import NOW, PERSON, new_consent

DEAD_LETTER_SECONDS = 3600


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def epoch(self) -> float:
        return self.now.timestamp()


def push_settings(database_url: str, key_dir: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "mode": DeploymentMode.TEST,
        "database_url": database_url,
        "issuer_url": "http://testserver",
        "key_dir": key_dir,
        "push_worker_in_gateway": False,
        "push_dead_letter_seconds": DEAD_LETTER_SECONDS,
    }
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


def session_factory(url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_database_engine(url, pool_size=4)
    try:
        yield create_session_factory(engine)
    finally:
        engine.dispose()


def worker(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, name: str | None = None
) -> PushWorker:
    # draw=1.0: the longest wait the jitter allows, so a test knows when a retry is due.
    return PushWorker(
        factory, KeyStore(settings.key_dir), settings, clock=clock, draw=lambda: 1.0, worker_id=name
    )


def subscribe(factory: sessionmaker[Session], bank: Bank, url: str, clock: Clock) -> None:
    with factory() as session:
        service.set_endpoint(
            session, bank.client_id, url, set_by="test", allow_loopback_http=True, now=clock()
        )
        session.commit()


def consent_through(factory: sessionmaker[Session], clock: Clock, *steps: str) -> str:
    """A new consent taken through `steps` (accept, reject, revoke), each its own transaction."""
    with factory() as session:
        consent_id = new_consent(session, now=clock()).id
        session.commit()
    for step in steps:
        with factory() as session:
            consent = repository.get_for_update(session, consent_id)
            assert consent is not None
            getattr(lifecycle, step)(session, consent, person=PERSON, now=clock())
            session.commit()
    return consent_id


def feed_of(factory: sessionmaker[Session], consent_id: str) -> list[ConsentEvent]:
    with factory() as session:
        return list(repository.events_of(session, consent_id))


@dataclass
class Receiver:
    """The bank's push endpoint. `answer` other than 202 is given without looking at the body."""

    verifier: PushedEventVerifier
    answer: int = 202
    bodies: list[str] = field(default_factory=list)
    events: list[PushedConsentEvent] = field(default_factory=list)
    replays: int = 0

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            body = await request.body()
            self.bodies.append(body.decode())
            if self.answer != 202:
                return Response(status_code=self.answer)
            try:
                event = self.verifier.verify(body, content_type=request.headers.get("content-type"))
            except ReplayedEventError:
                self.replays += 1
                return Response(status_code=202)
            except PushedEventError as error:
                return JSONResponse(error.response_body(), status_code=400)
            self.events.append(event)
            return Response(status_code=202)

        return Starlette(routes=[Route("/events", receive, methods=["POST"])])

    def order_of(self, consent_id: str) -> list[str]:
        return [e.event_type for e in self.events if e.consent_request_id == consent_id]


def verifier_for(
    gateway_url: str, bank: Bank, settings: Settings, clock: Clock
) -> PushedEventVerifier:
    return PushedEventVerifier(
        gateway_url,
        client_id=bank.client_id,
        seen=InMemorySeenEvents(),
        issuer=settings.issuer_url,
        clock=clock.epoch,
    )
