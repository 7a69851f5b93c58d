"""Consents (requests and answers) and their events, each event tied to its audit entry.

Revision ID: 0006_consents
Revises: 0002_audit_entries
Create Date: 2026-11-21 23:48:32.445533
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_consents"
down_revision: str | Sequence[str] | None = "0002_audit_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("person", sa.String(length=11), nullable=False),
        sa.Column("bank_organisation_number", sa.String(length=9), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("one_time", sa.Boolean(), nullable=False),
        sa.Column("consent_rights", sa.JSON(), nullable=False),
        sa.Column("request_message", sa.JSON(), nullable=False),
        sa.Column("redirect_url", sa.String(length=2000), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index("ix_consents_person_created", ["person", "created_at"], unique=False)
        batch_op.create_index(
            "ix_consents_status_request_expires", ["status", "request_expires_at"], unique=False
        )
        batch_op.create_index("ix_consents_status_valid_to", ["status", "valid_to"], unique=False)

    op.create_table(
        "consent_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("bank_organisation_number", sa.String(length=9), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=128), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_events_consent_id_consents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_consent_events_event_id")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_events_bank_id", ["bank_organisation_number", "id"], unique=False
        )
        batch_op.create_index("ix_consent_events_consent", ["consent_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_consent")
        batch_op.drop_index("ix_consent_events_bank_id")

    op.drop_table("consent_events")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_status_valid_to")
        batch_op.drop_index("ix_consents_status_request_expires")
        batch_op.drop_index("ix_consents_person_created")

    op.drop_table("consents")
