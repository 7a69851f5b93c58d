"""The consent and consent-event tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.parties import Party, PartyType
from consent.storage.base import Base

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntegerKey = BigInteger().with_variant(Integer(), "sqlite")


class Consent(Base):
    """A consent request and, once answered, the consent itself (Altinn keeps them as one)."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # chosen by the bank
    status: Mapped[str] = mapped_column(String(16))
    # "person" or "organisation": whom the consent is about (see consent.parties).
    party_type: Mapped[str] = mapped_column(String(16), server_default=PartyType.PERSON.value)
    # The national identity number of the person who answers: the party itself, or, for an
    # organisation, the person who gives the consent on its behalf.
    person: Mapped[str] = mapped_column(String(11))
    # Only for an organisation: its number, and, once accepted, the role in Enhetsregisteret
    # that gave the person authority and the organisation's name at that moment.
    organisation_number: Mapped[str | None] = mapped_column(String(9))
    authority_role: Mapped[str | None] = mapped_column(String(8))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    bank_organisation_number: Mapped[str] = mapped_column(String(9))
    client_id: Mapped[str] = mapped_column(String(64))  # the bank's client that asked
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    one_time: Mapped[bool] = mapped_column(Boolean)
    # The Altinn list: [{action, resource: [{type, value}], metadata}], metadata validated.
    consent_rights: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    request_message: Mapped[dict[str, str]] = mapped_column(JSON)
    redirect_url: Mapped[str] = mapped_column(String(2000))
    # SHA-256 of the request as the bank sent it: the same id with another body is refused.
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # An unanswered request expires at this time.
    request_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_consents_person_created", "person", "created_at"),
        Index("ix_consents_organisation_created", "organisation_number", "created_at"),
        Index("ix_consents_status_valid_to", "status", "valid_to"),
        Index("ix_consents_status_request_expires", "status", "request_expires_at"),
    )

    @property
    def party(self) -> Party:
        if self.party_type == PartyType.ORGANISATION.value:
            assert self.organisation_number is not None
            return Party.organisation(self.organisation_number)
        return Party.person(self.person)

    @property
    def product_ids(self) -> list[str]:
        return [
            resource["value"] for right in self.consent_rights for resource in right["resource"]
        ]


class ConsentEvent(Base):
    """One state change of a consent, with who made it and the audit entry that records it."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"))
    # Copied from the consent so that a bank's feed is one index range.
    bank_organisation_number: Mapped[str] = mapped_column(String(9))
    event_type: Mapped[str] = mapped_column(String(16))  # the status entered
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    audit_entry_id: Mapped[str] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_consent_events_bank_id", "bank_organisation_number", "id"),
        Index("ix_consent_events_consent", "consent_id", "id"),
    )
