"""Clients' public keys, imported once per key set and fetched from jwks_uri when registered so."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
from joserfc.jwk import KeySet

from gateway.oauth.clients import OAuthClient

JWKS_URI_CACHE_SECONDS = 300
JWKS_URI_TIMEOUT_SECONDS = 3.0


def fetch_jwks(uri: str) -> dict[str, Any]:
    response = httpx.get(uri, timeout=JWKS_URI_TIMEOUT_SECONDS, follow_redirects=False)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


class ClientKeys:
    """A per-process cache of imported key sets; a changed registration is a new cache key."""

    def __init__(self, fetch: Any = fetch_jwks) -> None:
        self._fetch = fetch
        self._by_value: dict[str, KeySet] = {}
        self._by_uri: dict[str, tuple[float, KeySet]] = {}
        self._lock = threading.Lock()

    def of(self, client: OAuthClient) -> KeySet:
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
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        try:
            key_set = KeySet.import_key_set(self._fetch(record.jwks_uri))
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return KeySet([])  # an unreachable jwks_uri verifies nothing: fail closed
        with self._lock:
            self._by_uri[record.jwks_uri] = (time.monotonic() + JWKS_URI_CACHE_SECONDS, key_set)
        return key_set
