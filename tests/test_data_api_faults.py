"""Registry and database faults reach the bank as problems it can act on: no data, no 500.

The registries inject their faults in earnest (held requests, 503s, truncated
bodies) and the database refuses audit writes through a trigger; the person
never shows up in a URL, a log line or an error message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samtykke_client import SamtykkeError
from sqlalchemy import Engine, text

from consent.catalogue import INNTEKT, LOSORE, SUMMERT_SKATTEGRUNNLAG
from consent.storage.database import create_database_engine
from mock_registries.population import LATEST_INCOME_YEAR, Trait
from tests.data_api_env import INGRID, KARI, DataWorld, data_world, named

UNKNOWN = named(Trait.UNKNOWN_TO_TAX_ADMINISTRATION)


@pytest.fixture
def world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    with data_world(database_url, engine, tmp_path / "keys", monkeypatch) as world:
        yield world


@pytest.fixture
def faulty(
    request: pytest.FixtureRequest,
    database_url: str,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DataWorld]:
    """A world whose registries all answer with the fault the test is parametrised with."""
    with data_world(
        database_url, engine, tmp_path / "keys", monkeypatch, registry_fault=request.param
    ) as world:
        yield world


def _refused(error: pytest.ExceptionInfo[SamtykkeError], status: int, code: str) -> None:
    assert (error.value.status, error.value.code) == (status, code), error.value.problem
    assert "data" not in error.value.problem


@pytest.mark.parametrize(
    ("faulty", "status", "code"),
    [
        ("timeout", 504, "registry-timeout"),
        ("status=503", 503, "registry-unavailable"),
        ("malformed", 502, "registry-bad-response"),
        ("drop", 503, "registry-unavailable"),
    ],
    indirect=["faulty"],
)
def test_a_failing_registry(faulty: DataWorld, status: int, code: str) -> None:
    consent_id = faulty.accepted_consent(KARI)
    with faulty.client() as client, pytest.raises(SamtykkeError) as refused:
        client.summert_skattegrunnlag(consent_id, KARI)
    _refused(refused, status, code)
    if status == 503:
        assert refused.value.retry_after is not None
        assert refused.value.retry_after >= 1
    [failed] = faulty.audit(consent_id, outcome="failed")
    assert failed.details["reason"] == code
    assert failed.data_product == SUMMERT_SKATTEGRUNNLAG.id


def test_malformed_answers_open_the_circuit_after_the_configured_count(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with data_world(
        database_url,
        engine,
        tmp_path / "keys",
        monkeypatch,
        registry_fault="malformed",
        registry_circuit_failure_threshold=2,  # SAMTYKKE_REGISTRY_CIRCUIT_FAILURE_THRESHOLD
    ) as world:
        consent_id = world.accepted_consent(KARI)
        with world.client() as client:
            for _ in range(2):
                with pytest.raises(SamtykkeError) as malformed:
                    client.summert_skattegrunnlag(consent_id, KARI)
                _refused(malformed, 502, "registry-bad-response")
            with pytest.raises(SamtykkeError) as circuit_open:
                client.summert_skattegrunnlag(consent_id, KARI)
    _refused(circuit_open, 503, "registry-unavailable")
    assert circuit_open.value.retry_after is not None


# A class name of the code (RemoteProtocolError, SummertSkattegrunnlag), or a library's.
_INTERNAL_NAME = re.compile(r"(?:[A-Z][a-z0-9]+){2,}|httpx|Error\b|Exception\b|Traceback")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


@pytest.mark.parametrize("faulty", ["drop"], indirect=True)
def test_a_dropped_connection_is_told_in_the_apis_words(faulty: DataWorld) -> None:
    consent_id = faulty.accepted_consent(KARI)
    with faulty.client() as client:
        with pytest.raises(SamtykkeError) as single:
            client.summert_skattegrunnlag(consent_id, KARI)
        with pytest.raises(SamtykkeError) as bundle:
            client.loan_application(consent_id, KARI)
    for refused in (single, bundle):
        problem = refused.value.problem
        assert (problem["status"], problem["code"]) == (503, "registry-unavailable"), problem
        assert [text for text in _texts(problem) if _INTERNAL_NAME.search(text)] == []
    assert "closed the connection" in single.value.problem["detail"]


def test_a_registry_that_is_down(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) on loopback: nothing listens, every connection is refused.
    with data_world(
        database_url,
        engine,
        tmp_path / "keys",
        monkeypatch,
        brreg_url_override="http://127.0.0.1:9",
    ) as world:
        consent_id = world.accepted_consent(KARI)
        with world.client() as client, pytest.raises(SamtykkeError) as refused:
            client.rettsstiftelser(consent_id, KARI)
    _refused(refused, 503, "registry-unavailable")
    assert refused.value.retry_after is not None


def test_a_person_unknown_to_the_registry(world: DataWorld) -> None:
    consent_id = world.accepted_consent(UNKNOWN)
    with world.client() as client, pytest.raises(SamtykkeError) as refused:
        client.summert_skattegrunnlag(consent_id, UNKNOWN)
    _refused(refused, 404, "person-unknown-to-registry")
    assert UNKNOWN not in str(refused.value.problem)


def test_no_assessment_for_the_year_yet(world: DataWorld) -> None:
    consent_id = world.accepted_consent(INGRID)
    with world.client() as client, pytest.raises(SamtykkeError) as refused:
        client.summert_skattegrunnlag(consent_id, INGRID)
    _refused(refused, 404, "no-data-for-period")
    assert refused.value.problem["latestAvailableYear"] == LATEST_INCOME_YEAR - 1


def test_a_partial_bundle_says_what_failed(world: DataWorld) -> None:
    consent_id = world.accepted_consent(INGRID, one_time=True)
    with world.client() as client:
        bundle = client.loan_application(consent_id, INGRID)
    assert bundle["complete"] is False
    parts = bundle["parts"]
    assert parts[INNTEKT.id]["status"] == "ok"
    assert parts[LOSORE.id]["status"] == "ok"
    failed = parts[SUMMERT_SKATTEGRUNNLAG.id]
    assert set(failed) == {"status", "problem"}
    assert failed["status"] == "failed"
    assert failed["problem"]["code"] == "no-data-for-period"
    assert failed["problem"]["status"] == 404
    assert failed["problem"]["latestAvailableYear"] == LATEST_INCOME_YEAR - 1
    outcomes = {(e.data_product, e.outcome) for e in world.audit(consent_id)}
    assert (SUMMERT_SKATTEGRUNNLAG.id, "failed") in outcomes
    assert (INNTEKT.id, "success") in outcomes


@pytest.mark.parametrize("faulty", ["timeout"], indirect=True)
def test_a_bundle_with_every_registry_failing(faulty: DataWorld) -> None:
    consent_id = faulty.accepted_consent(KARI, one_time=True)
    with faulty.client() as client, pytest.raises(SamtykkeError) as refused:
        client.loan_application(consent_id, KARI)
    assert refused.value.status == 504
    parts = refused.value.problem["parts"]
    assert {part["status"] for part in parts.values()} == {"failed"}
    # Nothing was read, so the one-time consent is still there to be used.
    assert [e for e in faulty.audit(consent_id, outcome="success") if e.data_product] == []
    with faulty.client() as client:
        assert client.get_consent_request(consent_id)["status"] == "accepted"


_REFUSE_AUDIT = {
    "postgresql": [
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log refuses writes'; END $$",
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    ],
    "sqlite": [
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'the audit log refuses writes'); END",
    ],
}


def test_no_data_without_an_audit_record(
    fresh_database_url: str,
    database_backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=2)
    try:
        with data_world(fresh_database_url, engine, tmp_path / "keys", monkeypatch) as world:
            consent_id = world.accepted_consent(KARI)
            with world.client() as client:
                client.access_token(
                    "samtykke:data", client.consent_details(consent_id, KARI)
                )  # the token's own audit record is written before the log breaks
                with engine.begin() as connection:
                    for statement in _REFUSE_AUDIT[database_backend]:
                        connection.execute(text(statement))
                for fetch in (
                    lambda: client.summert_skattegrunnlag(consent_id, KARI),
                    lambda: client.loan_application(consent_id, KARI),
                ):
                    with pytest.raises(SamtykkeError) as refused:
                        fetch()
                    assert refused.value.status == 503, refused.value.problem
                    assert refused.value.retry_after is not None
                    assert "grunnlag" not in str(refused.value.problem)
                    assert KARI not in str(refused.value.problem)
    finally:
        engine.dispose()


def test_the_person_stays_out_of_urls_logs_and_errors(
    world: DataWorld, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    kari = world.accepted_consent(KARI)
    ingrid = world.accepted_consent(INGRID)
    with world.client() as client:
        client.loan_application(kari, KARI)
        client.loan_application(ingrid, INGRID)
        with pytest.raises(SamtykkeError) as refused:
            client.summert_skattegrunnlag(ingrid, INGRID)
    assert INGRID not in str(refused.value.problem)
    gateway_records = [r for r in caplog.records if not r.name.startswith("mock_registries")]
    lines = [r.getMessage() for r in gateway_records]
    assert any("/data/v1/loan-application" in line for line in lines)  # the log was seen
    printed = capfd.readouterr()
    for person in (KARI, INGRID):
        assert not [line for line in lines if person in line]
        assert person not in printed.out
        assert person not in printed.err
