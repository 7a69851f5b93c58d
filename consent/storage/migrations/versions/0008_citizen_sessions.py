"""Citizen sessions on the server: the cookie holds a random id, the table its hash and state.

Revision ID: 0008_citizen_sessions
Revises: 0002_audit_entries
Create Date: 2026-12-04 17:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_citizen_sessions"
down_revision: str | Sequence[str] | None = "0002_audit_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=11), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idporten_sid", sa.String(length=255), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_citizen_sessions")),
    )
    with op.batch_alter_table("citizen_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_citizen_sessions_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_citizen_sessions_last_used_at", ["last_used_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citizen_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_citizen_sessions_last_used_at")
        batch_op.drop_index("ix_citizen_sessions_created_at")
    op.drop_table("citizen_sessions")
