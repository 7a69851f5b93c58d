"""The push endpoint table and the outbox of event deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.consents.models import BigIntegerKey
from consent.storage.base import Base


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    FAILED = "failed"  # dead-lettered: given up; the bank sees it and may replay
    # A delivered row is deleted: the feed keeps the event itself.


class PushEndpoint(Base):
    """Where a bank's client receives its consent events (RFC 8935 push delivery)."""

    __tablename__ = "push_endpoints"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"), primary_key=True)
    # Copied from the client so that a consent change finds its endpoints by one index.
    organisation_number: Mapped[str] = mapped_column(String(9))
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_push_endpoints_organisation", "organisation_number"),)


class PushDelivery(Base):
    """One consent event owed to one client: written in the transaction of the event."""

    __tablename__ = "push_deliveries"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"))
    # The feed's row and its public id (the token's jti).
    feed_position: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(36))
    consent_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # A worker's lease: no other worker takes the row before `claimed_until`.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_push_deliveries_due", "status", "next_attempt_at"),
        Index(
            "ix_push_deliveries_consent_order", "client_id", "consent_id", "status", "feed_position"
        ),
        Index("ix_push_deliveries_client_status", "client_id", "status", "feed_position"),
    )
