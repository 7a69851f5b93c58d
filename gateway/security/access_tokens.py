"""JWT access tokens (RFC 9068) signed with the gateway's current access-token key."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from gateway.keys import KeyPurpose, KeyStore

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105  (the RFC 9068 media type, not a secret)
DEFAULT_LIFETIME_SECONDS = 120
# Clock skew tolerated between this gateway's processes.
LEEWAY_SECONDS = 5


class InvalidAccessTokenError(Exception):
    """The token is malformed, forged, expired or not meant for this gateway."""


@dataclass(frozen=True)
class AccessToken:
    """The verified claims of an access token."""

    token_id: str
    client_id: str
    scopes: frozenset[str]
    issued_at: int
    expires_at: int
    confirmation_jkt: str | None = None
    authorization_details: list[dict[str, Any]] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)


def issue_access_token(
    keys: KeyStore,
    *,
    issuer: str,
    client_id: str,
    scopes: list[str],
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    confirmation_jkt: str | None = None,
    extra_claims: dict[str, Any] | None = None,
    now: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """Sign a token; returns it with its claims."""
    issued_at = now if now is not None else int(time.time())
    claims: dict[str, Any] = {
        **(extra_claims or {}),
        "iss": issuer,
        "aud": issuer,
        "sub": client_id,
        "client_id": client_id,
        "scope": " ".join(scopes),
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "jti": str(uuid.uuid4()),
    }
    if confirmation_jkt:
        claims["cnf"] = {"jkt": confirmation_jkt}
    key = keys.signing_key(KeyPurpose.ACCESS_TOKEN)
    header = {"alg": keys.algorithm(KeyPurpose.ACCESS_TOKEN), "typ": ACCESS_TOKEN_TYPE}
    header["kid"] = str(key.kid)
    return jwt.encode(header, claims, key), claims


def verify_access_token(keys: KeyStore, token: str, *, issuer: str) -> AccessToken:
    algorithm = keys.algorithm(KeyPurpose.ACCESS_TOKEN)
    try:
        decoded = jwt.decode(token, keys.verification_keys(KeyPurpose.ACCESS_TOKEN), [algorithm])
        if decoded.header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidAccessTokenError("not an access token")
        JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": issuer},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as error:
        raise InvalidAccessTokenError(str(error)) from error
    claims = decoded.claims
    confirmation = claims.get("cnf")
    return AccessToken(
        token_id=str(claims["jti"]),
        client_id=str(claims["client_id"]),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        issued_at=int(claims["iat"]),
        expires_at=int(claims["exp"]),
        confirmation_jkt=confirmation.get("jkt") if isinstance(confirmation, dict) else None,
        authorization_details=list(claims.get("authorization_details", [])),
        claims=dict(claims),
    )
