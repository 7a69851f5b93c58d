"""The demo bank's loans to enterprises in Chromium: the applicant names the enterprise,
consents on its behalf at the gateway, and the bank shows the enterprise's figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mock_registries.population import STRANDVIK_HAVBRUK, VIKOREN_GARD
from tests.test_demo_bank_browser import (
    DemoWorld,
    Shoot,
    chromium,
    demo_world,
    page,
    shoot,
)

__all__ = ["chromium", "page", "shoot"]  # the fixtures, shared with the mortgage's tests

pytestmark = pytest.mark.browser

OLA, SOLVEIG = "02917900038", "21896600041"


@pytest.fixture
def world(fresh_database_url: str, tmp_path: Path) -> Iterator[DemoWorld]:
    with demo_world(fresh_database_url, tmp_path) as world:
        yield world


def _apply(page: Page, world: DemoWorld, kind: str, enterprise: str, person: str) -> None:
    page.goto(f"{world.bank_url}/bedrift")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lån til gården eller oppdrettsanlegget"
    )
    page.locator(f"#{kind}").check()
    page.get_by_label("Virksomhetens organisasjonsnummer").fill(enterprise)
    page.get_by_label("Ditt fødselsnummer").fill(person)
    page.get_by_role("button", name="Gå videre til samtykke").click()
    expect(page.get_by_role("heading", name="ID-porten (test environment)")).to_be_visible()
    page.get_by_label("National identity number").fill(person)
    page.locator("form:has(#pid) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fjordkyst Sparebank ber om samtykke")


def test_an_agricultural_loan(world: DemoWorld, page: Page, shoot: Shoot) -> None:
    _apply(page, world, "landbruk", VIKOREN_GARD, SOLVEIG)
    expect(page.get_by_test_id("on-behalf-of")).to_contain_text("som innehaver")
    shoot("agriculture-consent")
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Landbrukslån: opplysningene er hentet"
    )
    rows = page.locator("#subsidies tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#charges")).to_contain_text("registrerte heftelser")
    expect(page.locator("#failures")).to_have_count(0)
    shoot("agriculture-figures")


def test_an_aquaculture_loan(world: DemoWorld, page: Page, shoot: Shoot) -> None:
    _apply(page, world, "havbruk", STRANDVIK_HAVBRUK, OLA)
    expect(page.get_by_test_id("on-behalf-of")).to_contain_text("som daglig leder")
    page.get_by_role("button", name="Ja, jeg samtykker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Havbrukslån: opplysningene er hentet"
    )
    expect(page.locator("#licences tbody tr").first).to_contain_text("H-BJ-0041")
    # The last twelve complete months, as far as the mock's reports reach.
    months = page.locator("#biomass tbody tr")
    expect(months.first).to_be_visible()
    assert 1 <= months.count() <= 12
    assert all(int(cell) > 0 for cell in months.locator("td:nth-child(2)").all_inner_texts())
    expect(page.locator("#failures")).to_have_count(0)
    shoot("aquaculture-figures")
