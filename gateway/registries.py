"""The registry clients of the process, and the tokens the gateway presents to the registries.

One client per registry lives for the whole process (connection pools are
shared by every request) and is closed on shutdown. Each registry gets
short-lived JWTs signed with the gateway's registry-client key: ``typ`` JWT,
ES256, ``iss`` the gateway, ``aud`` the registry's audience identifier
(``connectors.skatteetaten.AUDIENCE``, ``connectors.brreg.AUDIENCE``, ...), the
dataset's ``scope``, ``iat``, ``exp`` 60 s later and a fresh ``jti``. A token is
reused per scope until shortly before it expires. The public keys are
published at ``/.well-known/registry-client-jwks.json`` for the registries.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from joserfc import jwt

from connectors import brreg, fiskeri, landbruk, skatteetaten
from connectors.brreg import BrregClient
from connectors.fiskeri import FiskeriClient
from connectors.landbruk import LandbrukClient
from connectors.resilience import ResilienceSettings
from connectors.skatteetaten import SkatteetatenClient
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import Settings

TOKEN_LIFETIME_SECONDS = 60
# A cached token is replaced this long before it expires, so it never expires in flight.
REFRESH_MARGIN_SECONDS = 15
JWKS_PATH = "/.well-known/registry-client-jwks.json"


class RegistryTokenSigner:
    """A `token_provider` for one registry: scope in, bearer token out. Thread-safe."""

    def __init__(
        self,
        keys: KeyStore,
        *,
        issuer: str,
        audience: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, int]] = {}

    def __call__(self, scope: str) -> str:
        now = int(self._clock())
        with self._lock:
            cached = self._cache.get(scope)
            if cached is not None and cached[1] - REFRESH_MARGIN_SECONDS > now:
                return cached[0]
            token = self._sign(scope, now)
            self._cache[scope] = (token, now + TOKEN_LIFETIME_SECONDS)
            return token

    def _sign(self, scope: str, now: int) -> str:
        key = self._keys.signing_key(KeyPurpose.REGISTRY_CLIENT)
        header = {
            "alg": self._keys.algorithm(KeyPurpose.REGISTRY_CLIENT),
            "typ": "JWT",
            "kid": str(key.kid),
        }
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "scope": scope,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(header, claims, key)


@dataclass(frozen=True)
class Registries:
    skatteetaten: SkatteetatenClient
    brreg: BrregClient
    landbruk: LandbrukClient
    fiskeri: FiskeriClient

    def close(self) -> None:
        self.skatteetaten.close()
        self.brreg.close()
        self.landbruk.close()
        self.fiskeri.close()


def registry_resilience(settings: Settings) -> ResilienceSettings:
    """The connectors' timeouts, retries and circuit breaker, as the settings say."""
    return ResilienceSettings(
        connect_timeout=settings.registry_connect_timeout_seconds,
        read_timeout=settings.registry_read_timeout_seconds,
        deadline=settings.registry_deadline_seconds,
        max_attempts=settings.registry_max_attempts,
        backoff_base=settings.registry_backoff_base_seconds,
        backoff_max=settings.registry_backoff_max_seconds,
        failure_threshold=settings.registry_circuit_failure_threshold,
        reset_after=settings.registry_circuit_reset_seconds,
    )


def build_registries(settings: Settings, keys: KeyStore) -> Registries:
    resilience = registry_resilience(settings)

    def signer(audience: str) -> RegistryTokenSigner:
        return RegistryTokenSigner(keys, issuer=settings.issuer_url, audience=audience)

    return Registries(
        skatteetaten=SkatteetatenClient(
            settings.skatteetaten_base_url, signer(skatteetaten.AUDIENCE), resilience
        ),
        brreg=BrregClient(settings.brreg_base_url, signer(brreg.AUDIENCE), resilience),
        landbruk=LandbrukClient(settings.landbruk_base_url, signer(landbruk.AUDIENCE), resilience),
        fiskeri=FiskeriClient(settings.fiskeri_base_url, signer(fiskeri.AUDIENCE), resilience),
    )


router = APIRouter(tags=["registries"])


@router.get(
    JWKS_PATH,
    summary="The public keys of the gateway's registry tokens",
    description="The registries verify the gateway's bearer tokens with these keys.",
)
def registry_client_jwks(request: Request) -> dict[str, Any]:
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)
