"""What the token endpoint needs to know about a consent, behind a protocol.

The consent domain implements `ConsentLookup`; the app takes it from
`app.state.consent_lookup`. Without one, consent-bound tokens are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ConsentView:
    id: str
    status: str  # created | accepted | rejected | revoked | expired | used | deleted
    person: str  # the citizen's national identity number
    bank_organisation_number: str
    valid_to: datetime
    accepted_at: datetime | None
    consent_rights: list[dict[str, Any]] = field(default_factory=list)  # Altinn's shape
    one_time: bool = False


class ConsentLookup(Protocol):
    def find(self, session: Session, consent_id: str) -> ConsentView | None: ...


class InMemoryConsentLookup:
    """A fixed set of consents, for tests and benchmarks."""

    def __init__(self, consents: list[ConsentView] | None = None) -> None:
        self.consents = {consent.id: consent for consent in consents or []}

    def add(self, consent: ConsentView) -> None:
        self.consents[consent.id] = consent

    def find(self, session: Session, consent_id: str) -> ConsentView | None:
        return self.consents.get(consent_id)
