"""A registered client as Authlib sees it (its ClientMixin), plus where its keys come from."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin

from consent.clients.models import Client, ClientKind
from gateway.security.scopes import DATA_READ

PRIVATE_KEY_JWT = "private_key_jwt"

# Fetches a client's JWK Set from its jwks_uri (cached by the implementation).
JwksFetcher = Callable[[str], dict[str, Any]]


class OAuthClient(ClientMixin):  # type: ignore[misc]
    def __init__(self, record: Client) -> None:
        self.record = record

    @property
    def client_id(self) -> str:
        return self.record.client_id

    @property
    def organisation_number(self) -> str:
        return self.record.organisation_number

    @property
    def is_bank(self) -> bool:
        return self.record.kind == ClientKind.BANK.value

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_default_redirect_uri(self) -> str | None:
        # FAPI 2.0: the redirect URI is always sent and must match exactly.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.record.scopes)
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.record.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # there are no secrets: private_key_jwt only

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == PRIVATE_KEY_JWT

    def check_response_type(self, response_type: str) -> bool:
        return self.is_bank and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials":
            return True
        return self.is_bank and grant_type == "authorization_code"

    def may_fetch_data(self) -> bool:
        return self.is_bank and DATA_READ in self.record.scopes


class ClientCache:
    """Active client records, remembered per process for a few seconds.

    The token endpoint looks its client up on every request; a short cache
    saves that query. Disabling a client therefore takes effect within
    `ttl_seconds` in every process. Unknown and disabled clients are never
    cached, so a new registration works at once.
    """

    def __init__(self, ttl_seconds: float = 5.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._records: dict[str, tuple[float, Client]] = {}
        self._lock = threading.Lock()

    def get(self, client_id: str, load: Callable[[str], Client | None]) -> Client | None:
        now = time.monotonic()
        with self._lock:
            entry = self._records.get(client_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        record = load(client_id)
        if record is None or not record.is_active:
            with self._lock:
                self._records.pop(client_id, None)
            return None
        with self._lock:
            self._records[client_id] = (now + self.ttl_seconds, record)
        return record
