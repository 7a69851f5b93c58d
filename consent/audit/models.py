"""The audit log table. Rows are inserted unsequenced; the sequencer gives them a place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntegerKey = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(36), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_type: Mapped[str] = mapped_column(String(128))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(11))
    consent_id: Mapped[str | None] = mapped_column(String(64))
    data_product: Mapped[str | None] = mapped_column(String(128))
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set by the sequencer, never by the writer of the entry.
    sequence_number: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    leaf_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_audit_entries_unsequenced", "id", postgresql_where="sequence_number IS NULL"),
        Index("ix_audit_entries_subject_time", "subject", "occurred_at"),
        Index("ix_audit_entries_consent", "consent_id"),
        Index("ix_audit_entries_actor_time", "actor_id", "occurred_at"),
    )
