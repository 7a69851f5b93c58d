"""Consent for an enterprise over real HTTP: the person's authority is read from the mock
Enhetsregisteret's roles when they answer; without it they get a page that says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.consents import repository
from mock_registries.population import (
    DALBY_KORN,
    HAUGLAND_FJORFE,
    NESHEIM_SJOMAT,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
)
from tests.citizen_env import CitizenWorld, citizen_world, csrf_of, log_in
from tests.enterprise_env import SLOW_MACHINE

OLA = "02917900038"  # DAGL of STRANDVIK HAVBRUK AS
KARI = "14838500073"  # board member (MEDL) of STRANDVIK HAVBRUK AS
SOLVEIG = "21896600041"  # INNH of VIKØREN GARD (ENK)
INGRID = "30869200014"  # DAGL of HAUGLAND FJØRFE AS, fratraadt
ASTRID = "08847500000"  # DAGL of NESHEIM SJØMAT AS, bankrupt
PER = "12928800006"  # DAGL of DALBY KORN AS, being wound up
UNKNOWN_ORG = "911999994"  # a valid number no one registered


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[CitizenWorld]:
    with citizen_world(database_url, engine, tmp_path / "keys", with_brreg=True) as world:
        yield world


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=SLOW_MACHINE) as client:
        yield client


@pytest.mark.parametrize(
    ("enterprise", "person", "on_behalf"),
    [
        (
            STRANDVIK_HAVBRUK,
            OLA,
            "På vegne av STRANDVIK HAVBRUK AS (911001004), som daglig leder",
        ),
        (
            VIKOREN_GARD,
            SOLVEIG,
            "På vegne av VIKØREN GARD Solveig Vikøren (911000008), som innehaver",
        ),
    ],
    ids=["DAGL", "INNH"],
)
def test_a_person_with_authority_consents_for_the_enterprise(
    world: CitizenWorld,
    browser: httpx.Client,
    engine: Engine,
    *,
    enterprise: str,
    person: str,
    on_behalf: str,
) -> None:
    request = world.create_enterprise_request(enterprise, person)
    page = log_in(browser, request["viewUri"], person)
    assert page.status_code == 200, page.text
    assert on_behalf in page.text
    answered = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    assert answered.status_code == 303, answered.text
    seen = world.bank_view(request["id"])
    assert seen["status"] == "accepted"
    assert seen["from"] == f"urn:altinn:organization:identifier-no:{enterprise}"
    assert seen["authority"]["role"] in {"DAGL", "INNH"}
    mine = browser.get(f"{world.gateway_url}/citizen/consents")
    assert on_behalf in mine.text
    receipt = browser.get(f"{world.gateway_url}/citizen/consents/{request['id']}/receipt")
    assert receipt.status_code == 200


@pytest.mark.parametrize(
    ("enterprise", "person", "code", "words"),
    [
        (STRANDVIK_HAVBRUK, KARI, "no-authority", "ingen rolle som gir deg fullmakt"),
        (HAUGLAND_FJORFE, INGRID, "role-ended", "rollen din i virksomheten er avsluttet"),
        (UNKNOWN_ORG, OLA, "organisation-unknown", "finnes ikke i Enhetsregisteret"),
        (NESHEIM_SJOMAT, ASTRID, "organisation-bankrupt", "Virksomheten er konkurs"),
        (DALBY_KORN, PER, "organisation-being-wound-up", "under avvikling"),
    ],
    ids=["board-member", "role-ended", "unknown", "bankrupt", "wound-up"],
)
def test_without_authority_the_answer_is_refused_and_audited(
    world: CitizenWorld,
    browser: httpx.Client,
    engine: Engine,
    *,
    enterprise: str,
    person: str,
    code: str,
    words: str,
) -> None:
    request = world.create_enterprise_request(enterprise, person)
    page = log_in(browser, request["viewUri"], person)
    # The page already says why, before any answer.
    assert page.status_code == 403
    assert "Du kan ikke samtykke for denne virksomheten" in page.text
    assert words in page.text
    assert f'data-testid="error-code">{code}<' in page.text
    assert person not in page.text
    # An answer posted anyway (a form kept open from before) is refused, and audited.
    home = browser.get(f"{world.gateway_url}/citizen/consents")
    answered = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(home), "decision": "accept"},
    )
    assert answered.status_code == 403
    assert f'data-testid="error-code">{code}<' in answered.text
    assert world.bank_view(request["id"])["status"] == "created"
    with Session(engine) as session:
        consent = repository.get(session, request["id"])
        assert consent is not None
        assert consent.status == "created"
        assert consent.authority_role is None
        refused = session.scalars(
            select(AuditEntry).where(
                AuditEntry.consent_id == request["id"],
                AuditEntry.event_type == "consent:authority:refused",
            )
        ).all()
        assert [(e.outcome, e.subject, e.actor_id, e.details["reason"]) for e in refused] == [
            ("denied", enterprise, person, code)
        ]


def test_the_page_speaks_english_too(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_enterprise_request(STRANDVIK_HAVBRUK, KARI)
    log_in(browser, request["viewUri"], KARI)
    browser.get(
        f"{world.gateway_url}/citizen/language/en",
        params={"back": f"/citizen/consentrequests/{request['id']}"},
    )
    page = browser.get(f"{world.gateway_url}/citizen/consentrequests/{request['id']}")
    assert page.status_code == 403
    assert "You cannot consent for this enterprise" in page.text
    assert "no role that gives you authority" in page.text


def test_the_owners_tax_needs_the_innehaver(world: CitizenWorld, browser: httpx.Client) -> None:
    request = world.create_enterprise_request(
        STRANDVIK_HAVBRUK, OLA, ("ske-samtykke-sbl-summert-skattegrunnlag-enk",)
    )
    page = log_in(browser, request["viewUri"], OLA)
    answered = browser.post(
        f"{world.gateway_url}/citizen/consentrequests/{request['id']}/answer",
        data={"csrf_token": csrf_of(page), "decision": "accept"},
    )
    assert answered.status_code == 403
    assert 'data-testid="error-code">not-sole-proprietor<' in answered.text
    assert world.bank_view(request["id"])["status"] == "created"
