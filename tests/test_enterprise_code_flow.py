"""The FAPI 2.0 code flow for an enterprise's consent: authority read from the roles in the
mock Enhetsregisteret when the person answers; refusals leave no consent, and an audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.consents.models import Consent
from mock_registries.population import (
    DALBY_KORN,
    HAUGLAND_FJORFE,
    NESHEIM_SJOMAT,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
)
from tests.enterprise_env import SLOW_MACHINE, EnterpriseWorld, enterprise_world, log_in_at

OLA, KARI, SOLVEIG = "02917900038", "14838500073", "21896600041"
INGRID, ASTRID, PER = "30869200014", "08847500000", "12928800006"
UNKNOWN_ORG = "911999994"
LOSORE_ORG = "brreg-samtykke-losore-rettsstiftelser-virksomhet"


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[EnterpriseWorld]:
    with enterprise_world(database_url, engine, tmp_path / "keys") as world:
        yield world


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=SLOW_MACHINE) as client:
        yield client


def _refusals(engine: Engine, person: str, enterprise: str) -> list[tuple[str, dict[str, Any]]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.entry_id, AuditEntry.details).where(
                AuditEntry.event_type == "consent:authority:refused",
                AuditEntry.actor_id == person,
                AuditEntry.subject == enterprise,
            )
        ).all()
    return [(entry_id, details) for entry_id, details in rows]


def _consents_of_bank(engine: Engine, client_id: str) -> list[Consent]:
    with Session(engine) as session:
        return list(session.scalars(select(Consent).where(Consent.client_id == client_id)))


@pytest.mark.parametrize(
    ("enterprise", "person", "role"),
    [(STRANDVIK_HAVBRUK, OLA, "DAGL"), (VIKOREN_GARD, SOLVEIG, "INNH")],
    ids=["DAGL", "INNH"],
)
def test_the_bank_fixes_the_enterprise_and_gets_its_token(
    world: EnterpriseWorld,
    browser: httpx.Client,
    *,
    enterprise: str,
    person: str,
    role: str,
) -> None:
    asked = world.push(
        [LOSORE_ORG], {}, **{"from": f"urn:altinn:organization:identifier-no:{enterprise}"}
    )
    page = log_in_at(browser, asked.url, person)
    assert page.status_code == 200, page.text
    assert f"({enterprise}), som" in page.text
    answered = world.answer(browser, page, "accept")
    assert answered.status_code == 303, answered.text
    callback = answered.headers["location"]
    assert "code" in parse_qs(urlsplit(callback).query)
    token = world.token(asked, callback)
    [detail] = token["authorization_details"]
    assert detail["from"] == f"urn:altinn:organization:identifier-no:{enterprise}"
    [consent] = _consents_of_bank(world.engine, world.bank.client_id)
    assert (
        consent.status,
        consent.organisation_number,
        consent.person,
        consent.authority_role,
    ) == (
        "accepted",
        enterprise,
        person,
        role,
    )


def test_the_person_names_the_enterprise_when_the_bank_left_it_open(
    world: EnterpriseWorld, browser: httpx.Client
) -> None:
    asked = world.push([LOSORE_ORG], {}, partyType="organisation")
    page = log_in_at(browser, asked.url, OLA)
    assert 'name="organisation"' in page.text
    answered = world.answer(browser, page, "accept", organisation=STRANDVIK_HAVBRUK)
    assert answered.status_code == 303, answered.text
    token = world.token(asked, answered.headers["location"])
    [detail] = token["authorization_details"]
    assert detail["from"] == f"urn:altinn:organization:identifier-no:{STRANDVIK_HAVBRUK}"


@pytest.mark.parametrize(
    ("enterprise", "person", "code"),
    [
        (STRANDVIK_HAVBRUK, KARI, "no-authority"),
        (HAUGLAND_FJORFE, INGRID, "role-ended"),
        (UNKNOWN_ORG, OLA, "organisation-unknown"),
        (NESHEIM_SJOMAT, ASTRID, "organisation-bankrupt"),
        (DALBY_KORN, PER, "organisation-being-wound-up"),
    ],
    ids=["board-member", "role-ended", "unknown", "bankrupt", "wound-up"],
)
def test_without_authority_nothing_is_recorded_but_the_refusal(
    world: EnterpriseWorld, browser: httpx.Client, *, enterprise: str, person: str, code: str
) -> None:
    # The bank left the enterprise open, so the person names it on the page.
    asked = world.push([LOSORE_ORG], {}, partyType="organisation")
    page = log_in_at(browser, asked.url, person)
    before = _refusals(world.engine, person, enterprise)
    answered = world.answer(browser, page, "accept", organisation=enterprise)
    assert answered.status_code == 403, answered.text
    assert f'data-testid="error-code">{code}<' in answered.text
    asked.oauth.close()
    assert _consents_of_bank(world.engine, world.bank.client_id) == []
    # The database is shared with other tests: only this answer's entry is new.
    new = [
        details
        for entry_id, details in _refusals(world.engine, person, enterprise)
        if entry_id not in {e for e, _ in before}
    ]
    assert [details["reason"] for details in new] == [code]
    # The bank that fixed the enterprise sees the page refuse before any answer.
    fixed = world.push(
        [LOSORE_ORG], {}, **{"from": f"urn:altinn:organization:identifier-no:{enterprise}"}
    )
    shown = browser.get(fixed.url, follow_redirects=True)
    assert shown.status_code == 403
    assert f'data-testid="error-code">{code}<' in shown.text
    fixed.oauth.close()


def test_a_persons_product_cannot_be_pushed_for_an_enterprise(world: EnterpriseWorld) -> None:
    oauth = world.oauth_client()
    try:
        with pytest.raises(AssertionError, match="product-not-for-party"):
            world.push(
                ["ske-samtykke-sbl-summert-skattegrunnlag"],
                {"inntektsaar": "2025"},
                partyType="organisation",
            )
    finally:
        oauth.close()
