"""The gateway's published public keys for one purpose (events, answers), as a verifier needs them.

Fetched from the gateway's well-known URL when first needed, and fetched again when a
signature names a key id the set does not hold (the gateway rotated its keys), at most
once every ``KEY_REFRESH_SECONDS`` so that forged key ids cannot make a verifier hammer
the gateway. A key set saved earlier can be given instead, to verify offline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from samtykke_client.errors import TransportError

KEY_REFRESH_SECONDS = 60.0


class PublishedKeys:
    """One purpose's key set, fetched and refreshed on rotation. Thread-safe."""

    def __init__(
        self,
        keys_url: str,
        *,
        what: str,
        http: httpx.Client | None = None,
        jwks: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys_url = keys_url
        self._what = what  # named in the error when they cannot be fetched
        self._static = jwks is not None
        self._keys: KeySet | None = KeySet.import_key_set(jwks) if jwks is not None else None  # type: ignore[arg-type]
        self._http = http
        self._owns_http = False
        self._clock = clock
        self._lock = threading.Lock()
        self._fetched_at = float("-inf")

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()

    def for_kid(self, kid: str) -> KeySet:
        """The key set, fetched again first when it lacks `kid` and may be refreshed."""
        with self._lock:
            if self._static:
                assert self._keys is not None
                return self._keys
            known = self._keys is not None and any(key.kid == kid for key in self._keys.keys)
            due = self._clock() - self._fetched_at >= KEY_REFRESH_SECONDS
            if self._keys is None or (not known and due):
                self._keys = self._fetch()
                self._fetched_at = self._clock()
            return self._keys

    def _fetch(self) -> KeySet:
        if self._http is None:
            self._http = httpx.Client(timeout=10.0)
            self._owns_http = True
        try:
            response = self._http.get(self._keys_url)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as error:
            raise TransportError(
                f"the gateway's {self._what} keys are unavailable: {error}"
            ) from error
