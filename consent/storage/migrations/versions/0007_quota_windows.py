"""Fixed-window request counters shared by every gateway process.

Revision ID: 0007_quota_windows
Revises: 0002_audit_entries
Create Date: 2026-11-21 23:49:25.125925
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_quota_windows"
down_revision: str | Sequence[str] | None = "0002_audit_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_windows",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_quota_windows")),
    )


def downgrade() -> None:
    op.drop_table("quota_windows")
