"""Consent for an enterprise in Chromium: authority from Enhetsregisteret's roles, the page
that refuses without it, and "My consents" grouped by party. Screenshots land in
test-artifacts/screenshots/enterprise-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from mock_registries.population import (
    HAUGLAND_FJORFE,
    NESHEIM_SJOMAT,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
)
from tests.browser import PHONE, SCREENSHOTS, launched_chromium
from tests.citizen_env import CitizenWorld, citizen_world

pytestmark = pytest.mark.browser

OLA, KARI, SOLVEIG = "02917900038", "14838500073", "21896600041"
INGRID, ASTRID = "30869200014", "08847500000"
UNKNOWN_ORG = "911999994"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys", with_brreg=True) as world:
        yield world


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(page: Page, database_backend: str) -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(step: str) -> None:
        page.screenshot(
            path=SCREENSHOTS / f"enterprise-{step}-{database_backend}.png", full_page=True
        )

    return screenshot


def _log_in(page: Page, url: str, person: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()


@pytest.mark.parametrize(
    ("enterprise", "person", "on_behalf", "group"),
    [
        (
            STRANDVIK_HAVBRUK,
            OLA,
            "På vegne av STRANDVIK HAVBRUK AS (911001004), som daglig leder",
            "På vegne av STRANDVIK HAVBRUK AS (911001004)",
        ),
        (
            VIKOREN_GARD,
            SOLVEIG,
            "På vegne av VIKØREN GARD Solveig Vikøren (911000008), som innehaver",
            "På vegne av VIKØREN GARD Solveig Vikøren (911000008)",
        ),
    ],
    ids=["DAGL", "INNH"],
)
def test_accept_for_the_enterprise_then_revoke_it_under_its_name(
    world: CitizenWorld,
    page: Page,
    shoot: Any,
    *,
    enterprise: str,
    person: str,
    on_behalf: str,
    group: str,
) -> None:
    request = world.create_enterprise_request(enterprise, person)
    _log_in(page, request["viewUri"], person)
    expect(page.get_by_test_id("on-behalf-of")).to_have_text(on_behalf)
    shoot(f"consent-page-{enterprise}")
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.locator("#outcome")).to_have_text("accepted")

    page.goto(f"{world.gateway_url}/citizen/consents")
    section = page.locator("section.party", has=page.get_by_role("heading", name=group))
    expect(section).to_have_count(1)
    card = section.locator(f'article[aria-labelledby="consent-{request["id"]}"]')
    expect(card).to_contain_text(on_behalf)
    shoot(f"my-consents-{enterprise}")
    card.get_by_role("link", name="Trekk tilbake samtykket").click()
    expect(page.locator("main")).to_contain_text(on_behalf)
    page.get_by_role("button", name="Ja, trekk tilbake samtykket").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert world.bank_view(request["id"])["status"] == "revoked"


@pytest.mark.parametrize(
    ("enterprise", "person", "code"),
    [
        (STRANDVIK_HAVBRUK, KARI, "no-authority"),
        (HAUGLAND_FJORFE, INGRID, "role-ended"),
        (UNKNOWN_ORG, OLA, "organisation-unknown"),
        (NESHEIM_SJOMAT, ASTRID, "organisation-bankrupt"),
    ],
    ids=["board-member", "role-ended", "unknown", "bankrupt"],
)
def test_without_authority_the_page_says_why(
    world: CitizenWorld,
    page: Page,
    shoot: Any,
    engine: Engine,
    *,
    enterprise: str,
    person: str,
    code: str,
) -> None:
    request = world.create_enterprise_request(enterprise, person)
    _log_in(page, request["viewUri"], person)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Du kan ikke samtykke for denne virksomheten"
    )
    expect(page.get_by_test_id("error-code")).to_have_text(code)
    expect(page.get_by_role("button", name="Ja, jeg samtykker")).to_have_count(0)
    shoot(f"refused-{code}")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot consent for this enterprise"
    )
    page.get_by_role("link", name="Norsk").click()
    # An answer sent anyway, from a page kept open, is refused the same way and audited.
    csrf = page.context.request.get(f"{world.gateway_url}/citizen/consents").text()
    token = csrf.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answered = page.context.request.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        form={"csrf_token": token, "decision": "accept"},
        max_redirects=0,
    )
    assert answered.status == 403
    assert world.bank_view(request["id"])["status"] == "created"
    with Session(engine) as session:
        reasons = session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.consent_id == request["id"],
                AuditEntry.event_type == "consent:authority:refused",
            )
        ).all()
    assert [reason["reason"] for reason in reasons] == [code]
