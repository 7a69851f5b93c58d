"""The bank client library's assertions and DPoP proofs follow RFC 7523 and RFC 9449."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from samtykke_client import generate_private_jwk, public_jwks
from samtykke_client.keys import import_private_jwk
from samtykke_client.proofs import DPoPKey, access_token_hash, client_assertion, htu


@pytest.mark.parametrize("algorithm", ["ES256", "PS256", "EdDSA"])
def test_client_assertion_verifies_with_the_published_key(algorithm: str) -> None:
    private = generate_private_jwk(algorithm)
    assertion = client_assertion(
        import_private_jwk(private), client_id="bank-1", audience="http://gw", now=1_000
    )
    keys = KeySet.import_key_set(public_jwks(private))  # type: ignore[arg-type]
    decoded = jwt.decode(assertion, keys, [algorithm])
    assert decoded.header["kid"] == private["kid"]
    claims = decoded.claims
    assert (claims["iss"], claims["sub"], claims["aud"]) == ("bank-1", "bank-1", "http://gw")
    assert claims["exp"] - claims["iat"] <= 120
    assert claims["jti"]
    assert "d" not in public_jwks(private)["keys"][0]


def test_unsupported_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        generate_private_jwk("HS256")


def test_dpop_proof_carries_method_url_token_hash_and_nonce() -> None:
    dpop = DPoPKey()
    proof = dpop.proof(
        "get", "https://gw.example/data/v1/inntekt?fraogmed=2025-01", access_token="tok", nonce="n1"
    )
    header = jwt.decode(proof, ECKey.import_key(dpop.key.as_dict(private=False))).header
    assert header["typ"] == "dpop+jwt"
    assert "d" not in header["jwk"]
    claims = jwt.decode(proof, dpop.key).claims
    assert claims["htm"] == "GET"
    assert claims["htu"] == "https://gw.example/data/v1/inntekt"
    assert claims["ath"] == access_token_hash("tok")
    assert claims["nonce"] == "n1"
    assert ECKey.import_key(header["jwk"]).thumbprint() == dpop.thumbprint


def test_access_token_hash_matches_rfc_9449_example() -> None:
    # RFC 9449, section 7.1: the example access token and its ath.
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    assert access_token_hash(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"


def test_htu_drops_query_and_fragment() -> None:
    assert htu("https://a.example:8443/p/q?x=1#f") == "https://a.example:8443/p/q"
