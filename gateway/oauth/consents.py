"""What the token endpoint needs to know about a consent, behind a protocol.

The consent domain implements `ConsentLookup`; the app takes it from
`app.state.consent_lookup`. Without one, consent-bound tokens are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import Row
from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from consent.consents import repository as consent_repository
from consent.consents.lifecycle import expiry_due
from consent.consents.states import ConsentStatus
from consent.parties import ORGANISATION_URN_PREFIX, PERSON_URN_PREFIX, PartyType

if TYPE_CHECKING:
    from consent.consents.models import Consent


@dataclass(frozen=True)
class ConsentView:
    id: str
    status: str  # created | accepted | rejected | revoked | expired | used | deleted
    person: str  # the citizen's national identity number: the party, or who acted for it
    bank_organisation_number: str
    valid_to: datetime
    accepted_at: datetime | None
    consent_rights: list[dict[str, Any]] = field(default_factory=list)  # Altinn's shape
    one_time: bool = False
    # The organisation the consent is for; None: the person's own consent.
    organisation_number: str | None = None

    @property
    def subject(self) -> str:
        """The party's number: the data subject of the audit entries."""
        return self.organisation_number or self.person

    @property
    def party_urn(self) -> str:
        if self.organisation_number is not None:
            return ORGANISATION_URN_PREFIX + self.organisation_number
        return PERSON_URN_PREFIX + self.person


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


class RepositoryConsentLookup:
    """The consent domain's own records, read in the token request's transaction.

    Columns, not ORM objects: the token endpoint reads a consent on every
    request and never changes it.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    def find(self, session: Session, consent_id: str) -> ConsentView | None:
        row = consent_repository.view_columns(session, consent_id)
        return self._view(row) if row is not None else None

    def find_with_client_version(
        self, session: Session, client_id: str, consent_id: str
    ) -> tuple[tuple[str, datetime] | None, ConsentView | None]:
        """The client's (status, updated_at) and the consent, in one round trip."""
        row = authorization_repository.client_version_and_consent(session, client_id, consent_id)
        if row is None:
            return None, None
        version = (row.client_status, row.client_updated_at)
        return version, self._view(row) if row.id is not None else None

    def _view(self, consent: Row[Any]) -> ConsentView:
        organisation = consent.party_type == PartyType.ORGANISATION.value
        return ConsentView(
            id=consent.id,
            # A consent past its time counts as expired even before the sweeper has run.
            status=ConsentStatus.EXPIRED.value
            if expiry_due(cast("Consent", consent), self.clock())  # the columns it reads
            else consent.status,
            person=consent.person,
            bank_organisation_number=consent.bank_organisation_number,
            valid_to=consent.valid_to,
            accepted_at=consent.accepted_at,
            consent_rights=list(consent.consent_rights),
            one_time=consent.one_time,
            organisation_number=consent.organisation_number if organisation else None,
        )
