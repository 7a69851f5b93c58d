"""Introspection and revocation of a client's own tokens, and server-supplied DPoP nonces."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from gateway.app import create_app
from gateway.settings import Settings
from tests.oauth_helpers import ISSUER, Bank, register


def _token(client: TestClient, engine: Engine) -> tuple[str, Bank]:
    bank = register(engine)
    form = bank.token_form(scope="samtykke:consentrequests")
    answer = client.post("/oauth/token", data=form, headers={"DPoP": bank.proof()})
    return answer.json()["access_token"], bank


def test_introspection_shows_own_tokens_only(client: TestClient, engine: Engine) -> None:
    token, bank = _token(client, engine)
    other = register(engine)
    mine = client.post("/oauth/introspect", data=bank.token_form(token=token)).json()
    assert mine["active"] is True
    assert mine["token_type"] == "DPoP"
    assert mine["cnf"] == {"jkt": bank.jkt}
    theirs = client.post("/oauth/introspect", data=other.token_form(token=token)).json()
    assert theirs == {"active": False}
    garbage = client.post("/oauth/introspect", data=other.token_form(token="nonsense")).json()
    assert garbage == {"active": False}
    anonymous = client.post("/oauth/introspect", data={"token": token})
    assert anonymous.json()["error"] == "invalid_client"


def test_revocation_makes_a_token_inactive(client: TestClient, engine: Engine) -> None:
    token, bank = _token(client, engine)
    other = register(engine)
    # Another client's revocation changes nothing, and says nothing.
    assert client.post("/oauth/revoke", data=other.token_form(token=token)).status_code == 200
    assert client.post("/oauth/introspect", data=bank.token_form(token=token)).json()["active"]
    assert client.post("/oauth/revoke", data=bank.token_form(token=token)).status_code == 200
    after = client.post("/oauth/introspect", data=bank.token_form(token=token)).json()
    assert after == {"active": False}


def test_server_nonce_is_demanded_then_accepted(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url,
        issuer_url=ISSUER,
        key_dir=tmp_path / "keys",
        dpop_nonce_secret=SecretStr("nonce-secret"),
    )
    bank = register(engine)
    with TestClient(create_app(settings)) as client:
        form = bank.token_form(scope="samtykke:consentrequests")
        first = client.post("/oauth/token", data=form, headers={"DPoP": bank.proof()})
        assert first.status_code == 400
        assert first.json()["error"] == "use_dpop_nonce"
        nonce = first.headers["DPoP-Nonce"]
        form = bank.token_form(scope="samtykke:consentrequests")
        wrong = client.post("/oauth/token", data=form, headers={"DPoP": bank.proof(nonce="x")})
        assert wrong.json()["error"] == "use_dpop_nonce"
        form = bank.token_form(scope="samtykke:consentrequests")
        second = client.post("/oauth/token", data=form, headers={"DPoP": bank.proof(nonce=nonce)})
        assert second.status_code == 200, second.text
