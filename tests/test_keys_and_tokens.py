"""Signing keys survive restarts and rotations; access tokens verify only when genuine."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gateway.keys import KeyPurpose, KeyStore, generate_key
from gateway.security.access_tokens import (
    AccessToken,
    InvalidAccessTokenError,
    issue_access_token,
    verify_access_token,
)
from gateway.security.dependencies import require_scope
from tests.banks import register_agency

ISSUER = "http://testserver"


def test_keys_are_made_once_and_reloaded(tmp_path: Path) -> None:
    first = KeyStore(tmp_path).signing_key(KeyPurpose.ACCESS_TOKEN)
    again = KeyStore(tmp_path).signing_key(KeyPurpose.ACCESS_TOKEN)
    assert first.kid == again.kid
    assert (tmp_path / "access-token.jwks.json").stat().st_mode & 0o777 == 0o600


def test_rotation_keeps_old_tokens_verifiable(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    old_token, _ = issue_access_token(keys, issuer=ISSUER, client_id="c1", scopes=["a"])
    new_kid = keys.rotate(KeyPurpose.ACCESS_TOKEN)
    assert keys.signing_key(KeyPurpose.ACCESS_TOKEN).kid == new_kid
    assert verify_access_token(keys, old_token, issuer=ISSUER).client_id == "c1"
    published = {key["kid"] for key in keys.public_jwks(KeyPurpose.ACCESS_TOKEN)["keys"]}
    assert new_kid in published
    assert len(published) == 2
    assert all("d" not in key for key in keys.public_jwks(KeyPurpose.ACCESS_TOKEN)["keys"])


def test_forged_expired_and_foreign_tokens_are_refused(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    stranger = generate_key("ES256")
    forged = jwt.encode(
        {"alg": "ES256", "typ": "at+jwt", "kid": str(stranger.kid)},
        {"iss": ISSUER, "aud": ISSUER, "client_id": "c", "jti": "j", "iat": 1, "exp": 2**40},
        stranger,
    )
    expired, _ = issue_access_token(
        keys, issuer=ISSUER, client_id="c", scopes=[], now=int(time.time()) - 1000
    )
    foreign, _ = issue_access_token(keys, issuer="http://elsewhere", client_id="c", scopes=[])
    for token in (forged, expired, foreign, "not-a-jwt"):
        with pytest.raises(InvalidAccessTokenError):
            verify_access_token(keys, token, issuer=ISSUER)


def test_require_scope_answers_401_and_403(tmp_path: Path, app: FastAPI, engine: Engine) -> None:
    @app.get("/guarded")
    def guarded(
        token: Annotated[AccessToken, Depends(require_scope("audit:read"))],
    ) -> dict[str, str]:
        return {"client": token.client_id}

    keys: KeyStore = app.state.keys
    with Session(engine) as session:
        agency = register_agency(session, "974760673")
    good, _ = issue_access_token(keys, issuer=ISSUER, client_id=agency, scopes=["audit:read"])
    narrow, _ = issue_access_token(keys, issuer=ISSUER, client_id=agency, scopes=["other"])
    bound, _ = issue_access_token(
        keys, issuer=ISSUER, client_id=agency, scopes=["audit:read"], confirmation_jkt="x"
    )
    stranger, _ = issue_access_token(keys, issuer=ISSUER, client_id="gone", scopes=["audit:read"])
    with TestClient(app) as client:
        assert client.get("/guarded").json()["code"] == "invalid-token"
        ok = client.get("/guarded", headers={"authorization": f"Bearer {good}"})
        assert ok.json() == {"client": agency}
        # A token of a client the registry does not know (any more) is refused.
        unknown = client.get("/guarded", headers={"authorization": f"Bearer {stranger}"})
        assert unknown.json()["code"] == "invalid-token"
        scoped = client.get("/guarded", headers={"authorization": f"Bearer {narrow}"})
        assert scoped.status_code == 403
        assert scoped.json()["code"] == "insufficient-scope"
        # Without a DPoP verifier installed, a sender-constrained token is refused.
        unbound = client.get("/guarded", headers={"authorization": f"Bearer {bound}"})
        assert unbound.status_code == 401


def _current_registry_kid(key_dir: str, results: multiprocessing.Queue[str | None]) -> None:
    results.put(KeyStore(Path(key_dir)).signing_key(KeyPurpose.REGISTRY_CLIENT).kid)


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    # Each round is a fresh folder that several processes open at once; a reader
    # that saw a half-written file would crash or come back with a key of its own.
    context = multiprocessing.get_context("fork")
    for round_number in range(8):
        key_dir = tmp_path / str(round_number)
        results: multiprocessing.Queue[str | None] = context.Queue()
        processes = [
            context.Process(target=_current_registry_kid, args=(str(key_dir), results))
            for _ in range(4)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        assert [process.exitcode for process in processes] == [0, 0, 0, 0]
        assert len({results.get() for _ in processes}) == 1
        assert [path.name for path in key_dir.iterdir()] == ["registry-client.jwks.json"]
