"""The push worker: takes due deliveries from the outbox and POSTs them to the banks.

Push delivery as RFC 8935 describes it: the Security Event Token is the body
(`application/secevent+jwt`); the bank answers 202 when it has the event,
or 400 with `{"err": ..., "description": ...}` when it never will (a
permanent failure: dead-lettered at once). Anything else (no answer, a
timeout, a 5xx, any other status) is retried after an exponential backoff
with jitter until the event has been waiting `push_dead_letter_seconds`;
then it is dead-lettered, the bank sees it among its failed deliveries and
may replay the feed from before it.

Each attempt is made outside any database transaction: a worker leases the
row, commits, sends, then records the outcome only if it still holds the
lease. A worker that dies mid-way leaves a lease that runs out, and the row
is taken again: at least once, never lost.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.orm import Session, sessionmaker

from consent.clients import repository as clients
from consent.consents.lifecycle import utc
from consent.consents.models import ConsentEvent
from consent.push import outbox
from consent.push.models import PushDelivery
from gateway.clock import Clock
from gateway.keys import KeyStore
from gateway.push.tokens import MEDIA_TYPE, security_event_token
from gateway.settings import Settings

log = structlog.get_logger(__name__)

BATCH = 50
# Attempts made at once: one slow bank does not hold up the others.
PARALLEL_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 900.0
DESCRIPTION_LENGTH = 200
REFUSAL_BODY_LIMIT = 4096


def backoff(attempts: int, draw: Callable[[], float]) -> timedelta:
    """The wait after the `attempts`-th failure: doubling from 2 s up to 15 min, the second
    half of it drawn at random so that many failed deliveries do not return in step."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + draw() * ceiling / 2)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    permanent: bool  # the receiver refused it for good (RFC 8935 error response)
    status: int | None
    error: str


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _head(response: httpx.Response) -> bytes:
    body = b""
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= REFUSAL_BODY_LIMIT:
            break
    return body[:REFUSAL_BODY_LIMIT]


def _refusal(body: bytes) -> str:
    """The receiver's RFC 8935 error as one line; never the body when it is not that shape."""
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("err"), str):
        description = parsed.get("description")
        err = parsed["err"]
        text = f"{err}: {description}" if isinstance(description, str) else err
        return f"refused (400) {text[:DESCRIPTION_LENGTH]}"
    return "refused (400) without an RFC 8935 error body"


class PushWorker:
    """Delivers what is due when `deliver_due` is called; several may run at once."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        keys: KeyStore,
        settings: Settings,
        *,
        clock: Clock,
        http: httpx.Client | None = None,
        draw: Callable[[], float] = random.random,
        worker_id: str | None = None,
    ) -> None:
        self._factory = factory
        self._keys = keys
        self._issuer = settings.issuer_url
        self._timeout = settings.push_timeout_seconds
        self._dead_letter_after = timedelta(seconds=settings.push_dead_letter_seconds)
        # A lease outlasts any attempt, so a row is only taken again from a worker that died.
        self.lease = timedelta(seconds=3 * settings.push_timeout_seconds + 30)
        self._clock = clock
        self._http = http or httpx.Client(timeout=settings.push_timeout_seconds)
        self._owns_http = http is None
        self._draw = draw
        self.worker_id = worker_id or f"push-{uuid.uuid4().hex[:12]}"
        self._pool = ThreadPoolExecutor(
            max_workers=PARALLEL_ATTEMPTS, thread_name_prefix="push-delivery"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._owns_http:
            self._http.close()

    def deliver_due(self) -> DeliveryReport:
        """Attempt every delivery that is due now, until none is left; returns the tally.

        A batch never holds two events of one consent (the later one waits until
        the earlier is no longer pending), so a batch is attempted all at once.
        """
        report = DeliveryReport()
        while True:
            claimed = self._claim()
            if not claimed:
                return report
            for outcome in self._pool.map(self._deliver, claimed):
                report.count(outcome)

    def _claim(self) -> list[PushDelivery]:
        with self._factory() as session:
            claimed = outbox.claim_due(
                session, worker=self.worker_id, now=self._clock(), lease=self.lease, limit=BATCH
            )
            session.commit()
            return list(claimed)

    def _prepare(self, delivery: PushDelivery) -> tuple[str, str] | str:
        """The URL and signed token of `delivery`, or why it cannot be sent at all."""
        with self._factory() as session:
            client = clients.get(session, delivery.client_id)
            endpoint = outbox.get_endpoint(session, delivery.client_id)
            event = session.get(ConsentEvent, delivery.feed_position)
            if client is None or not client.is_active:
                return "the client is disabled"
            if endpoint is None:
                return "the client has no push endpoint"
            if event is None:
                return "the event is not in the feed"
            token = security_event_token(
                self._keys,
                event,
                issuer=self._issuer,
                audience=delivery.client_id,
                issued_at=self._clock(),
            )
            return endpoint.url, token

    def _send(self, url: str, token: str) -> Outcome:
        try:
            with self._http.stream(
                "POST",
                url,
                content=token.encode("ascii"),
                headers={"Content-Type": MEDIA_TYPE, "Accept": "application/json"},
                timeout=self._timeout,
                follow_redirects=False,
            ) as response:
                status = response.status_code
                # Only a refusal's body is read, and only its start: a receiver cannot
                # make the worker hold a large answer.
                body = _head(response) if status == 400 else b""
        except httpx.HTTPError as error:
            return Outcome(False, False, None, f"no answer: {type(error).__name__}")
        if status == 202:
            return Outcome(True, False, 202, "")
        if status == 400:
            return Outcome(False, True, 400, _refusal(body))
        return Outcome(False, False, status, f"answered {status}")

    def _deliver(self, delivery: PushDelivery) -> str:
        """Attempt `delivery` and record the outcome: delivered, retried or failed."""
        prepared = self._prepare(delivery)
        if isinstance(prepared, str):
            outcome = Outcome(False, True, None, prepared)
        else:
            outcome = self._send(*prepared)
        now = self._clock()
        with self._factory() as session:
            if outcome.delivered:
                outbox.delivered(session, delivery.id, worker=self.worker_id)
                tally = "delivered"
            elif outcome.permanent or now - utc(delivery.created_at) >= self._dead_letter_after:
                outbox.dead_letter(
                    session,
                    delivery.id,
                    worker=self.worker_id,
                    now=now,
                    status=outcome.status,
                    error=outcome.error,
                )
                tally = "failed"
            else:
                outbox.retry_later(
                    session,
                    delivery.id,
                    worker=self.worker_id,
                    now=now,
                    at=now + backoff(delivery.attempts + 1, self._draw),
                    status=outcome.status,
                    error=outcome.error,
                )
                tally = "retried"
            session.commit()
        log.info(
            "push_attempt",
            client_id=delivery.client_id,
            event_id=delivery.event_id,
            attempt=delivery.attempts + 1,
            delivered=outcome.delivered,
            status=outcome.status,
            error=outcome.error or None,
        )
        return tally
