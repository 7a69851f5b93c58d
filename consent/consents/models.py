"""The consent and consent-event tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntegerKey = BigInteger().with_variant(Integer(), "sqlite")


class Consent(Base):
    """A consent request and, once answered, the consent itself (Altinn keeps them as one)."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # chosen by the bank
    status: Mapped[str] = mapped_column(String(16))
    person: Mapped[str] = mapped_column(String(11))  # the national identity number
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
        Index("ix_consents_status_valid_to", "status", "valid_to"),
        Index("ix_consents_status_request_expires", "status", "request_expires_at"),
    )

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
