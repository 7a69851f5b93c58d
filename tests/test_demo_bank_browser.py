"""The demo bank in Chromium: apply, consent at the gateway, see the figures; refuse; revoke.

The mock registries, the gateway and the demo bank run as real HTTP servers
on sockets bound before they start. The bank is registered through the admin
API the way `samtykke demo` does it. Screenshots land in
test-artifacts/screenshots/demo-bank-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from consent.catalogue import latest_assessed_year
from examples.demo_bank.app import create_app as create_bank_app
from examples.demo_bank.products import last_complete_months, months_between
from examples.demo_bank.registration import registration_request
from examples.demo_bank.settings import BankSettings
from gateway.app import create_app as create_gateway_app
from gateway.cli.demo_bank import ensure_registered
from gateway.settings import DeploymentMode, Settings
from mock_registries import brreg, fiskeri, idporten, landbruk, skatteetaten
from mock_registries.population import LAST_MONTH, Person, Trait, build_population
from mock_registries.settings import MockSettings
from tests.servers import bound_socket, running_server

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ADMIN_TOKEN = "demo-bank-test-admin-token"
POPULATION = build_population(2025, 0)
Shoot = Callable[[str], None]


def named(trait: Trait) -> Person:
    return next(person for person in POPULATION.named if person.has(trait))


def kroner(amount: int) -> str:
    """As a Norwegian reads it, with plain spaces (the page's no-break spaces are replaced)."""
    return f"{amount:,} kr".replace(",", " ").replace("-", "\u2212")


def shown(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text().replace("\u00a0", " ")


@dataclass(frozen=True)
class DemoWorld:
    bank_url: str
    gateway_url: str
    client_id: str


def _url(sock: Any) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def demo_world(database_url: str, tmp_path: Path) -> Iterator[DemoWorld]:
    names = ("skatteetaten", "brreg", "landbruk", "fiskeri", "idporten", "gateway", "bank")
    socks = {name: bound_socket() for name in names}
    urls = {name: _url(sock) for name, sock in socks.items()}
    mocks = MockSettings(
        _env_file=None,  # type: ignore[call-arg]
        population_size=0,
        idporten_redirect_uris=[f"{urls['gateway']}/citizen/login/callback"],
        gateway_jwks_url=f"{urls['gateway']}/.well-known/registry-client-jwks.json",
    )
    gateway = create_gateway_app(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            mode=DeploymentMode.TEST,
            database_url=database_url,
            issuer_url=urls["gateway"],
            idporten_issuer_url=urls["idporten"],
            skatteetaten_base_url=urls["skatteetaten"],
            brreg_base_url=urls["brreg"],
            landbruk_base_url=urls["landbruk"],
            fiskeri_base_url=urls["fiskeri"],
            key_dir=tmp_path / "gateway-keys",
            admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        )
    )
    bank_settings = BankSettings(
        gateway_url=urls["gateway"], public_url=urls["bank"], state_dir=tmp_path / "demo-bank"
    )
    apps = {
        "skatteetaten": skatteetaten.create_app(mocks, population=POPULATION),
        "brreg": brreg.create_app(mocks, population=POPULATION),
        "landbruk": landbruk.create_app(mocks, population=POPULATION),
        "fiskeri": fiskeri.create_app(mocks, population=POPULATION),
        "idporten": idporten.create_app(mocks, population=POPULATION, issuer=urls["idporten"]),
        "gateway": gateway,
    }
    with ExitStack() as stack:
        for name, app in apps.items():
            stack.enter_context(running_server(app, sock=socks[name]))
        body = registration_request(bank_settings)
        client_id = ensure_registered(urls["gateway"], ADMIN_TOKEN, body)
        # Registering again finds the client with the same keys instead of adding another.
        assert ensure_registered(urls["gateway"], ADMIN_TOKEN, body) == client_id
        bank = create_bank_app(bank_settings.model_copy(update={"client_id": client_id}))
        stack.enter_context(running_server(bank, sock=socks["bank"]))
        yield DemoWorld(urls["bank"], urls["gateway"], client_id)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def world(fresh_database_url: str, tmp_path: Path) -> Iterator[DemoWorld]:
    # A database of its own: the citizen's "my consents" then shows this test's consents only.
    with demo_world(fresh_database_url, tmp_path) as world:
        yield world


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(page: Page, database_backend: str, request: pytest.FixtureRequest) -> Shoot:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = request.node.originalname.removeprefix("test_").replace("_", "-")

    def screenshot(step: str) -> None:
        page.screenshot(
            path=SCREENSHOTS / f"demo-bank-{test_name}-{step}-{database_backend}.png",
            full_page=True,
        )

    return screenshot


def apply_and_log_in(page: Page, world: DemoWorld, person: Person, shoot: Shoot) -> None:
    """From the bank's first page to the gateway's consent page, logged in as `person`."""
    page.goto(world.bank_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Søk om boliglån")
    page.get_by_label("Fødselsnummer").fill(person.fnr)
    shoot("start")
    page.get_by_role("button", name="Gå videre til samtykke").click()
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person.fnr)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fjordkyst Sparebank ber om samtykke")


def reported_pay(person: Person, month: str) -> list[int]:
    """What A-ordningen (the mock) has on record for the month: nothing after LAST_MONTH."""
    year, number = map(int, month.split("-"))
    if (year, number) > LAST_MONTH:
        return []
    return [int(amount) for _, amount in person.monthly_salaries(year, number)]


def expected_figures(person: Person, year: int) -> dict[str, int]:
    grunnlag = {
        post.teknisk_navn: int(post.beloep) for post in skatteetaten.grunnlag_for(person, year)
    }
    income = grunnlag["samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt"] + grunnlag.get(
        "renteinntektAvBankinnskudd", 0
    )
    return {
        "income": income,
        # A zero nettoformue is left out; the bank then shows gross wealth less debt.
        "net-wealth": grunnlag.get(
            "nettoformue", grunnlag["bruttoformue"] - grunnlag["samletGjeld"]
        ),
        "debt": grunnlag["samletGjeld"],
    }


def test_apply_consent_and_see_the_figures(world: DemoWorld, page: Page, shoot: Shoot) -> None:
    kari = named(Trait.ORDINARY)
    apply_and_log_in(page, world, kari, shoot)
    shoot("consent-page")
    page.get_by_role("button", name="Ja, jeg samtykker").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Opplysningene dine er hentet")
    shoot("figures")
    year = latest_assessed_year(datetime.now(UTC))
    expected = expected_figures(kari, year)
    assert shown(page, "#income .kf-value") == kroner(expected["income"])
    assert shown(page, "#net-wealth .kf-value") == kroner(expected["net-wealth"])
    assert shown(page, "#debt .kf-value") == kroner(expected["debt"])
    ratio = f"{expected['debt'] / expected['income']:.2f}".replace(".", ",")
    assert shown(page, "#debt-to-income .kf-value") == ratio

    # Twelve months of pay, each as A-ordningen has it, drawn as twelve bars.
    rows = page.locator("#monthly-pay tbody tr")
    expect(rows).to_have_count(12)
    monthly = sum(amount for _, amount in kari.monthly_salaries(year + 1, 1))
    expect(page.locator("#monthly-pay")).to_contain_text(f"jan. {year + 1}")
    assert kroner(int(monthly)) in shown(page, "#monthly-pay tbody")
    expect(page.locator("#monthly-pay svg rect")).to_have_count(12)
    expect(page.locator("#liens")).to_contain_text("Ingen registrerte heftelser")
    expect(page.locator("#failures")).to_have_count(0)
    # Months A-ordningen has no report for yet say so: never a month paid 0 kr.
    months = months_between(*last_complete_months(datetime.now(UTC).date()))
    unreported = [m for m in months if not reported_pay(kari, m)]
    expect(page.locator("#monthly-pay tr.not-reported")).to_have_count(len(unreported))
    for row in page.locator("#monthly-pay tr.not-reported").all():
        expect(row).to_contain_text("Ikke rapportert ennå")
        expect(row).to_contain_text("Not reported yet")
    reported = [sum(reported_pay(kari, m)) for m in months if m not in unreported]
    average = round(sum(reported) / len(reported))
    assert f"Gjennomsnitt per måned: {kroner(average)}" in shown(page, "#monthly-pay")
    # The time of the fetch is Norwegian, with its zone.
    assert re.fullmatch(
        r"Sist hentet \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d CES?T", shown(page, "#fetched-at")
    )


def test_refusal(world: DemoWorld, page: Page, shoot: Shoot) -> None:
    apply_and_log_in(page, world, named(Trait.ORDINARY), shoot)
    page.get_by_role("button", name="Nei, jeg samtykker ikke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vi kan ikke behandle søknaden uten samtykke"
    )
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "rejected")
    shoot("refused")


def test_revocation_stops_the_next_fetch(world: DemoWorld, page: Page, shoot: Shoot) -> None:
    astrid = named(Trait.LIEN)
    apply_and_log_in(page, world, astrid, shoot)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opplysningene dine er hentet")
    (lien,) = astrid.liens
    expect(page.locator("#liens")).to_contain_text("Utleggspant")
    assert kroner(lien.amount) in shown(page, "#liens")
    result_url = page.url

    page.goto(f"{world.gateway_url}/citizen/consents")
    card = page.get_by_role("article").filter(has_text="Fjordkyst Sparebank")
    card.get_by_role("link", name="Trekk tilbake samtykket").click()
    page.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.get_by_role("status")).to_contain_text("er trukket tilbake")
    shoot("revoked-at-the-gateway")

    page.goto(result_url)
    page.get_by_role("button", name="Hent opplysningene på nytt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har trukket tilbake samtykket")
    expect(page.locator("#outcome")).to_have_attribute("data-outcome", "revoked")
    expect(page.locator("#income")).to_have_count(0)
    shoot("revoked")


def test_a_registry_without_the_person_gives_a_partial_answer(
    world: DemoWorld, page: Page, shoot: Shoot
) -> None:
    nils = named(Trait.UNKNOWN_TO_TAX_ADMINISTRATION)
    apply_and_log_in(page, world, nils, shoot)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noen opplysninger mangler")
    failures = page.locator("#failures")
    expect(failures).to_contain_text("Skatteetaten")
    expect(failures).not_to_contain_text("person-unknown-to-registry")
    expect(failures).to_contain_text("Registeret har ingen opplysninger om deg")
    expect(failures).to_contain_text("The registry has no information about you")
    expect(page.locator("#liens")).to_contain_text("Ingen registrerte heftelser")
    expect(page.locator("#income")).to_have_count(0)
    shoot("partial")


def test_shielded_figures_are_never_shown_as_zero(
    world: DemoWorld, page: Page, shoot: Shoot
) -> None:
    lars = named(Trait.SHIELDED)
    apply_and_log_in(page, world, lars, shoot)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    shielded = page.locator("#shielded")
    expect(shielded).to_contain_text("Skatteetaten har skjermet opplysningene dine")
    expect(shielded).to_contain_text("The Tax Administration shields your information")
    expect(shielded).to_contain_text("Hva du kan gjøre")
    for figure in ("#income", "#net-wealth", "#debt", "#debt-to-income", "#assessment"):
        expect(page.locator(figure)).to_have_count(0)
    expect(page.locator(".keyfigures")).not_to_contain_text("0\u00a0kr")
    shoot("shielded")


def test_no_assessment_yet_offers_the_latest_year(
    world: DemoWorld, page: Page, shoot: Shoot
) -> None:
    ingrid = named(Trait.NO_ASSESSMENT_YET)
    apply_and_log_in(page, world, ingrid, shoot)
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    failures = page.locator("#failures")
    expect(failures).not_to_contain_text("no-data-for-period")
    expect(failures).to_contain_text("skatteoppgjøret ikke er ferdig")
    expect(failures).to_contain_text("the tax assessment is not finished")
    latest = ingrid.assessed_years[-1]
    shoot("no-assessment-yet")
    page.get_by_role("link", name=f"Start en ny søknad for inntektsår {latest}").click()
    expect(page.get_by_label("Inntektsår")).to_have_value(str(latest))


def test_an_invalid_national_identity_number_is_explained_in_both_languages(
    world: DemoWorld, page: Page, shoot: Shoot
) -> None:
    page.goto(world.bank_url)
    page.get_by_label("Fødselsnummer").fill("12345678901")  # eleven digits, a wrong check digit
    page.get_by_role("button", name="Gå videre til samtykke").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Fødselsnummeret er ikke gyldig.")
    expect(error).to_contain_text("The national identity number is not valid.")
    expect(error).to_contain_text("Sjekk at alle de 11 sifrene er riktige")
    expect(error).not_to_contain_text("invalid")
    shoot("invalid-number")


def test_a_precheck_asks_only_answers_before_the_full_figures(
    world: DemoWorld, page: Page, shoot: Shoot
) -> None:
    kari = named(Trait.ORDINARY)
    year = latest_assessed_year(datetime.now(UTC))
    expected = expected_figures(kari, year)
    page.goto(world.bank_url)
    page.get_by_label("Fødselsnummer").fill(kari.fnr)
    page.get_by_label("Ønsket lånebeløp (kr)").fill("2 500 000")
    page.get_by_role("button", name="Forhåndssjekk uten tall").click()
    page.get_by_label("National identity number").fill(kari.fnr)
    page.locator("form:has(#pid) button[type=submit]").click()
    # The consent page says what the bank learns: a fifth of the loan is the threshold.
    expect(
        page.get_by_text(f"om inntekten din i {year} var minst 500\u00a0000\u00a0kr")
    ).to_be_visible()
    expect(page.get_by_text("Skattegrunnlag fra skatteoppgjøret")).to_have_count(0)
    shoot("precheck-consent")
    page.get_by_role("button", name="Ja, jeg samtykker").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Forhåndssjekken er klar")
    income = page.locator("#answer-ske-samtykke-svar-inntekt-minst")
    expect(income.locator(".answer")).to_have_text("Ja" if expected["income"] >= 500_000 else "Nei")
    within = expected["debt"] <= 5 * expected["income"]
    expect(page.locator("#answer-ske-samtykke-svar-gjeldsgrad .answer")).to_have_text(
        "Ja" if within else "Nei"
    )
    expect(page.locator("#answer-brreg-samtykke-svar-gjeldsordning .answer")).to_have_text("Nei")
    # No figure on the page: the bank never received one.
    for figure in (expected["income"], expected["debt"]):
        assert kroner(figure) not in shown(page, "main")
    shoot("precheck-answers")

    # Still logged in at the gateway: straight to the consent page for the figures.
    page.get_by_role("button", name="Søk med alle opplysningene").click()
    expect(page.get_by_text("Skattegrunnlag fra skatteoppgjøret")).to_be_visible()
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opplysningene dine er hentet")
    assert shown(page, "#income .kf-value") == kroner(expected["income"])
