"""One-time identifiers of a request, recorded together in one statement.

A token request carries two JWTs with a jti each (the client assertion and
the DPoP proof). Both are checked for reuse in a single INSERT once every
other check has passed, instead of one round trip each. Nothing may be
issued while a claim is unsettled: the server refuses to answer with
success in that case (see AuthorizationServer.handle_response).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from authlib.oauth2.rfc6749.errors import OAuth2Error
from sqlalchemy.orm import Session

from consent.audit.events import AuditEvent
from consent.audit.log import entry_values
from consent.authorization import repository as authorization_repository


class JtiLedger:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: list[tuple[str, str, datetime, Callable[[], OAuth2Error]]] = []

    def claim(
        self,
        namespace: str,
        jti: str,
        expires_at: datetime,
        replay: Callable[[], OAuth2Error],
    ) -> None:
        """Remember a jti to record; settle() raises `replay()` if it was used before."""
        self._pending.append((namespace, jti, expires_at, replay))

    def take(self) -> list[tuple[str, str, datetime, Callable[[], OAuth2Error]]]:
        """Hand the claims over to a statement that records them itself (and empty the ledger)."""
        pending, self._pending = self._pending, []
        return pending

    @property
    def unsettled(self) -> bool:
        return bool(self._pending)

    def settle(self, then_append: AuditEvent | None = None) -> None:
        """Record the claimed jtis; with `then_append`, also that audit entry when none
        was used before (on PostgreSQL in the same statement: one round trip)."""
        pending, self._pending = self._pending, []
        entries = [(namespace, jti, expires) for namespace, jti, expires, _ in pending]
        if then_append is None:
            reused = authorization_repository.use_jtis(self.session, entries)
        else:
            reused = authorization_repository.use_jtis_then_append(
                self.session, entries, entry_values(then_append)
            )
        for namespace, jti, _, replay in pending:
            if (namespace, jti) in reused:
                raise replay()
