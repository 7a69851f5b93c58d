"""Clients' public keys, imported once per key set and fetched from jwks_uri when registered so."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
from joserfc.jwk import KeySet

from gateway.clients.jwks import check_public_jwks
from gateway.oauth.clients import OAuthClient
from gateway.problems import ProblemError

JWKS_URI_CACHE_SECONDS = 300
JWKS_URI_TIMEOUT_SECONDS = 3.0
JWKS_URI_MIN_REFRESH_SECONDS = 10


def fetch_jwks(uri: str) -> dict[str, Any]:
    response = httpx.get(uri, timeout=JWKS_URI_TIMEOUT_SECONDS, follow_redirects=False)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


class ClientKeys:
    """A per-process cache of imported key sets; a changed registration is a new cache key."""

    def __init__(
        self, fetch: Any = fetch_jwks, min_refresh_seconds: float = JWKS_URI_MIN_REFRESH_SECONDS
    ) -> None:
        # An unknown kid triggers a re-fetch, at most this often, so that
        # forged assertions cannot make the gateway hammer a bank's server.
        self._min_refresh_seconds = min_refresh_seconds
        self._fetch = fetch
        self._by_value: dict[str, KeySet] = {}
        self._by_uri: dict[str, tuple[float, KeySet]] = {}
        self._lock = threading.Lock()

    def of(self, client: OAuthClient, refresh: bool = False) -> KeySet:
        """The client's keys; `refresh` re-fetches a jwks_uri (at most every 10 s)."""
        record = client.record
        if record.jwks is not None:
            cache_key = json.dumps(record.jwks, sort_keys=True)
            with self._lock:
                cached = self._by_value.get(cache_key)
            if cached is None:
                cached = KeySet.import_key_set(record.jwks)  # type: ignore[arg-type]
                with self._lock:
                    self._by_value[cache_key] = cached
            return cached
        assert record.jwks_uri is not None
        with self._lock:
            entry = self._by_uri.get(record.jwks_uri)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            fetched_at = entry[0] - JWKS_URI_CACHE_SECONDS
            if not refresh or now - fetched_at < self._min_refresh_seconds:
                return entry[1]
        try:
            document = check_public_jwks(self._fetch(record.jwks_uri))
            key_set = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (httpx.HTTPError, ValueError, KeyError, TypeError, ProblemError):
            return KeySet([])  # an unreachable or unfit jwks_uri verifies nothing: fail closed
        with self._lock:
            self._by_uri[record.jwks_uri] = (time.monotonic() + JWKS_URI_CACHE_SECONDS, key_set)
        return key_set
