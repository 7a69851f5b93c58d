"""A registered client as Authlib sees it (its ClientMixin), plus where its keys come from."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin
from sqlalchemy.orm import Session

from consent.clients import repository
from consent.clients.models import Client, ClientKind, ClientStatus
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
    """Active client records, remembered per process and checked against the database each time.

    The token endpoint looks its client up on every request. A narrow query
    of the client's status and last change (`updated_at`) tells whether the
    remembered record is still the one in the database; only a changed
    client is loaded again. So a disabled client or replaced keys count at
    the very next request, in every process. Unknown and disabled clients
    are never remembered.
    """

    def __init__(self) -> None:
        self._records: dict[str, tuple[tuple[str, datetime], Client]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, client_id: str) -> Client | None:
        return self.at_version(session, client_id, repository.version_of(session, client_id))

    def at_version(
        self, session: Session, client_id: str, version: tuple[str, datetime] | None
    ) -> Client | None:
        """The record, given the version just read from the database (None: no such client)."""
        if version is None or version[0] != ClientStatus.ACTIVE.value:
            with self._lock:
                self._records.pop(client_id, None)
            return None
        with self._lock:
            entry = self._records.get(client_id)
        if entry is not None and entry[0] == version:
            return entry[1]
        record = repository.get(session, client_id)
        if record is None or not record.is_active:
            return None
        with self._lock:
            self._records[client_id] = ((record.status, record.updated_at), record)
        return record
