"""Derived answers end to end over real HTTP: a bank learns a signed yes or no, never a figure.

The gateway, the Tax Administration, Brønnøysund and ID-porten mocks run as real servers;
the bank asks through its client library and verifies each statement with the keys the
gateway publishes. The registry's figures appear in no response, no log line and no table.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from samtykke_client import (
    AnswerStatementVerifier,
    AsyncSamtykkeClient,
    InvalidStatementError,
    SamtykkeClient,
    SamtykkeError,
)
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.answers.questions import gross_income, total_debt
from consent.catalogue import (
    SVAR_GJELDSGRAD,
    SVAR_GJELDSORDNING,
    SVAR_INNTEKT_MINST,
    SVAR_PRODUKSJONSTILSKUDD,
)
from consent.consents import lifecycle, repository
from consent.storage.base import Base
from mock_registries.population import STRANDVIK_HAVBRUK, VIKOREN_GARD, Trait
from mock_registries.skatteetaten import grunnlag_for
from tests.data_api_env import INGRID, KARI, PER, POPULATION, DataWorld, data_world, named
from tests.enterprise_env import SLOW_MACHINE, EnterpriseWorld, enterprise_world, log_in_at

LARS = named(Trait.SHIELDED)
SOLVEIG = "21896600041"  # innehaver of VIKØREN GARD
OLA = "02917900038"  # daglig leder of STRANDVIK HAVBRUK AS
YEAR = "2025"


@pytest.fixture
def world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        yield world


def _figures(person: str) -> tuple[int, int]:
    """The person's gross income and total debt for YEAR, as the mock's assessment has them."""
    found = POPULATION.person(person)
    assert found is not None
    grunnlag = [
        post.model_dump(mode="json", by_alias=True) for post in grunnlag_for(found, int(YEAR))
    ]
    return gross_income(grunnlag), total_debt(grunnlag)


def _right(product: str, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "action": ["consent"],
        "resource": [{"type": "urn:altinn:resource", "value": product}],
        "metadata": metadata,
    }


def _request(world: DataWorld, person: str, rights: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{person}",
        "to": f"urn:altinn:organization:identifier-no:{world.bank.organisation_number}",
        "validTo": (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "consentRights": rights,
        "requestMessage": {"nb": "Forhåndssjekk av boliglån", "en": "Mortgage pre-check"},
        "redirectUrl": world.bank.redirect_url,
    }


def _accepted(world: DataWorld, person: str, *rights: dict[str, Any]) -> str:
    with world.client() as client:
        created = client.create_consent_request(_request(world, person, list(rights)))
    with Session(world.engine) as session:
        consent = repository.get(session, created["id"])
        assert consent is not None
        lifecycle.accept(session, consent, person=person, now=datetime.now(UTC))
        session.commit()
    return str(created["id"])


def _verifier(world: DataWorld) -> AnswerStatementVerifier:
    return AnswerStatementVerifier(world.gateway_url, client_id=world.bank.client_id)


def _claims(statement: str) -> dict[str, Any]:
    payload = statement.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _income_right(terskel: int) -> dict[str, Any]:
    return _right(SVAR_INNTEKT_MINST.id, {"inntektsaar": YEAR, "terskel": str(terskel)})


def test_income_at_least_is_answered_signed_and_audited_without_the_figure(
    world: DataWorld,
) -> None:
    income, _ = _figures(KARI)
    below = income // 1000 * 1000  # the income is at least this
    above = below + 1000
    low = _accepted(world, KARI, _income_right(below))
    high = _accepted(world, KARI, _income_right(above))
    client: SamtykkeClient
    with world.client() as client:
        yes = client.answer(low, KARI, SVAR_INNTEKT_MINST.id)
        no = client.answer(high, KARI, SVAR_INNTEKT_MINST.id, inntektsaar=YEAR)
    assert yes["answer"] is True
    assert no["answer"] is False
    assert set(yes) == {
        "consentId", "question", "parameters", "answer", "answersLeft", "statement",
    }  # fmt: skip
    assert yes["parameters"] == {"inntektsaar": YEAR, "terskel": str(below)}
    assert yes["answersLeft"] == SVAR_INNTEKT_MINST.answer.budget - 1  # type: ignore[union-attr]

    statement = _verifier(world).verify(yes["statement"])
    assert statement.answer is True
    assert statement.consent_id == low
    assert (statement.party_type, statement.party) == ("person", KARI)
    assert statement.question == SVAR_INNTEKT_MINST.id
    assert statement.parameters == {"inntektsaar": YEAR, "terskel": str(below)}
    assert statement.audience == world.bank.client_id

    (entry,) = world.audit(low, event_type=f"answer:{SVAR_INNTEKT_MINST.id}:asked")
    assert entry.outcome == "success"
    assert entry.details["question"] == SVAR_INNTEKT_MINST.id
    assert entry.details["parameters"] == {"inntektsaar": YEAR, "terskel": str(below)}
    assert entry.details["answer"] is True
    assert entry.details["statementId"] == statement.statement_id


def test_the_statement_verifies_only_with_the_published_key_for_this_client(
    world: DataWorld,
) -> None:
    consent = _accepted(world, KARI, _right(SVAR_GJELDSORDNING.id, {}))
    with world.client() as client:
        statement = client.answer(consent, KARI, SVAR_GJELDSORDNING.id)["statement"]
        jwks = client.answer_keys()
    assert _verifier(world).verify(statement).answer is False
    # The same, offline, from the saved keys.
    offline = AnswerStatementVerifier(world.gateway_url, client_id=world.bank.client_id, jwks=jwks)
    assert offline.verify(statement).answer is False

    header, _payload, signature = statement.split(".")
    claims = _claims(statement)
    forged = {**claims, "answer": True}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidStatementError) as refused:
        _verifier(world).verify(f"{header}.{forged_payload}.{signature}")
    assert refused.value.reason == "bad-signature"
    other_bank = AnswerStatementVerifier(world.gateway_url, client_id="another-client")
    with pytest.raises(InvalidStatementError) as refused:
        other_bank.verify(statement)
    assert refused.value.reason == "wrong-audience"
    elsewhere = AnswerStatementVerifier(
        world.gateway_url, client_id=world.bank.client_id, issuer="https://elsewhere.example"
    )
    with pytest.raises(InvalidStatementError) as refused:
        elsewhere.verify(statement)
    assert refused.value.reason == "wrong-issuer"


def test_debt_within_the_lending_regulations_multiple(world: DataWorld) -> None:
    income, debt = _figures(KARI)
    consent = _accepted(world, KARI, _right(SVAR_GJELDSGRAD.id, {"inntektsaar": YEAR}))
    with world.client() as client:
        answered = client.answer(consent, KARI, SVAR_GJELDSGRAD.id)
    # The lending regulation's five times income is the default the consent fixed.
    assert answered["parameters"] == {"inntektsaar": YEAR, "gjeldsgradGrense": "5"}
    assert answered["answer"] is (debt <= 5 * income)
    assert _verifier(world).verify(answered["statement"]).answer is (debt <= 5 * income)


def test_debt_settlement_is_yes_for_a_person_under_one_and_no_otherwise(
    world: DataWorld,
) -> None:
    per = _accepted(world, PER, _right(SVAR_GJELDSORDNING.id, {}))
    kari = _accepted(world, KARI, _right(SVAR_GJELDSORDNING.id, {}))
    with world.client() as client:
        assert client.answer(per, PER, SVAR_GJELDSORDNING.id)["answer"] is True
        assert client.answer(kari, KARI, SVAR_GJELDSORDNING.id)["answer"] is False


def test_a_shielded_person_or_a_missing_assessment_is_a_signed_null_with_a_reason(
    world: DataWorld,
) -> None:
    lars = _accepted(world, LARS, _income_right(100_000))
    ingrid = _accepted(world, INGRID, _right(SVAR_GJELDSGRAD.id, {"inntektsaar": YEAR}))
    with world.client() as client:
        shielded = client.answer(lars, LARS, SVAR_INNTEKT_MINST.id)
        missing = client.answer(ingrid, INGRID, SVAR_GJELDSGRAD.id)
    assert (shielded["answer"], shielded["reason"]) == (None, "shielded")
    assert (missing["answer"], missing["reason"]) == (None, "no-data")
    statement = _verifier(world).verify(shielded["statement"])
    assert (statement.answer, statement.reason) == (None, "shielded")
    (entry,) = world.audit(lars, event_type=f"answer:{SVAR_INNTEKT_MINST.id}:asked")
    assert entry.details["answer"] is None
    assert entry.details["reason"] == "shielded"


@pytest.mark.parametrize("terskel", ["600500", "100001000", "-1000", "seks"])
def test_a_threshold_outside_the_allowed_range_is_refused_when_the_consent_is_asked_for(
    world: DataWorld, terskel: str
) -> None:
    right = _right(SVAR_INNTEKT_MINST.id, {"inntektsaar": YEAR, "terskel": terskel})
    with world.client() as client, pytest.raises(SamtykkeError) as refused:
        client.create_consent_request(_request(world, KARI, [right]))
    assert (refused.value.status, refused.value.code) == (422, "invalid-metadata")


def test_a_parameter_the_consent_does_not_fix_is_refused_and_audited(world: DataWorld) -> None:
    consent = _accepted(world, KARI, _income_right(600_000))
    with world.client() as client:
        for asked, status, code in [
            ({"terskel": "601000"}, 403, "parameters-not-consented"),
            ({"inntektsaar": "2024"}, 403, "parameters-not-consented"),
            ({"terskel": "600500"}, 400, "invalid-metadata"),
            ({"gjeldsgradGrense": "5"}, 400, "unknown-metadata"),
        ]:
            with pytest.raises(SamtykkeError) as refused:
                client.answer(consent, KARI, SVAR_INNTEKT_MINST.id, **asked)
            assert (refused.value.status, refused.value.code) == (status, code)
        # Another question than the one consented to.
        with pytest.raises(SamtykkeError) as refused:
            client.answer(consent, KARI, SVAR_GJELDSORDNING.id)
        assert refused.value.code == "product-not-covered"
        with pytest.raises(SamtykkeError) as refused:
            client.answer(consent, KARI, "ske-samtykke-sbl-summert-skattegrunnlag")
        assert (refused.value.status, refused.value.code) == (404, "unknown-question")
        # Still answered with the consented parameters, named or not.
        assert client.answer(consent, KARI, SVAR_INNTEKT_MINST.id, terskel="600000")["answer"]
    entries = world.audit(consent, event_type=f"answer:{SVAR_INNTEKT_MINST.id}:asked")
    assert [e.details.get("reason") for e in entries if e.outcome == "denied"] == [
        "parameters-not-consented", "parameters-not-consented",
        "invalid-metadata", "unknown-metadata",
    ]  # fmt: skip


def test_every_answer_counts_and_the_budget_ends_them(world: DataWorld) -> None:
    consent = _accepted(world, PER, _right(SVAR_GJELDSORDNING.id, {}))
    budget = SVAR_GJELDSORDNING.answer.budget  # type: ignore[union-attr]
    with world.client() as client:
        left = [client.answer(consent, PER, SVAR_GJELDSORDNING.id)["answersLeft"]]
        left += [
            client.answer(consent, PER, SVAR_GJELDSORDNING.id)["answersLeft"]
            for _ in range(budget - 1)
        ]
        with pytest.raises(SamtykkeError) as refused:
            client.answer(consent, PER, SVAR_GJELDSORDNING.id)
    assert left == list(range(budget - 1, -1, -1))
    assert (refused.value.status, refused.value.code) == (403, "answer-budget-exhausted")
    entries = world.audit(consent, event_type=f"answer:{SVAR_GJELDSORDNING.id}:asked")
    assert [e.outcome for e in entries] == ["success"] * budget + ["denied"]
    assert entries[-1].details["reason"] == "answer-budget-exhausted"


def test_the_bundle_of_a_consent_with_figures_and_answers_holds_the_figures_only(
    world: DataWorld,
) -> None:
    consent = _accepted(
        world,
        KARI,
        _right("brreg-samtykke-losore-rettsstiftelser", {}),
        _right(SVAR_GJELDSORDNING.id, {}),
    )
    with world.client() as client:
        bundle = client.loan_application(consent, KARI)
    assert set(bundle["parts"]) == {"brreg-samtykke-losore-rettsstiftelser"}


def _dump(engine: Engine) -> str:
    """Every row of every table, as text."""
    rows = []
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            rows += [repr(tuple(row)) for row in session.execute(select(table))]
    return "\n".join(rows)


def _spellings(amount: int) -> list[str]:
    grouped = f"{amount:,}"
    return [str(amount), f"{float(amount)}", grouped, grouped.replace(",", " "),
            grouped.replace(",", "\u00a0")]  # fmt: skip


def test_the_figures_are_in_no_response_log_line_or_table(
    world: DataWorld,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    income, debt = _figures(KARI)
    assert income > 100_000
    assert debt > 100_000
    consent = _accepted(
        world,
        KARI,
        _income_right(income // 1000 * 1000),
        _right(SVAR_GJELDSGRAD.id, {"inntektsaar": YEAR, "gjeldsgradGrense": "3"}),
        _right(SVAR_GJELDSORDNING.id, {}),
    )
    with world.client() as client:
        responses = [
            client.answer(consent, KARI, SVAR_INNTEKT_MINST.id),
            client.answer(consent, KARI, SVAR_GJELDSGRAD.id),
            client.answer(consent, KARI, SVAR_GJELDSORDNING.id),
        ]
    seen = "\n".join(
        [json.dumps(r) for r in responses]
        + [json.dumps(_claims(r["statement"])) for r in responses]
        + [record.getMessage() + repr(record.__dict__) for record in caplog.records]
        + [_dump(engine)]
        + list(capsys.readouterr())  # the gateway's JSON log lines
    )
    assert len(world.audit(consent)) >= 4  # the table dump holds the answers' audit entries
    assert caplog.records, "the gateway's log lines were captured"
    for figure in (income, debt):
        for spelling in _spellings(figure):
            assert spelling not in seen
    # The search finds a figure where there is one: a data fetch puts it in the response.
    fetched = _accepted(world, KARI, _right("ske-samtykke-sbl-summert-skattegrunnlag",
                                            {"inntektsaar": YEAR}))  # fmt: skip
    with world.client() as client:
        figures = json.dumps(client.summert_skattegrunnlag(fetched, KARI))
    assert any(spelling in figures for spelling in _spellings(debt))


@pytest.fixture
def farm_world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[EnterpriseWorld]:
    with enterprise_world(database_url, engine, tmp_path / "farm-keys") as world:
        yield world


def _enterprise_token(
    world: EnterpriseWorld, person: str, metadata: dict[str, str], enterprise: str
) -> dict[str, Any]:
    """The code flow for an enterprise's consent to the subsidy question, answered yes."""
    asked = world.push(
        [SVAR_PRODUKSJONSTILSKUDD.id],
        metadata,
        **{"from": f"urn:altinn:organization:identifier-no:{enterprise}"},
    )
    with httpx.Client(timeout=SLOW_MACHINE) as browser:
        page = log_in_at(browser, asked.url, person)
        assert page.status_code == 200, page.text
        assert "Banken får vite om virksomheten fikk utbetalt produksjonstilskudd" in page.text
        answered = world.answer(browser, page, "accept")
    assert answered.status_code == 303, answered.text
    return world.token(asked, answered.headers["location"])


def test_production_subsidies_in_every_round_for_an_enterprise(
    farm_world: EnterpriseWorld,
) -> None:
    paid = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"}
    token = _enterprise_token(farm_world, SOLVEIG, paid, VIKOREN_GARD)
    path = f"/answers/v1/{SVAR_PRODUKSJONSTILSKUDD.id}"
    answered = farm_world.fetch(token, path)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["answer"], body["parameters"]) == (True, paid)
    assert "soknader" not in answered.text
    assert "utbetaltBelop" not in answered.text
    verifier = AnswerStatementVerifier(farm_world.gateway_url, client_id=farm_world.bank.client_id)
    statement = verifier.verify(body["statement"])
    assert (statement.party_type, statement.party) == ("organisation", VIKOREN_GARD)
    assert statement.answer is True
    # A narrower range is another question: refused.
    narrower = farm_world.fetch(token, path, fraogmedomgang="2025-10")
    assert narrower.status_code == 403
    assert narrower.json()["code"] == "parameters-not-consented"

    # The newest round is not decided yet: no answer, and why.
    pending = {"fraogmedomgang": "2026-03", "tilogmedomgang": "2026-10"}
    token = _enterprise_token(farm_world, SOLVEIG, pending, VIKOREN_GARD)
    undecided = farm_world.fetch(token, path).json()
    assert (undecided["answer"], undecided["reason"]) == (None, "undecided")

    # A fish farm never applied: Landbruksdirektoratet does not know it, so it was never paid.
    token = _enterprise_token(farm_world, OLA, paid, STRANDVIK_HAVBRUK)
    never = farm_world.fetch(token, path).json()
    assert (never["answer"], never.get("reason")) == (False, None)


def test_the_async_client_asks_and_the_saved_keys_verify(world: DataWorld) -> None:
    consent = _accepted(world, PER, _right(SVAR_GJELDSORDNING.id, {}))

    async def ask() -> tuple[dict[str, Any], dict[str, Any]]:
        async with AsyncSamtykkeClient(
            world.gateway_url,
            client_id=world.bank.client_id,
            private_jwk=world.bank.key.as_dict(private=True),
        ) as client:
            return (
                await client.answer(consent, PER, SVAR_GJELDSORDNING.id),
                await client.answer_keys(),
            )

    answered, jwks = asyncio.run(ask())
    verifier = AnswerStatementVerifier(world.gateway_url, client_id=world.bank.client_id, jwks=jwks)
    assert verifier.verify(answered["statement"]).answer is True


def test_answers_asked_at_once_never_exceed_the_budget(world: DataWorld) -> None:
    consent = _accepted(world, PER, _right(SVAR_GJELDSORDNING.id, {}))
    budget = SVAR_GJELDSORDNING.answer.budget  # type: ignore[union-attr]

    def ask(client: SamtykkeClient) -> str:
        try:
            client.answer(consent, PER, SVAR_GJELDSORDNING.id)
        except SamtykkeError as error:
            return error.code
        return "answered"

    with world.client() as client, ThreadPoolExecutor(max_workers=6) as pool:
        client.access_token(  # one token for all, so the calls race for the budget only
            "samtykke:data", SamtykkeClient.consent_details(consent, PER)
        )
        outcomes = list(pool.map(lambda _: ask(client), range(budget + 4)))
    assert outcomes.count("answered") == budget
    assert outcomes.count("answer-budget-exhausted") == 4
