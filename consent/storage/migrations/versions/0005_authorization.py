"""Authorization server: used jtis (replay protection across processes), revoked tokens,
pushed authorization requests and authorization codes (hashes only).

Revision ID: 0005_authorization
Revises: 0002_audit_entries
Create Date: 2026-11-22 00:01:36.930956
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_authorization"
down_revision: str | Sequence[str] | None = "0002_audit_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("authorization_details", sa.JSON(), nullable=False),
        sa.Column("person", sa.String(length=11), nullable=False),
        sa.Column("dpop_jkt", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_codes")),
    )
    op.create_table(
        "pushed_authorization_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interaction_id", sa.String(length=64), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushed_authorization_requests")),
        sa.UniqueConstraint(
            "interaction_id", name=op.f("uq_pushed_authorization_requests_interaction_id")
        ),
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    with op.batch_alter_table("revoked_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_revoked_tokens_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "used_jtis",
        sa.Column("namespace", sa.String(length=128), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "jti", name=op.f("pk_used_jtis")),
    )
    with op.batch_alter_table("used_jtis", schema=None) as batch_op:
        batch_op.create_index("ix_used_jtis_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("used_jtis", schema=None) as batch_op:
        batch_op.drop_index("ix_used_jtis_expires_at")

    op.drop_table("used_jtis")
    with op.batch_alter_table("revoked_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_revoked_tokens_expires_at")

    op.drop_table("revoked_tokens")
    op.drop_table("pushed_authorization_requests")
    op.drop_table("authorization_codes")
