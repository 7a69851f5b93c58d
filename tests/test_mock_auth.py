"""The mocks' token check, including its cache of verified tokens."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from joserfc import jwt

from gateway.keys import KeyPurpose, KeyStore
from mock_registries.auth import GatewayTokenVerifier, TokenRejected

AUDIENCE = "https://api.skatteetaten.no"


def _token(keys: KeyStore, now: int, **overrides: object) -> str:
    key = keys.signing_key(KeyPurpose.REGISTRY_CLIENT)
    claims = {"iss": "gw", "aud": AUDIENCE, "scope": "a b", "iat": now, "exp": now + 60,
              "jti": "j", **overrides}  # fmt: skip
    return jwt.encode({"alg": "ES256", "typ": "JWT", "kid": key.kid}, claims, key)


def _verifier(keys: KeyStore) -> GatewayTokenVerifier:
    return GatewayTokenVerifier(
        audience=AUDIENCE, jwks=keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)
    )


def test_a_cached_token_is_still_checked_for_scope_and_expiry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = KeyStore(tmp_path)
    verifier = _verifier(keys)
    now = int(time.time())
    bearer = f"Bearer {_token(keys, now)}"
    assert asyncio.run(verifier.verify(bearer, "a"))["scope"] == "a b"
    with pytest.raises(TokenRejected) as wrong_scope:
        asyncio.run(verifier.verify(bearer, "c"))  # served from the cache
    assert wrong_scope.value.status == 403
    monkeypatch.setattr(time, "time", lambda: now + 3600)
    with pytest.raises(TokenRejected) as expired:
        asyncio.run(verifier.verify(bearer, "a"))
    assert expired.value.status == 401


def test_a_refused_token_is_not_cached(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    verifier = _verifier(keys)
    now = int(time.time())
    wrong_audience = f"Bearer {_token(keys, now, aud='https://elsewhere')}"
    for _ in range(2):
        with pytest.raises(TokenRejected) as rejected:
            asyncio.run(verifier.verify(wrong_audience, "a"))
        assert rejected.value.status == 401


def test_a_token_from_an_unknown_key_is_refused_without_a_jwks_url(tmp_path: Path) -> None:
    verifier = _verifier(KeyStore(tmp_path / "gateway"))
    stranger = KeyStore(tmp_path / "stranger")
    with pytest.raises(TokenRejected) as rejected:
        asyncio.run(verifier.verify(f"Bearer {_token(stranger, int(time.time()))}", "a"))
    assert rejected.value.status == 401
