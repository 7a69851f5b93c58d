"""Verifying the gateway's registry tokens, as the real registries verify Maskinporten's.

A token must be a JWT (``typ`` JWT, ES256) signed with a key of the
gateway's registry-client key set, for this registry's audience, unexpired,
short-lived (at most 120 s), with ``iss``, ``iat`` and ``jti``, and carry the
dataset's scope. The key set is given to the app factory (tests) or fetched
from the gateway's JWKS URL on first use and again when an unknown key id
shows up (after a rotation).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

LEEWAY_SECONDS = 10
MAX_LIFETIME_SECONDS = 120
ALGORITHMS = ["ES256"]
MAX_CACHED_TOKENS = 1024


class TokenRejected(Exception):  # noqa: N818  (mirrors the registries' wording)
    """401 when the token is missing or invalid, 403 when it lacks the scope."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class GatewayTokenVerifier:
    def __init__(
        self, *, audience: str, jwks: dict[str, Any] | None = None, jwks_url: str | None = None
    ) -> None:
        self.audience = audience
        self._jwks_url = jwks_url
        self._keys: KeySet | None = KeySet.import_key_set(jwks) if jwks else None  # type: ignore[arg-type]
        self._lock = asyncio.Lock()
        # Verified tokens until they expire: the gateway reuses a token for many calls,
        # so checking its signature again on every call would be wasted work.
        self._verified: dict[str, dict[str, Any]] = {}

    async def _key_set(self, kid: str | None, *, refresh: bool = False) -> KeySet:
        async with self._lock:
            known = self._keys is not None and (kid is None or _has_kid(self._keys, kid))
            if self._keys is not None and (known or not self._jwks_url) and not refresh:
                return self._keys
            if not self._jwks_url:
                raise TokenRejected(401, "no keys to verify the token with")
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    response = await client.get(self._jwks_url)
                    response.raise_for_status()
                    self._keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError, JoseError) as error:
                raise TokenRejected(401, f"the gateway's keys are unavailable: {error}") from None
            return self._keys

    async def verify(self, authorization: str | None, scope: str) -> dict[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TokenRejected(401, "a bearer token is required")
        claims = self._verified.get(token)
        if claims is None or int(claims["exp"]) + LEEWAY_SECONDS < time.time():
            claims = await self._verify_signature_and_claims(token)
            if len(self._verified) >= MAX_CACHED_TOKENS:
                self._verified.clear()
            self._verified[token] = claims
        if scope not in str(claims.get("scope", "")).split():
            raise TokenRejected(403, f"the token lacks the scope {scope}")
        return claims

    async def _verify_signature_and_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError):
            raise TokenRejected(401, "the token is not a JWT") from None
        if header.get("typ") != "JWT" or header.get("alg") not in ALGORITHMS:
            raise TokenRejected(401, "the token has the wrong type or algorithm")
        kid = header.get("kid")
        keys = await self._key_set(kid if isinstance(kid, str) else None)
        try:
            decoded = jwt.decode(token, keys, ALGORITHMS)
            JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                iat={"essential": True},
                jti={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise TokenRejected(401, f"the token is invalid: {error}") from None
        claims = decoded.claims
        if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME_SECONDS:
            raise TokenRejected(401, "the token lives too long")
        return claims


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)
