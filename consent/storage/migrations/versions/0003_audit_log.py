"""The tamper-evident audit log: a pending queue, leaves, tree nodes, signed checkpoints.

`audit_entries` becomes strictly insert-only: the sequencing columns move to
`audit_leaves`. A trigger queues every new entry in `audit_pending` (so a
writer makes one statement, and nothing is lost if no sequencer runs). On
PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE on the log tables.

Revision ID: 0003_audit_log
Revises: 0002_audit_entries
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_audit_log"
down_revision: str | Sequence[str] | None = "0002_audit_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOG_TABLES = ("audit_entries", "audit_leaves", "audit_tree_nodes", "audit_checkpoints")

POSTGRES_FUNCTIONS = """
CREATE FUNCTION audit_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_pending (entry_pk) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def _create_postgres_triggers() -> None:
    op.execute(POSTGRES_FUNCTIONS)
    op.execute(
        "CREATE TRIGGER audit_entries_enqueue AFTER INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_enqueue()"
    )
    for table in LOG_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def _create_sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER audit_entries_enqueue AFTER INSERT ON audit_entries "
        "BEGIN INSERT INTO audit_pending (entry_pk) VALUES (NEW.id); END"
    )
    for table in LOG_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_audit_entries_unsequenced", postgresql_where="sequence_number IS NULL"
        )
        batch_op.drop_constraint("uq_audit_entries_sequence_number", type_="unique")
        batch_op.drop_column("sequence_number")
        batch_op.drop_column("leaf_hash")

    op.create_table(
        "audit_pending",
        sa.Column("entry_pk", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("entry_pk", name=op.f("pk_audit_pending")),
    )
    op.create_table(
        "audit_leaves",
        sa.Column("sequence_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_pk", sa.BigInteger(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_pk"],
            ["audit_entries.id"],
            name=op.f("fk_audit_leaves_entry_pk_audit_entries"),
        ),
        sa.PrimaryKeyConstraint("sequence_number", name=op.f("pk_audit_leaves")),
        sa.UniqueConstraint("entry_pk", name=op.f("uq_audit_leaves_entry_pk")),
    )
    op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=128), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_checkpoints")),
    )
    if op.get_context().dialect.name == "postgresql":
        _create_postgres_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in LOG_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER audit_entries_enqueue ON audit_entries")
        op.execute("DROP FUNCTION audit_refuse_change()")
        op.execute("DROP FUNCTION audit_enqueue()")
    else:
        op.execute("DROP TRIGGER audit_entries_enqueue")
        for table in LOG_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_tree_nodes")
    op.drop_table("audit_leaves")
    op.drop_table("audit_pending")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("sequence_number", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint("uq_audit_entries_sequence_number", ["sequence_number"])
        batch_op.create_index(
            "ix_audit_entries_unsequenced",
            ["id"],
            unique=False,
            postgresql_where="sequence_number IS NULL",
        )
