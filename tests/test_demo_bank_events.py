"""The demo bank receives pushed consent events: a revocation stops the application at once.

The gateway's worker pushes over real HTTP to the demo bank, which verifies
each token with `samtykke_client` against the gateway's published keys.
After a revocation the bank's page says so without asking the gateway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from consent.consents import lifecycle, repository
from examples.demo_bank.app import create_app as create_bank_app
from examples.demo_bank.applications import Application
from examples.demo_bank.events import EVENTS_PATH
from examples.demo_bank.products import Choice
from examples.demo_bank.service import LoanDesk
from examples.demo_bank.settings import BankSettings
from gateway.app import create_app
from gateway.settings import Settings
from tests.banks import register_bank
from tests.consent_factories import PERSON, new_consent
from tests.push_env import Clock, push_settings, session_factory, subscribe, worker
from tests.servers import bound_socket, running_server

DEMO_BANK = "910000004"  # the demo bank's organisation (BankSettings' default)


@pytest.fixture
def settings(fresh_database_url: str, tmp_path: Path) -> Iterator[Settings]:
    with running_server(create_app(push_settings(fresh_database_url, tmp_path / "k"))) as url:
        # The bank's verifier expects the gateway's own URL as the issuer.
        yield push_settings(fresh_database_url, tmp_path / "k", issuer_url=url)


@pytest.fixture
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    yield from session_factory(settings.database_url)


def test_a_revocation_reaches_the_bank_page_without_a_fetch(
    settings: Settings, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock(datetime.now(UTC))  # the bank checks the token's iat on its own clock
    with factory() as session:
        bank = register_bank(session, DEMO_BANK)
    bank_settings = BankSettings(
        gateway_url=settings.issuer_url,
        state_dir=tmp_path / "bank",
        client_id=bank.client_id,
    )
    bank_app = create_bank_app(bank_settings)
    desk: LoanDesk = bank_app.state.desk
    consent_id = str(uuid.uuid4())
    application = Application(
        id=consent_id,
        person=PERSON,
        loan_amount=3_000_000,
        choice=Choice(inntektsaar=2025, months=None, losore=False),
        view_uri="http://gateway.invalid/view",
        bundle={"complete": True, "parts": {}},  # as if fetched before the revocation
    )
    desk.applications.add(application)

    with running_server(bank_app, sock=bound_socket()) as bank_url:
        subscribe(factory, bank, bank_url + EVENTS_PATH, clock)
        with factory() as session:
            consent = new_consent(session, now=clock(), bank=DEMO_BANK, consent_id=consent_id)
            lifecycle.accept(session, consent, person=PERSON, now=clock())
            session.commit()
        push = worker(factory, settings, clock)
        assert push.deliver_due().delivered == 2
        assert application.status == "accepted"

        with factory() as session:
            consent = repository.get_for_update(session, consent_id)
            assert consent is not None
            lifecycle.revoke(session, consent, person=PERSON, now=clock())
            session.commit()
        assert push.deliver_due().delivered == 1

        assert (application.status, application.refusal, application.bundle) == (
            "revoked",
            "revoked",
            None,
        )
        page = httpx.get(f"{bank_url}/applications/{consent_id}")
        assert page.status_code == 200
        assert 'data-outcome="revoked"' in page.text

        forged = httpx.post(
            bank_url + EVENTS_PATH,
            content=b"not.a.token",
            headers={"Content-Type": "application/secevent+jwt"},
        )
        assert forged.status_code == 400
        assert forged.json()["err"] == "invalid_request"
