"""The audit log table: entries are inserted unsequenced and placed later by the sequencer.

Revision ID: 0002_audit_entries
Revises: 0001_baseline
Create Date: 2026-11-21 23:43:36.588190
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_audit_entries"
down_revision: str | Sequence[str] | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=128), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=11), nullable=True),
        sa.Column("consent_id", sa.String(length=64), nullable=True),
        sa.Column("data_product", sa.String(length=128), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("sequence_number", sa.BigInteger(), nullable=True),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_entries_entry_id")),
        sa.UniqueConstraint("sequence_number", name=op.f("uq_audit_entries_sequence_number")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entries_actor_time", ["actor_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_audit_entries_consent", ["consent_id"], unique=False)
        batch_op.create_index(
            "ix_audit_entries_subject_time", ["subject", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_entries_unsequenced",
            ["id"],
            unique=False,
            postgresql_where="sequence_number IS NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_audit_entries_unsequenced", postgresql_where="sequence_number IS NULL"
        )
        batch_op.drop_index("ix_audit_entries_subject_time")
        batch_op.drop_index("ix_audit_entries_consent")
        batch_op.drop_index("ix_audit_entries_actor_time")

    op.drop_table("audit_entries")
