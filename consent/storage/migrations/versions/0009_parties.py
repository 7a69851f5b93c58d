"""The party of a consent: a person, or an organisation a person consents for.

Existing consents are all person consents: they get party_type "person" and
keep their person; the organisation columns stay empty.

Revision ID: 0009_parties
Revises: 0006_consents
Create Date: 2026-12-04 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_parties"
down_revision: str | Sequence[str] | None = "0006_consents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding columns only: SQLite alters the table in place, so no row is copied or lost.
    with op.batch_alter_table("consents", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("party_type", sa.String(length=16), server_default="person", nullable=False)
        )
        batch_op.add_column(sa.Column("organisation_number", sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("authority_role", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("organisation_name", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ix_consents_organisation_created",
            ["organisation_number", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    # An organisation's consents cannot be told from a person's in the older schema.
    op.execute(
        "DELETE FROM consent_events WHERE consent_id IN "
        "(SELECT id FROM consents WHERE party_type = 'organisation')"
    )
    op.execute("DELETE FROM consents WHERE party_type = 'organisation'")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_organisation_created")
        batch_op.drop_column("organisation_name")
        batch_op.drop_column("authority_role")
        batch_op.drop_column("organisation_number")
        batch_op.drop_column("party_type")
