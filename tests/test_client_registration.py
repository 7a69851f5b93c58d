"""Registering clients: the organisation check, the key check, the admin API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from consent.audit.models import AuditEntry
from consent.storage.database import create_session_factory
from gateway.app import create_app
from gateway.cli import app as cli
from gateway.cli import clients as clients_cli
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import Settings, get_settings
from tests.oauth_helpers import BANK_ORG, ORGANISATIONS, new_key, public_jwks

ADMIN_TOKEN = "admin-secret-for-tests"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def admin(settings: Settings) -> Any:
    settings = settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)})
    app = create_app(settings)
    app.state.organisation_lookup = ORGANISATIONS
    with TestClient(app) as client:
        yield client


def _bank(**changes: Any) -> dict[str, Any]:
    return {
        "organisation_number": BANK_ORG,
        "name": "Fjordbanken",
        "jwks": public_jwks(new_key()),
        "redirect_uris": ["https://bank.example/callback"],
        "data_products": ["summert-skattegrunnlag"],
        **changes,
    }


def test_a_bank_is_registered_and_audited(admin: TestClient, engine: Engine) -> None:
    answer = admin.post("/admin/v1/clients", json=_bank(), headers=ADMIN)
    assert answer.status_code == 201, answer.text
    client = answer.json()
    assert client["kind"] == "bank"
    assert client["scopes"] == ["samtykke:consentrequests", "samtykke:data"]
    assert client["status"] == "active"
    listed = admin.get("/admin/v1/clients", headers=ADMIN).json()
    assert client["client_id"] in {item["client_id"] for item in listed}
    with create_session_factory(engine)() as session:
        events = session.scalars(
            select(AuditEntry).where(AuditEntry.event_type == "client:registration:created")
        ).all()
    assert any(event.details["clientId"] == client["client_id"] for event in events)
    disabled = admin.post(f"/admin/v1/clients/{client['client_id']}/disable", headers=ADMIN)
    assert disabled.json()["status"] == "disabled"


def test_an_agency_gets_audit_read(admin: TestClient) -> None:
    registration = {"kind": "agency", "organisation_number": "974760673", "name": "Skatteetaten"}
    registration["jwks"] = public_jwks(new_key())  # type: ignore[assignment]
    answer = admin.post("/admin/v1/clients", json=registration, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    assert answer.json()["scopes"] == ["audit:read"]


@pytest.mark.parametrize(
    ("organisation_number", "code"),
    [
        ("123456789", "invalid-organisation-number"),
        ("910000004", "organisation-not-found"),
        ("914778271", "organisation-removed"),
        ("995568217", "organisation-bankrupt"),
        ("971526920", "organisation-under-liquidation"),
        ("916209118", "organisation-under-forced-dissolution"),
        ("923609016", "organisation-not-financial-institution"),
    ],
)
def test_each_unfit_organisation_is_refused_with_its_code(
    admin: TestClient, organisation_number: str, code: str
) -> None:
    answer = admin.post(
        "/admin/v1/clients", json=_bank(organisation_number=organisation_number), headers=ADMIN
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == code


def test_keys_and_redirect_uris_are_checked(admin: TestClient) -> None:
    key = new_key()
    cases = [
        ({"jwks": {"keys": [key.as_dict(private=True)]}}, "invalid-jwks"),
        ({"jwks": None}, "invalid-jwks"),
        ({"jwks_uri": "https://bank.example/jwks"}, "invalid-jwks"),
        ({"jwks": {"keys": [{**key.as_dict(private=False), "kid": ""}]}}, "invalid-jwks"),
        ({"redirect_uris": ["http://bank.example/cb"]}, "invalid-redirect-uri"),
        ({"redirect_uris": ["https://bank.example/cb#x"]}, "invalid-redirect-uri"),
        ({"data_products": ["Not A Product"]}, "invalid-data-product"),
    ]
    for change, code in cases:
        answer = admin.post("/admin/v1/clients", json=_bank(**change), headers=ADMIN)
        assert answer.json().get("code") == code, (change, answer.text)


def test_the_admin_api_fails_closed(client: TestClient, admin: TestClient, app: FastAPI) -> None:
    # No admin token configured: everything is refused.
    assert client.get("/admin/v1/clients").json()["code"] == "admin-api-disabled"
    wrong = admin.get("/admin/v1/clients", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert admin.get("/admin/v1/clients").status_code == 401


def test_without_an_organisation_register_nothing_is_registered(settings: Settings) -> None:
    settings = settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)})
    with TestClient(create_app(settings)) as client:
        answer = client.post("/admin/v1/clients", json=_bank(), headers=ADMIN)
    assert answer.status_code == 503
    assert answer.json()["code"] == "organisation-register-unavailable"


def test_the_cli_registers_lists_and_disables(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTYKKE_DATABASE_URL", database_url)
    monkeypatch.setattr(clients_cli, "organisation_lookup", lambda settings: ORGANISATIONS)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(public_jwks(new_key())))
    runner = CliRunner()
    get_settings.cache_clear()
    try:
        arguments = ["clients", "register", "--organisation-number", BANK_ORG, "--name", "Bank"]
        arguments += ["--jwks-file", str(jwks_file), "--data-product", "summert-skattegrunnlag"]
        registered = runner.invoke(cli, arguments)
        assert registered.exit_code == 0, registered.output
        client_id = json.loads(registered.output)["client_id"]
        listed = runner.invoke(cli, ["clients", "list"])
        assert client_id in listed.output
        assert runner.invoke(cli, ["clients", "disable", client_id]).exit_code == 0
        bankrupt = ["clients", "register", "--organisation-number", "995568217"]
        refused = runner.invoke(cli, [*bankrupt, "--name", "K", "--jwks-file", str(jwks_file)])
        assert refused.exit_code == 1
        assert "organisation-bankrupt" in refused.output
    finally:
        get_settings.cache_clear()


def test_keys_rotate_from_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMTYKKE_KEY_DIR", str(tmp_path))
    before = KeyStore(tmp_path).signing_key(KeyPurpose.ACCESS_TOKEN).kid
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["keys", "rotate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    keys = KeyStore(tmp_path)
    assert keys.signing_key(KeyPurpose.ACCESS_TOKEN).kid != before
    assert before in {key["kid"] for key in keys.public_jwks(KeyPurpose.ACCESS_TOKEN)["keys"]}


def test_keys_create_makes_the_missing_sets_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTYKKE_KEY_DIR", str(tmp_path))
    existing = KeyStore(tmp_path).signing_key(KeyPurpose.ACCESS_TOKEN).kid
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli, ["keys", "create"])
        again = runner.invoke(cli, ["keys", "create"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert first.output == again.output  # nothing made twice
    assert sorted(path.name for path in tmp_path.glob("*.jwks.json")) == sorted(
        f"{purpose.value}.jwks.json" for purpose in KeyPurpose
    )
    assert KeyStore(tmp_path).signing_key(KeyPurpose.ACCESS_TOKEN).kid == existing
    assert f"access-token: current key {existing}" in first.output
