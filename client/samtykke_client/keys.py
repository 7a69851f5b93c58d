"""Key helpers for banks: make a signing key and publish its public half."""

from __future__ import annotations

from typing import Any

from joserfc.jwk import ECKey, KeyParameters, OKPKey, RSAKey

Key = ECKey | OKPKey | RSAKey

_ALGORITHMS = {"ES256", "PS256", "EdDSA"}


def generate_private_jwk(algorithm: str = "ES256") -> dict[str, Any]:
    """A new private JWK for `algorithm` (ES256, PS256 or EdDSA), with a kid."""
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"unsupported algorithm {algorithm}; use one of {sorted(_ALGORITHMS)}")
    parameters: KeyParameters = {"use": "sig", "alg": algorithm}
    key: Key
    if algorithm == "EdDSA":
        key = OKPKey.generate_key("Ed25519", parameters=parameters, private=True)
    elif algorithm == "PS256":
        key = RSAKey.generate_key(2048, parameters=parameters, private=True)
    else:
        key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    key.ensure_kid()
    return key.as_dict(private=True)


def import_private_jwk(data: dict[str, Any]) -> Key:
    kty = data.get("kty")
    if kty == "EC":
        return ECKey.import_key(data)
    if kty == "OKP":
        return OKPKey.import_key(data)
    if kty == "RSA":
        return RSAKey.import_key(data)
    raise ValueError(f"unsupported key type {kty!r}")


def algorithm_of(key: Key) -> str:
    declared = key.get("alg") if hasattr(key, "get") else None
    if isinstance(declared, str):
        return declared
    if isinstance(key, OKPKey):
        return "EdDSA"
    if isinstance(key, RSAKey):
        return "PS256"
    return "ES256"


def public_jwks(*private_jwks: dict[str, Any]) -> dict[str, Any]:
    """The JWKS to register with the gateway: the public halves of `private_jwks`."""
    return {"keys": [import_private_jwk(jwk).as_dict(private=False) for jwk in private_jwks]}
