"""The citizen's pages in Chromium: log in, answer, see, revoke, download; with screenshots.

Screenshots of every page land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import KeySet
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.audit import log as audit_log
from consent.audit.events import ActorType, AuditEvent, event_type
from tests.browser import PHONE, SCREENSHOTS, launched_chromium
from tests.citizen_env import PURPOSE_WITH_MARKUP, CitizenWorld, citizen_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys") as world:
        yield world


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=PHONE, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(page: Page, database_backend: str, request: pytest.FixtureRequest) -> object:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = request.node.originalname.removeprefix("test_")

    def screenshot(step: str) -> None:
        page.screenshot(
            path=SCREENSHOTS / f"{test_name}-{step}-{database_backend}.png", full_page=True
        )

    return screenshot


def log_in(page: Page, url: str, person: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()


def test_accept_see_revoke_and_download(
    world: CitizenWorld, page: Page, shoot: object, tmp_path: Path
) -> None:
    assert callable(shoot)
    request = world.create_request()
    log_in(page, request["viewUri"], world.person)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fjordbanken <ASA> & Co ber om samtykke"
    )
    expect(page.get_by_text("Inntektsår 2025")).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    shoot("consent-page")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fjordbanken <ASA> & Co asks for your consent"
    )
    shoot("consent-page-english")
    page.get_by_role("link", name="Norsk").click()

    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")
    shoot("back-at-the-bank")

    page.goto(f"{world.gateway_url}/citizen/consents")
    expect(page.get_by_role("heading", name="Aktive samtykker")).to_be_visible()
    card = page.get_by_role("article").filter(has_text="aktivt")
    expect(card).to_contain_text("Fjordbanken <ASA> & Co")
    card.locator("summary", has_text="Historikk").click()
    expect(card.get_by_role("cell", name="samtykke gitt")).to_be_visible()
    shoot("my-consents")

    with page.expect_download() as download_info:
        card.get_by_role("link", name="Last ned kvittering").click()
    receipt = tmp_path / "receipt.jws"
    download_info.value.save_as(receipt)
    assert receipt.read_text().count(".") == 2  # a compact JWS: header.payload.signature

    expect(card).to_contain_text("kan Fjordbanken <ASA> & Co ikke hente flere opplysninger")
    card.get_by_role("link", name="Trekk tilbake samtykket").click()
    page.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.get_by_role("status")).to_contain_text("er trukket tilbake")
    expect(page.get_by_text("Du har ingen aktive samtykker.")).to_be_visible()
    shoot("after-revoke")
    assert world.bank_view(request["id"])["status"] == "revoked"


def test_refuse_with_the_keyboard(world: CitizenWorld, page: Page, shoot: object) -> None:
    assert callable(shoot)
    request = world.create_request(one_time=True)
    log_in(page, request["viewUri"], world.person)
    expect(page.get_by_text("Banken kan hente opplysningene én gang.")).to_be_visible()
    page.get_by_role("button", name="Nei, jeg samtykker ikke").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#outcome")).to_have_text("rejected")
    page.goto(request["viewUri"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Forespørselen er allerede besvart")
    shoot("already-answered")
    assert world.bank_view(request["id"])["status"] == "rejected"


def test_a_second_person_cannot_answer(world: CitizenWorld, page: Page, shoot: object) -> None:
    assert callable(shoot)
    request = world.create_request()
    log_in(page, request["viewUri"], world.other_person)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Denne forespørselen gjelder ikke deg"
    )
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_have_count(0)
    shoot("not-yours")
    assert world.bank_view(request["id"])["status"] == "created"


def test_an_expired_request(world: CitizenWorld, page: Page, shoot: object) -> None:
    assert callable(shoot)
    request = world.create_request()
    world.now[0] += timedelta(days=2)
    log_in(page, request["viewUri"], world.person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Forespørselen er utløpt")
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_have_count(0)
    shoot("expired")
    assert world.bank_view(request["id"])["status"] == "expired"


NORWEGIAN_TIME = re.compile(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d CES?T$")


def _token_issued(engine: Engine, world: CitizenWorld, consent_id: str) -> None:
    """The bank's access token under the consent, as the token endpoint records it."""
    with Session(engine) as session:
        audit_log.append(
            session,
            AuditEvent(
                event_type=event_type("token", "consent", "issued"),
                actor_type=ActorType.BANK,
                actor_id=world.bank.organisation_number,
                subject=world.person,
                consent_id=consent_id,
                occurred_at=world.now[0] + timedelta(minutes=1),  # the gateway's held clock
            ),
        )
        session.commit()


def test_my_consents_keeps_requests_apart_tells_the_whole_history_and_asks_before_revoking(
    world: CitizenWorld, page: Page, shoot: object, engine: Engine
) -> None:
    assert callable(shoot)
    abandoned = world.create_request()
    request = world.create_request()
    log_in(page, request["viewUri"], world.person)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")
    _token_issued(engine, world, request["id"])

    page.goto(f"{world.gateway_url}/citizen/consents")
    expect(page.locator("#logged-in-as")).to_have_text(
        f"Logget inn med fødselsnummer {world.person[:6]} *****"
    )
    waiting = page.get_by_role("region", name="Forespørsler som venter på svar")
    active = page.get_by_role("region", name="Aktive samtykker")
    expect(waiting.get_by_role("article")).to_have_count(1)
    expect(waiting.locator(f"#consent-{abandoned['id']}")).to_have_count(1)
    expect(waiting).to_contain_text("Svar innen")
    expect(active.get_by_role("article")).to_have_count(1)
    expect(active.locator(f"#consent-{request['id']}")).to_have_count(1)

    card = active.get_by_role("article")
    card.locator("summary", has_text="Historikk").click()
    rows = card.locator("details tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("forespørsel sendt")
    expect(rows.nth(1)).to_contain_text("samtykke gitt")
    expect(rows.nth(2)).to_contain_text("banken fikk tilgang til å hente")
    for cell in card.locator("details tbody td").all():
        expect(cell).not_to_be_empty()
    assert NORWEGIAN_TIME.match(rows.nth(0).locator("td").first.inner_text())
    shoot("my-consents-apart")

    # Revoking asks first; saying no keeps the consent.
    card.get_by_role("link", name="Trekk tilbake samtykket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vil du trekke tilbake samtykket til Fjordbanken <ASA> & Co?"
    )
    shoot("revoke-confirm")
    page.get_by_role("link", name="Nei, behold samtykket").click()
    assert world.bank_view(request["id"])["status"] == "accepted"
    world.now[0] += timedelta(minutes=2)
    page.get_by_role("link", name="Trekk tilbake samtykket").click()
    page.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.get_by_role("status")).to_contain_text("er trukket tilbake")
    assert world.bank_view(request["id"])["status"] == "revoked"

    past = page.get_by_role("region", name="Tidligere samtykker og forespørsler")
    revoked = past.locator("article", has=page.locator(f"#consent-{request['id']}"))
    expect(revoked).to_contain_text("Banken kan ikke lenger hente opplysninger")
    expect(revoked).not_to_contain_text("Banken kan hente")
    revoked.locator("summary").click()
    expect(revoked.locator("details tbody tr").last).to_contain_text("trukket tilbake")

    page.get_by_role("link", name="English").click()
    expect(page.locator("#logged-in-as")).to_contain_text("Logged in with national identity number")
    expect(page.get_by_role("region", name="Requests waiting for your answer")).to_be_visible()
    revoked = page.locator("article", has=page.locator(f"#consent-{request['id']}"))
    expect(revoked).to_contain_text("The bank can no longer fetch information")
    revoked.locator("summary").click()
    expect(revoked.locator("details tbody")).to_contain_text("consent given")
    expect(revoked.locator("details tbody")).to_contain_text("the bank got access to fetch")
    expect(revoked.locator("details tbody tr").last).to_contain_text("revoked")
    shoot("my-consents-english")


def test_a_readable_receipt_embeds_the_signed_one_and_says_how_to_verify_it(
    world: CitizenWorld, page: Page, shoot: object
) -> None:
    assert callable(shoot)
    request = world.create_request()
    log_in(page, request["viewUri"], world.person)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")
    page.goto(f"{world.gateway_url}/citizen/consents")
    page.get_by_role("link", name="Se kvitteringen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kvittering for samtykke")
    main = page.locator("main")
    expect(main).to_contain_text("Fjordbanken <ASA> & Co")
    expect(main).to_contain_text(PURPOSE_WITH_MARKUP)
    expect(main).to_contain_text("Skattegrunnlag fra skatteoppgjøret: Inntektsår 2025")
    expect(main).to_contain_text("samtykke gitt")
    expect(main).to_contain_text(f"{world.person[:6]} *****")
    expect(main).not_to_contain_text(world.person)
    expect(main).to_contain_text(f"{world.gateway_url}/.well-known/receipt-keys.json")
    event_time = page.locator("main table tbody tr").first.locator("td").first.inner_text()
    assert NORWEGIAN_TIME.match(event_time)
    shoot("receipt")

    # The embedded receipt is a valid signature over this very consent.
    embedded = page.locator("#signed-receipt").inner_text().strip()
    keys = KeySet.import_key_set(
        httpx.get(f"{world.gateway_url}/.well-known/receipt-keys.json").json()
    )
    record = json.loads(jws.deserialize_compact(embedded, keys, ["ES256"]).payload)
    assert record["recordId"] == request["id"]
    expect(
        page.get_by_role("link", name="Last ned den signerte kvitteringen (.jws)")
    ).to_be_visible()

    page.emulate_media(media="print")
    expect(
        page.get_by_role("link", name="Last ned den signerte kvitteringen (.jws)")
    ).to_be_hidden()
    expect(page.get_by_role("button", name="Logg ut")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent receipt")
    expect(page.locator("main")).to_contain_text("How to verify the receipt")
    expect(page.locator("main")).to_contain_text("consent given")
    shoot("receipt-english")


def test_logged_out_in_another_tab_before_answering(
    world: CitizenWorld, page: Page, shoot: object
) -> None:
    assert callable(shoot)
    request = world.create_request()
    log_in(page, request["viewUri"], world.person)
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_be_visible()

    other_tab = page.context.new_page()
    other_tab.goto(f"{world.gateway_url}/citizen/consents")
    other_tab.get_by_role("button", name="Logg ut").click()
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    other_tab.close()

    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    expect(page.get_by_role("alert")).to_contain_text("Ingenting er sendt")
    shoot("session-ended")
    assert world.bank_view(request["id"])["status"] == "created"

    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("National identity number").fill(world.person)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fjordbanken <ASA> & Co ber om samtykke"
    )
    # The answer redirects to the bank's origin, which the page's form-action allows.
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")
    assert world.bank_view(request["id"])["status"] == "accepted"


def test_a_derived_answer_says_what_the_bank_learns_and_the_history_shows_the_answer(
    world: CitizenWorld, page: Page, shoot: object, engine: Engine
) -> None:
    assert callable(shoot)
    request = world.create_request(
        rights=[
            {
                "action": ["consent"],
                "resource": [
                    {"type": "urn:altinn:resource", "value": "ske-samtykke-svar-inntekt-minst"}
                ],
                "metadata": {"inntektsaar": "2025", "terskel": "600000"},
            }
        ]
    )
    log_in(page, request["viewUri"], world.person)
    card = page.get_by_role("listitem").filter(has_text="Ja eller nei: inntekten din")
    expect(card).to_contain_text(
        "Banken får vite om inntekten din i 2025 var minst 600\u00a0000\u00a0kr, ikke beløpet."
    )
    expect(card).to_contain_text("Banken får ikke se inntekten, formuen eller gjelden din.")
    expect(card).to_contain_text("Banken kan spørre høyst 10 ganger mens samtykket varer.")
    shoot("derived-answer")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("listitem").filter(has_text="Yes or no: your income")).to_contain_text(
        "The bank learns whether your income in 2025 was at least NOK\u00a0600,000, not the amount."
    )
    page.get_by_role("link", name="Norsk").click()
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")

    # The answer as the answer endpoint records it: the question, parameters and answer.
    with Session(engine) as session:
        audit_log.append(
            session,
            AuditEvent(
                event_type=event_type("answer", "ske-samtykke-svar-inntekt-minst", "asked"),
                actor_type=ActorType.BANK,
                actor_id=world.bank.organisation_number,
                subject=world.person,
                consent_id=request["id"],
                data_product="ske-samtykke-svar-inntekt-minst",
                details={
                    "question": "ske-samtykke-svar-inntekt-minst",
                    "parameters": {"inntektsaar": "2025", "terskel": "600000"},
                    "answer": True,
                },
                occurred_at=world.now[0] + timedelta(minutes=1),
            ),
        )
        session.commit()
    page.goto(f"{world.gateway_url}/citizen/consents")
    active = page.get_by_role("region", name="Aktive samtykker").get_by_role("article")
    active.locator("summary", has_text="Historikk").click()
    expect(active.locator("details tbody tr").last).to_contain_text(
        "Spurte om inntekten i 2025 var minst 600\u00a0000\u00a0kr: ja"
    )
    shoot("derived-answer-history")
    page.get_by_role("link", name="English").click()
    active = page.get_by_role("region", name="Active consents").get_by_role("article")
    active.locator("summary").first.click()
    expect(active.locator("details tbody tr").last).to_contain_text(
        "Asked whether the income in 2025 was at least NOK\u00a0600,000: yes"
    )
