"""Derived answers: how many answers each consent has given for each question.

Revision ID: 0011_derived_answers
Revises: 0010_event_push
Create Date: 2026-12-04 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_derived_answers"
down_revision: str | Sequence[str] | None = "0010_event_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_counts",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=100), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("consent_id", "product_id", name=op.f("pk_answer_counts")),
    )


def downgrade() -> None:
    op.drop_table("answer_counts")
