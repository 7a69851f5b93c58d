"""The Norwegian model end to end over real HTTP, with the bank's client library.

The bank asks for consent, the citizen logs in at ID-porten and accepts in
Chromium, the bank gets a DPoP-bound token for the consent and fetches every
product and the loan-application bundle. A bank receives exactly the
catalogue's fields, every read is audited, and a one-time consent is used up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from samtykke_client import SamtykkeClient, SamtykkeError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.catalogue import INNTEKT, LOSORE, SUMMERT_SKATTEGRUNNLAG
from consent.consents import repository
from tests.data_api_env import KARI, DataWorld, consent_request, data_world

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        yield world


def _accept_in_the_browser(page: Page, view_uri: str, person: str) -> None:
    page.goto(view_uri)
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    page.wait_for_url("**/bank/return**")


def _assert_minimal(answer: dict[str, Any], consent_id: str, product_id: str) -> None:
    assert set(answer) == {"consentId", "product", "source", "data"}
    assert answer["consentId"] == consent_id
    assert answer["product"] == product_id


def test_the_whole_flow_with_a_one_time_consent(
    world: DataWorld, page: Page, engine: Engine
) -> None:
    client: SamtykkeClient
    with world.client() as client:
        request = consent_request(
            KARI,
            world.bank.organisation_number,
            one_time=True,
            redirect_url=f"{world.gateway_url}/bank/return",
        )
        created = client.create_consent_request(request)
        _accept_in_the_browser(page, created["viewUri"], KARI)
        assert client.get_consent_request(created["id"])["status"] == "accepted"
        consent_id = created["id"]

        bundle = client.loan_application(consent_id, KARI)

        assert bundle["consentId"] == consent_id
        assert bundle["complete"] is True
        parts = bundle["parts"]
        assert set(parts) == {SUMMERT_SKATTEGRUNNLAG.id, INNTEKT.id, LOSORE.id}
        for product_id, part in parts.items():
            assert part["status"] == "ok"
            _assert_minimal(
                {k: v for k, v in part.items() if k != "status"}, consent_id, product_id
            )

        grunnlag = parts[SUMMERT_SKATTEGRUNNLAG.id]
        assert set(grunnlag["data"]) == set(SUMMERT_SKATTEGRUNNLAG.fields)
        assert grunnlag["data"]["inntektsaar"] == 2025
        assert grunnlag["data"]["personidentifikator"] == KARI  # the consent's subject
        assert grunnlag["source"]["registry"] == "Skatteetaten"
        assert grunnlag["source"]["skatteoppgjoersdato"]
        assert grunnlag["source"]["ajourholdstidspunkt"]

        inntekt = parts[INNTEKT.id]["data"]
        assert (inntekt["fraogmed"], inntekt["tilogmed"]) == ("2025-01", "2025-12")
        months = {oppgave["kalendermaaned"] for oppgave in inntekt["oppgaveInntektsmottaker"]}
        assert months == {f"2025-{m:02d}" for m in range(1, 13)}
        for oppgave in inntekt["oppgaveInntektsmottaker"]:
            assert set(oppgave) == set(INNTEKT.fields)
            assert "inntektsmottaker" not in oppgave  # it would carry the person's number

        losore = parts[LOSORE.id]
        assert set(losore["data"]) == set(LOSORE.fields)
        assert losore["source"]["registry"] == LOSORE.registry

        # The one-time consent is used up by the bundle: a second fetch is refused.
        with pytest.raises(SamtykkeError) as refused:
            client.summert_skattegrunnlag(consent_id, KARI)
        assert refused.value.code in {"used", "consent-used"}

    with Session(engine) as session:
        consent = repository.get(session, consent_id)
        assert consent is not None
        assert consent.status == "used"
    reads = [(e.event_type, e.outcome, e.data_product) for e in world.audit(consent_id)]
    for product_id in (SUMMERT_SKATTEGRUNNLAG.id, INNTEKT.id, LOSORE.id):
        assert any(o == "success" and p == product_id for _t, o, p in reads), reads
    assert any(o == "denied" for _t, o, _p in reads), reads
    for entry in world.audit(consent_id, outcome="success"):
        if entry.data_product:
            assert entry.subject == KARI
            assert entry.actor_id == world.bank.organisation_number
            assert entry.correlation_id


def test_every_product_one_by_one(world: DataWorld) -> None:
    consent_id = world.accepted_consent(KARI)
    with world.client() as client:
        grunnlag = client.summert_skattegrunnlag(consent_id, KARI)
        same_year = client.summert_skattegrunnlag(consent_id, KARI, inntektsaar="2025")
        months = client.inntekt(consent_id, KARI)
        fewer_months = client.inntekt(consent_id, KARI, fraogmed="2025-03", tilogmed="2025-05")
        liens = client.rettsstiftelser(consent_id, KARI)
    _assert_minimal(grunnlag, consent_id, SUMMERT_SKATTEGRUNNLAG.id)
    assert same_year["data"] == grunnlag["data"]
    assert set(grunnlag["data"]) <= set(SUMMERT_SKATTEGRUNNLAG.fields)
    _assert_minimal(months, consent_id, INNTEKT.id)
    assert len(months["data"]["oppgaveInntektsmottaker"]) == 12
    assert {o["kalendermaaned"] for o in fewer_months["data"]["oppgaveInntektsmottaker"]} == {
        "2025-03", "2025-04", "2025-05"
    }  # fmt: skip
    _assert_minimal(liens, consent_id, LOSORE.id)
    assert set(liens["data"]) == set(LOSORE.fields)
    successes = world.audit(consent_id, outcome="success")
    read_products = [e.data_product for e in successes if e.data_product]
    assert sorted(read_products) == sorted(
        [SUMMERT_SKATTEGRUNNLAG.id] * 2 + [INNTEKT.id] * 2 + [LOSORE.id]
    )
    assert all(e.details["metadata"] is not None for e in successes if e.data_product)
