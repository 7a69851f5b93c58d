"""Consent events pushed to the bank as signed Security Event Tokens, from a durable outbox.

Every test runs on SQLite and PostgreSQL, against a real receiver over
HTTP that verifies the tokens with `samtykke_client`, the way a bank does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from consent.consents.lifecycle import utc
from consent.push import outbox
from consent.push.models import PushDelivery
from gateway.app import create_app
from gateway.push.tokens import EVENT_TYPE
from gateway.settings import Settings
from tests.banks import Bank, register_bank
from tests.consent_factories import BANK, PERSON, new_consent
from tests.push_env import (
    DEAD_LETTER_SECONDS,
    Clock,
    Receiver,
    consent_through,
    feed_of,
    push_settings,
    session_factory,
    subscribe,
    verifier_for,
    worker,
)
from tests.servers import bound_socket, running_server


@pytest.fixture
def settings(fresh_database_url: str, tmp_path: Path) -> Settings:
    return push_settings(fresh_database_url, tmp_path / "keys")


@pytest.fixture
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    yield from session_factory(settings.database_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bank(factory: sessionmaker[Session]) -> Bank:
    with factory() as session:
        return register_bank(session, BANK)


@pytest.fixture
def gateway_url(settings: Settings) -> Iterator[str]:
    """The gateway itself, serving the keys the receiver verifies with."""
    with running_server(create_app(settings)) as url:
        yield url


@pytest.fixture
def receiver(gateway_url: str, bank: Bank, settings: Settings, clock: Clock) -> Receiver:
    return Receiver(verifier_for(gateway_url, bank, settings, clock))


@pytest.fixture
def receiver_url(
    receiver: Receiver, factory: sessionmaker[Session], bank: Bank, clock: Clock
) -> Iterator[str]:
    with running_server(receiver.app()) as url:
        subscribe(factory, bank, url + "/events", clock)
        yield url + "/events"


def _deliveries(factory: sessionmaker[Session]) -> list[PushDelivery]:
    with factory() as session:
        return list(session.scalars(select(PushDelivery).order_by(PushDelivery.id)))


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(jws.extract_compact(token.encode()).payload)
    return claims


def test_each_event_arrives_signed_with_the_feed_event_id(
    receiver_url: str,
    *,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Bank,
    clock: Clock,
) -> None:
    consent_id = consent_through(factory, clock, "accept", "revoke")

    report = worker(factory, settings, clock).deliver_due()

    assert (report.delivered, report.retried, report.failed) == (3, 0, 0)
    feed = feed_of(factory, consent_id)
    assert [e.event_id for e in receiver.events] == [e.event_id for e in feed]
    assert receiver.order_of(consent_id) == ["created", "accepted", "revoked"]
    assert {e.performed_by for e in receiver.events} == {"bank", "citizen"}
    assert receiver.events[-1].to == f"urn:altinn:organization:identifier-no:{BANK}"
    token = receiver.bodies[-1]
    header = jws.extract_compact(token.encode()).protected
    assert header["typ"] == "secevent+jwt"
    claims = _claims(token)
    assert claims["iss"] == settings.issuer_url
    assert claims["aud"] == bank.client_id
    assert claims["jti"] == feed[-1].event_id
    assert claims["events"][EVENT_TYPE]["eventType"] == "revoked"
    # The feed does not name the person to the bank; neither does the push.
    assert not any(PERSON in body for body in receiver.bodies)
    assert _deliveries(factory) == []  # a delivered event leaves the outbox
    assert worker(factory, settings, clock).deliver_due().attempted == 0


def test_an_event_is_queued_in_the_transaction_that_makes_it(
    receiver_url: str, factory: sessionmaker[Session], clock: Clock
) -> None:
    with factory() as session:
        new_consent(session, now=clock())
        assert len(session.scalars(select(PushDelivery)).all()) == 1
        session.rollback()
    assert _deliveries(factory) == []


def test_a_receiver_that_is_down_gets_everything_in_order_once_it_is_back(
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Bank,
    clock: Clock,
) -> None:
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: connections are refused
    subscribe(factory, bank, f"http://127.0.0.1:{port}/events", clock)
    first = consent_through(factory, clock, "accept", "revoke")
    second = consent_through(factory, clock, "reject")
    push = worker(factory, settings, clock)

    down = push.deliver_due()
    # Only the first event of each consent is tried: the later ones wait behind it.
    assert (down.delivered, down.retried, down.failed) == (0, 2, 0)
    clock.advance(1)
    assert push.deliver_due().attempted == 0  # not due again yet

    with running_server(receiver.app(), sock=bound_socket(port=port)):
        clock.advance(2)
        back = push.deliver_due()

    assert (back.delivered, back.retried, back.failed) == (5, 0, 0)
    assert receiver.order_of(first) == ["created", "accepted", "revoked"]
    assert receiver.order_of(second) == ["created", "rejected"]
    assert receiver.replays == 0
    assert _deliveries(factory) == []


def test_a_failing_receiver_is_retried_then_dead_lettered_and_the_bank_replays(
    receiver_url: str,
    *,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Bank,
    clock: Clock,
) -> None:
    receiver.answer = 500
    consent_id = consent_through(factory, clock, "accept")
    push = worker(factory, settings, clock)

    assert push.deliver_due().retried == 1
    waits = []
    for _ in range(3):
        (delivery,) = [d for d in _deliveries(factory) if d.attempts]
        assert delivery.last_attempt_at is not None
        waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        clock.now = utc(delivery.next_attempt_at)
        assert push.deliver_due().retried == 1
    assert waits == [2.0, 4.0, 8.0]  # doubling (the jitter drawn at its longest)

    clock.advance(DEAD_LETTER_SECONDS)
    given_up = push.deliver_due()
    # Both events have waited too long: the head after its fifth attempt, then the
    # event behind it after its first.
    assert (given_up.failed, given_up.retried) == (2, 0)
    assert len(receiver.bodies) == 6

    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app, raise_server_exceptions=False) as api:
        failures = api.get(
            "/consent/v1/consentrequest-events/push-failures", headers=bank.headers(app)
        )
        assert failures.status_code == 200, failures.text
        created, accepted = failures.json()["failedDeliveries"]
        feed = feed_of(factory, consent_id)
        assert [created["consentEventID"], accepted["consentEventID"]] == [
            event.event_id for event in feed
        ]
        assert (created["attempts"], created["lastStatus"]) == (5, 500)
        assert (accepted["attempts"], accepted["lastError"]) == (1, "answered 500")

        receiver.answer = 202
        replayed = api.post(
            "/consent/v1/consentrequest-events/push-replay",
            json={"continuationToken": created["replayFrom"]},
            headers=bank.headers(app),
        )
        assert replayed.status_code == 200, replayed.text
        assert (replayed.json()["queued"], replayed.json()["complete"]) == (2, True)
        assert push.deliver_due().delivered == 2
        assert receiver.order_of(consent_id) == ["created", "accepted"]
        after = api.get(
            "/consent/v1/consentrequest-events/push-failures", headers=bank.headers(app)
        )
        assert after.json()["failedDeliveries"] == []

        again = api.post(
            "/consent/v1/consentrequest-events/push-replay",
            json={"continuationToken": "not-a-token"},
            headers=bank.headers(app),
        )
        assert again.status_code == 400
        assert again.json()["code"] == "invalid-continuation-token"


def test_a_refusal_is_final_at_once(
    receiver_url: str,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
) -> None:
    receiver.verifier.client_id = "another-client"  # the receiver now refuses our audience
    consent_through(factory, clock)

    report = worker(factory, settings, clock).deliver_due()

    assert (report.failed, report.retried) == (1, 0)
    (failed,) = _deliveries(factory)
    assert failed.status == "failed"
    assert failed.last_status == 400
    assert failed.last_error is not None
    assert "invalid_audience" in failed.last_error


def test_an_event_committed_before_the_worker_died_is_delivered_by_another(
    receiver_url: str,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
) -> None:
    consent_id = consent_through(factory, clock)
    # A worker takes the row and dies before sending it.
    with factory() as session:
        taken = outbox.claim_due(
            session,
            worker="dies",
            now=clock(),
            lease=worker(factory, settings, clock).lease,
            limit=10,
        )
        assert len(taken) == 1
        session.commit()

    # A fresh process: its own engine, its own worker.
    for fresh_factory in session_factory(settings.database_url):
        survivor = worker(fresh_factory, settings, clock, name="survivor")
        assert survivor.deliver_due().attempted == 0  # the dead worker's lease still holds
        clock.advance(3 * settings.push_timeout_seconds + 30)
        assert survivor.deliver_due().delivered == 1
    assert receiver.order_of(consent_id) == ["created"]


def test_two_workers_never_take_the_same_row(
    receiver_url: str, factory: sessionmaker[Session], settings: Settings, clock: Clock
) -> None:
    consent_through(factory, clock)
    consent_through(factory, clock)
    lease = worker(factory, settings, clock).lease
    with factory() as first, factory() as second:
        mine = outbox.claim_due(first, worker="one", now=clock(), lease=lease, limit=1)
        first.commit()
        theirs = outbox.claim_due(second, worker="two", now=clock(), lease=lease, limit=10)
        second.commit()
    assert len(mine) == 1
    assert len(theirs) == 1
    assert mine[0].id != theirs[0].id


def test_a_forged_or_replayed_event_is_refused(
    receiver_url: str,
    receiver: Receiver,
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
) -> None:
    consent_through(factory, clock)
    worker(factory, settings, clock).deliver_due()
    (genuine,) = receiver.bodies
    headers = {"Content-Type": "application/secevent+jwt"}

    again = httpx.post(receiver_url, content=genuine, headers=headers)
    assert again.status_code == 202
    assert receiver.replays == 1
    assert len(receiver.events) == 1

    protected, _, signature = genuine.split(".")
    claims = _claims(genuine)
    claims["jti"] = "another-event"
    raw = json.dumps(claims, separators=(",", ":")).encode()
    altered_payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    altered = f"{protected}.{altered_payload}.{signature}"
    forged = httpx.post(receiver_url, content=altered, headers=headers)
    assert forged.status_code == 400
    assert forged.json()["err"] == "invalid_key"

    wrong_type = httpx.post(receiver_url, content=genuine, headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["err"] == "invalid_request"
    assert len(receiver.events) == 1


def _overdue(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("samtykke_push_overdue_seconds "):
            return float(line.split()[1])
    raise AssertionError("samtykke_push_overdue_seconds is not in /metrics")


def test_metrics_report_how_long_the_most_overdue_event_has_waited(
    settings: Settings, factory: sessionmaker[Session], bank: Bank, clock: Clock
) -> None:
    # No worker runs (push_worker_in_gateway is off): the events stay owed.
    with TestClient(create_app(settings)) as client:
        assert _overdue(client) == 0.0
        subscribe(factory, bank, "http://127.0.0.1:9/events", clock)
        clock.now = datetime.now(UTC) - timedelta(hours=1)
        consent_through(factory, clock, "accept")
        assert 3600 <= _overdue(client) < 7200
        with factory() as session:
            session.execute(delete(PushDelivery))  # as if delivered
            session.commit()
        assert _overdue(client) == 0.0
