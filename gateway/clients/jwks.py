"""Checking a client's public keys before they are stored."""

from __future__ import annotations

from typing import Any, cast

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gateway.problems import ProblemError

# Members that exist only in private keys (RFC 7518 §6): such keys are refused.
PRIVATE_KEY_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
ALLOWED_KEY_TYPES = {"EC": {"P-256"}, "OKP": {"Ed25519"}, "RSA": set()}
MIN_RSA_BITS = 2048
MAX_KEYS = 10


def _invalid(detail: str) -> ProblemError:
    return ProblemError(400, "invalid-jwks", "The client's key set is not acceptable", detail)


def has_private_members(key: dict[str, Any]) -> bool:
    return bool(PRIVATE_KEY_MEMBERS & key.keys())


def check_public_jwks(jwks: Any) -> dict[str, Any]:
    """Return `jwks` when it holds 1 to 10 public signing keys with distinct kids."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise _invalid("Send a JWK Set: an object with a 'keys' array.")
    keys: list[Any] = jwks["keys"]
    if not 1 <= len(keys) <= MAX_KEYS:
        raise _invalid(f"A key set holds between 1 and {MAX_KEYS} keys.")
    kids: set[str] = set()
    for key in keys:
        if not isinstance(key, dict):
            raise _invalid("Every key must be a JSON object.")
        if has_private_members(key):
            raise _invalid("A key set must hold public keys only; remove the private members.")
        kid = key.get("kid")
        if not isinstance(kid, str) or not kid or kid in kids:
            raise _invalid("Every key needs a kid of its own, so keys can be rotated.")
        kids.add(kid)
        kty = key.get("kty")
        if kty not in ALLOWED_KEY_TYPES:
            raise _invalid(f"Key '{kid}': use an EC P-256, RSA or Ed25519 key.")
        curves = ALLOWED_KEY_TYPES[kty]
        if curves and key.get("crv") not in curves:
            raise _invalid(f"Key '{kid}': use the curve P-256 (EC) or Ed25519 (OKP).")
        if key.get("use", "sig") != "sig":
            raise _invalid(f"Key '{kid}': the key must be meant for signatures (use=sig).")
    try:
        imported = KeySet.import_key_set(cast(Any, jwks))
    except (JoseError, ValueError, TypeError) as error:
        raise _invalid("The key set could not be read as JWKs.") from error
    for key in imported.keys:
        if key.key_type == "RSA" and key.raw_value.key_size < MIN_RSA_BITS:  # type: ignore[union-attr]
            raise _invalid(f"Key '{key.kid}': RSA keys need at least {MIN_RSA_BITS} bits.")
    return {"keys": keys}
