"""The audit log tables. Every one of them is insert-only.

Writers insert into `audit_entries`; a database trigger queues each new
entry in `audit_pending`. The sequencer takes queued entries in batches,
gives each a place in the Merkle tree (`audit_leaves`), stores the perfect
subtrees it completes (`audit_tree_nodes`, for fast proofs), signs a
checkpoint (`audit_checkpoints`) and removes the entries from the queue,
all in one transaction. On PostgreSQL, triggers refuse UPDATE, DELETE and
TRUNCATE on the four log tables; only the queue may shrink.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
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

    __table_args__ = (
        Index("ix_audit_entries_subject_time", "subject", "occurred_at"),
        Index("ix_audit_entries_consent", "consent_id"),
        Index("ix_audit_entries_actor_time", "actor_id", "occurred_at"),
    )


class AuditPending(Base):
    """Entries not yet sequenced; filled by a trigger on `audit_entries`."""

    __tablename__ = "audit_pending"

    entry_pk: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AuditLeaf(Base):
    """An entry's place in the tree and the leaf hash computed when it was placed."""

    __tablename__ = "audit_leaves"

    sequence_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_pk: Mapped[int] = mapped_column(BigInteger, ForeignKey("audit_entries.id"), unique=True)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditTreeNode(Base):
    """The hash of a perfect subtree above the leaves: level L, index i covers 2**L leaves."""

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    """A signed tree head, with the tree's right edge so the next batch continues from it."""

    __tablename__ = "audit_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(String(128))
    signature: Mapped[str] = mapped_column(Text)  # JWS compact serialisation of the checkpoint
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
