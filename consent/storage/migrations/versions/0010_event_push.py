"""Push delivery of consent events: the banks' push endpoints and the outbox of deliveries.

Revision ID: 0010_event_push
Revises: 0006_consents
Create Date: 2026-12-04 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_event_push"
down_revision: str | Sequence[str] | None = "0006_consents"
branch_labels: str | Sequence[str] | None = None
# The endpoints and deliveries belong to registered clients.
depends_on: str | Sequence[str] | None = "0004_clients"


def upgrade() -> None:
    op.create_table(
        "push_endpoints",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.client_id"], name=op.f("fk_push_endpoints_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_push_endpoints")),
    )
    with op.batch_alter_table("push_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_push_endpoints_organisation", ["organisation_number"], unique=False
        )

    op.create_table(
        "push_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("feed_position", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.client_id"], name=op.f("fk_push_deliveries_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_deliveries")),
    )
    with op.batch_alter_table("push_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_push_deliveries_client_status",
            ["client_id", "status", "feed_position"],
            unique=False,
        )
        batch_op.create_index(
            "ix_push_deliveries_consent_order",
            ["client_id", "consent_id", "status", "feed_position"],
            unique=False,
        )
        batch_op.create_index("ix_push_deliveries_due", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_push_deliveries_due")
        batch_op.drop_index("ix_push_deliveries_consent_order")
        batch_op.drop_index("ix_push_deliveries_client_status")

    op.drop_table("push_deliveries")
    with op.batch_alter_table("push_endpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_push_endpoints_organisation")

    op.drop_table("push_endpoints")
