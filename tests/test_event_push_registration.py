"""Registering a bank's push endpoint (admin API and CLI), and what the bank's verifier refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey
from pydantic import SecretStr
from samtykke_client import InvalidEventError, ReplayedEventError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.app import create_app
from gateway.cli import app as cli
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import ProblemError
from gateway.push import service, tokens
from gateway.settings import Settings, get_settings
from tests.banks import Bank, register_bank
from tests.consent_factories import BANK, new_consent
from tests.push_env import Clock, feed_of, push_settings, session_factory, verifier_for
from tests.servers import running_server

ADMIN_TOKEN = "admin-secret-for-push-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def settings(fresh_database_url: str, tmp_path: Path) -> Settings:
    return push_settings(fresh_database_url, tmp_path / "keys", admin_token=SecretStr(ADMIN_TOKEN))


@pytest.fixture
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    yield from session_factory(settings.database_url)


@pytest.fixture
def bank(factory: sessionmaker[Session]) -> Bank:
    with factory() as session:
        return register_bank(session, BANK)


@pytest.fixture
def admin(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _endpoint(client_id: str) -> str:
    return f"/admin/v1/clients/{client_id}/push-endpoint"


def test_the_operator_registers_reads_and_removes_an_endpoint(
    admin: TestClient, bank: Bank
) -> None:
    url = "https://bank.example/samtykke/events"
    registered = admin.put(_endpoint(bank.client_id), json={"url": url}, headers=ADMIN)
    assert registered.status_code == 200, registered.text
    assert (registered.json()["url"], registered.json()["pending"]) == (url, 0)
    assert admin.get(_endpoint(bank.client_id), headers=ADMIN).json()["url"] == url
    token = {"Authorization": f"Bearer {bank.token(admin.app)}"}  # type: ignore[arg-type]
    own = admin.get("/consent/v1/consentrequest-events/push-endpoint", headers=token)
    assert own.json()["url"] == url

    assert admin.delete(_endpoint(bank.client_id), headers=ADMIN).status_code == 204
    gone = admin.get(_endpoint(bank.client_id), headers=ADMIN)
    assert (gone.status_code, gone.json()["code"]) == (404, "no-push-endpoint")
    replay = admin.post(f"/admin/v1/clients/{bank.client_id}/push-replay", json={}, headers=ADMIN)
    assert replay.json()["code"] == "no-push-endpoint"


@pytest.mark.parametrize(
    "url",
    [
        "http://bank.example/events",  # http only on the loopback
        "https://user:secret@bank.example/events",
        "https://bank.example/events#part",
        "/events",
    ],
)
def test_an_unfit_endpoint_is_refused(admin: TestClient, bank: Bank, url: str) -> None:
    refused = admin.put(_endpoint(bank.client_id), json={"url": url}, headers=ADMIN)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "invalid-push-endpoint"


def test_loopback_http_only_outside_production(admin: TestClient, bank: Bank) -> None:
    loopback = "http://127.0.0.1:8200/samtykke/events"
    assert admin.put(_endpoint(bank.client_id), json={"url": loopback}, headers=ADMIN).is_success
    with pytest.raises(ProblemError) as refused:
        service.check_url(loopback, allow_loopback_http=False)
    assert refused.value.code == "invalid-push-endpoint"
    assert service.check_url("https://bank.example/e", allow_loopback_http=False)
    with pytest.raises(ProblemError):  # the CLI's way in has no schema to stop it
        service.check_url("https://bank.example/" + "e" * 2000, allow_loopback_http=True)


def test_an_unknown_client_and_the_admin_guard(admin: TestClient) -> None:
    unknown = admin.put(_endpoint("nobody"), json={"url": "https://b.example/e"}, headers=ADMIN)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "client-not-found")
    unauthorised = admin.put(_endpoint("nobody"), json={"url": "https://b.example/e"})
    assert unauthorised.status_code == 401


def test_the_cli_sets_lists_failures_replays_and_removes(
    settings: Settings, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTYKKE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SAMTYKKE_MODE", "production")
    monkeypatch.setenv("SAMTYKKE_KEY_DIR", str(settings.key_dir))
    runner = CliRunner()
    get_settings.cache_clear()
    try:
        push = ["clients", "set-push-endpoint", bank.client_id]
        refused = runner.invoke(cli, [*push, "http://127.0.0.1:9/events"])
        assert refused.exit_code == 1
        assert "invalid-push-endpoint" in refused.output
        registered = runner.invoke(cli, [*push, "https://bank.example/events"])
        assert registered.exit_code == 0, registered.output
        assert json.loads(registered.output)["url"] == "https://bank.example/events"
        failures = runner.invoke(cli, ["clients", "push-failures", bank.client_id])
        assert (failures.exit_code, failures.output) == (0, "")
        replayed = runner.invoke(cli, ["clients", "replay-push", bank.client_id])
        assert replayed.exit_code == 0, replayed.output
        assert json.loads(replayed.output)["complete"] is True
        removed = runner.invoke(cli, ["clients", "remove-push-endpoint", bank.client_id])
        assert removed.exit_code == 0, removed.output
    finally:
        get_settings.cache_clear()


# The verifier, against the keys a running gateway publishes.


@pytest.fixture
def gateway_url(settings: Settings) -> Iterator[str]:
    with running_server(create_app(settings)) as url:
        yield url


def _token(
    factory: sessionmaker[Session], settings: Settings, bank: Bank, clock: Clock, **claims: Any
) -> str:
    with factory() as session:
        consent_id = new_consent(session, now=clock()).id
        session.commit()
    (event,) = feed_of(factory, consent_id)
    genuine = tokens.claims_of(
        event, issuer=settings.issuer_url, audience=bank.client_id, issued_at=clock()
    )
    return tokens.sign(KeyStore(settings.key_dir), {**genuine, **claims})


@pytest.mark.parametrize(
    ("claims", "err"),
    [
        ({"iss": "https://elsewhere.example"}, "invalid_issuer"),
        ({"aud": "another-client"}, "invalid_audience"),
        ({"events": {"urn:example:other": {}}}, "invalid_request"),
        ({"iat": None}, "invalid_request"),
    ],
)
def test_the_verifier_refuses_what_is_not_for_this_client(
    gateway_url: str,
    *,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Bank,
    claims: dict[str, Any],
    err: str,
) -> None:
    clock = Clock()
    verifier = verifier_for(gateway_url, bank, settings, clock)
    with pytest.raises(InvalidEventError) as refused:
        verifier.verify(_token(factory, settings, bank, clock, **claims))
    assert refused.value.err == err
    assert refused.value.response_body()["err"] == err


def test_the_verifier_refuses_forgeries_stale_tokens_and_replays(
    gateway_url: str, factory: sessionmaker[Session], settings: Settings, bank: Bank
) -> None:
    clock = Clock()
    verifier = verifier_for(gateway_url, bank, settings, clock)
    genuine = _token(factory, settings, bank, clock)

    # Signed by someone else under the gateway's key id.
    gateway_kid = KeyStore(settings.key_dir).signing_key(KeyPurpose.SECURITY_EVENT).kid
    impostor = ECKey.generate_key("P-256", parameters={"kid": str(gateway_kid)}, private=True)
    header = {"alg": "ES256", "kid": str(gateway_kid), "typ": "secevent+jwt"}
    payload = jws.extract_compact(genuine.encode()).payload
    with pytest.raises(InvalidEventError) as forged:
        verifier.verify(jws.serialize_compact(header, payload, impostor))
    assert forged.value.err == "invalid_key"
    with pytest.raises(InvalidEventError) as mistyped:
        verifier.verify(jws.serialize_compact({**header, "typ": "JWT"}, payload, impostor))
    assert mistyped.value.err == "invalid_request"

    clock.advance(timedelta(minutes=10).total_seconds())
    with pytest.raises(InvalidEventError) as stale:
        verifier.verify(genuine)
    assert stale.value.err == "invalid_request"

    fresh = _token(factory, settings, bank, clock)
    assert verifier.verify(fresh).event_type == "created"
    with pytest.raises(ReplayedEventError):
        verifier.verify(fresh)


def test_the_verifier_follows_a_key_rotation(
    gateway_url: str, factory: sessionmaker[Session], settings: Settings, bank: Bank
) -> None:
    clock = Clock()
    verifier = verifier_for(gateway_url, bank, settings, clock)
    assert verifier.verify(_token(factory, settings, bank, clock)).event_type == "created"
    KeyStore(settings.key_dir).rotate(KeyPurpose.SECURITY_EVENT)
    clock.advance(61)  # the keys are fetched again at most once a minute
    assert verifier.verify(_token(factory, settings, bank, clock)).event_type == "created"
