"""The citizen's pages in Chromium: log in, answer, see, revoke, download; with screenshots.

Screenshots of every page land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.browser import PHONE, SCREENSHOTS, launched_chromium
from tests.citizen_env import CitizenWorld, citizen_world

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
    card.get_by_role("button", name="Trekk tilbake samtykket").click()
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
