"""Every query of the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    SmallInteger,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from consent.audit.canonical import entry_document
from consent.audit.merkle import Subtree
from consent.audit.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditLeaf,
    AuditPending,
    AuditTreeNode,
)

# Keep `IN (...)` lists well under every driver's parameter limit.
_CHUNK = 500


# Built once: every audited request appends an entry. RETURNING hands back
# the row's key in the same round trip.
_INSERT_ENTRY = insert(AuditEntry).returning(AuditEntry.id)


def insert_entry(session: Session, values: dict[str, Any]) -> int:
    """Insert one audit entry with a Core statement (no unit of work); return its key."""
    # On the session's connection, so the ORM's bulk-insert machinery is skipped.
    row_id: int = session.connection().execute(_INSERT_ENTRY, values).scalar_one()
    return row_id


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc()).limit(1)
    ).first()


def checkpoint_at(session: Session, tree_size: int) -> AuditCheckpoint | None:
    return session.get(AuditCheckpoint, tree_size)


def first_checkpoint_covering(session: Session, sequence_number: int) -> AuditCheckpoint | None:
    """The checkpoint signed when entry `sequence_number` was sequenced: the first to include it."""
    return session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.tree_size > sequence_number)
        .order_by(AuditCheckpoint.tree_size)
        .limit(1)
    ).first()


def checkpoints(session: Session) -> Iterator[AuditCheckpoint]:
    yield from session.scalars(
        select(AuditCheckpoint)
        .order_by(AuditCheckpoint.tree_size)
        .execution_options(yield_per=1000)
    )


_ENTRY_COLUMNS = (
    AuditEntry.id,
    AuditEntry.entry_id,
    AuditEntry.occurred_at,
    AuditEntry.event_type,
    AuditEntry.actor_type,
    AuditEntry.actor_id,
    AuditEntry.outcome,
    AuditEntry.subject,
    AuditEntry.consent_id,
    AuditEntry.data_product,
    AuditEntry.correlation_id,
    AuditEntry.details,
)


def pending_entries(session: Session, limit: int) -> Sequence[Row[Any]]:
    """The oldest entries waiting for a place in the tree (plain rows: this path is hot)."""
    return session.execute(
        select(*_ENTRY_COLUMNS)
        .join(AuditPending, AuditPending.entry_pk == AuditEntry.id)
        .order_by(AuditEntry.id)
        .limit(limit)
    ).all()


# PostgreSQL takes a batch as one array per column: one short statement, whatever the batch
# size (a driver executemany sends a statement per row; a multi-row VALUES is re-parsed).
_POSTGRES_ARRAY_TYPES = {
    "audit_leaves": ("sequence_number", "bigint", "entry_pk", "bigint", "leaf_hash", "bytea"),
    "audit_tree_nodes": ("level", "smallint", "node_index", "bigint", "hash", "bytea"),
}


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    spec = _POSTGRES_ARRAY_TYPES[table.name]
    columns, types = spec[0::2], spec[1::2]
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(columns, types, strict=True))
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"  # noqa: S608  (names are constants above)
    session.execute(text(statement), {c: [row[c] for row in rows] for c in columns})


def count_pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditPending)) or 0


def oldest_pending_occurred_at(session: Session) -> datetime | None:
    """When the oldest entry still waiting for the sequencer happened (None: nothing waits).

    The queue's key is the entry's, so this reads one index entry and one row.
    """
    return session.execute(
        select(AuditEntry.occurred_at)
        .join(AuditPending, AuditPending.entry_pk == AuditEntry.id)
        .order_by(AuditPending.entry_pk)
        .limit(1)
    ).scalar_one_or_none()


def record_sequenced(
    session: Session,
    *,
    leaves: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    checkpoint: AuditCheckpoint,
) -> None:
    _insert_rows(session, AuditLeaf.__table__, leaves)
    _insert_rows(session, AuditTreeNode.__table__, nodes)
    entry_pks = [leaf["entry_pk"] for leaf in leaves]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("DELETE FROM audit_pending WHERE entry_pk = ANY(CAST(:pks AS bigint[]))"),
            {"pks": entry_pks},
        )
    else:
        for start in range(0, len(entry_pks), _CHUNK):
            chunk = entry_pks[start : start + _CHUNK]
            session.execute(delete(AuditPending).where(AuditPending.entry_pk.in_(chunk)))
    session.add(checkpoint)
    session.flush()


def subtree_hashes(session: Session, subtrees: Iterable[Subtree]) -> dict[Subtree, bytes]:
    """Stored hashes of perfect subtrees (leaves at level 0, tree nodes above), in one query."""
    wanted = set(subtrees)
    leaf_numbers = [index for level, index in wanted if level == 0]
    nodes = [subtree for subtree in wanted if subtree[0] > 0]
    parts = []
    if leaf_numbers:
        parts.append(
            select(
                literal(0, SmallInteger).label("level"),
                AuditLeaf.sequence_number.label("node_index"),
                AuditLeaf.leaf_hash.label("hash"),
            ).where(AuditLeaf.sequence_number.in_(leaf_numbers))
        )
    if nodes:
        parts.append(
            select(AuditTreeNode.level, AuditTreeNode.node_index, AuditTreeNode.hash).where(
                tuple_(AuditTreeNode.level, AuditTreeNode.node_index).in_(nodes)
            )
        )
    if not parts:
        return {}
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(level, index): bytes(digest) for level, index, digest in session.execute(query)}


def leaf_by_sequence(session: Session, sequence_number: int) -> AuditLeaf | None:
    return session.get(AuditLeaf, sequence_number)


def leaf_by_entry_id(session: Session, entry_id: str) -> AuditLeaf | None:
    return session.scalars(
        select(AuditLeaf)
        .join(AuditEntry, AuditEntry.id == AuditLeaf.entry_pk)
        .where(AuditEntry.entry_id == entry_id)
    ).first()


_SEQUENCED_COLUMNS = (
    AuditLeaf.sequence_number,
    AuditLeaf.leaf_hash,
    AuditEntry.entry_id,
    AuditEntry.occurred_at,
    AuditEntry.event_type,
    AuditEntry.actor_type,
    AuditEntry.actor_id,
    AuditEntry.outcome,
    AuditEntry.subject,
    AuditEntry.consent_id,
    AuditEntry.data_product,
    AuditEntry.correlation_id,
    AuditEntry.details,
)


def _document(row: Any) -> dict[str, Any]:
    # Entry columns with the leaf's (outer-joined) sequence number and hash.
    leaf = None if row.leaf_hash is None else bytes(row.leaf_hash).hex()
    if row.entry_id is None:  # the leaf's entry is gone: only a tampered database does that
        return {"sequenceNumber": row.sequence_number, "leafHash": leaf}
    document = entry_document(
        sequence_number=row.sequence_number,
        entry_id=row.entry_id,
        occurred_at=row.occurred_at,
        event_type=row.event_type,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        outcome=row.outcome,
        subject=row.subject,
        consent_id=row.consent_id,
        data_product=row.data_product,
        correlation_id=row.correlation_id,
        details=row.details,
    )
    document["leafHash"] = leaf
    return document


def sequenced_entries(
    session: Session, *, up_to_size: int | None = None, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Every sequenced entry as its export document, in tree order, streamed in batches."""
    after = -1
    while True:
        query = (
            select(*_SEQUENCED_COLUMNS)
            .join(AuditEntry, AuditEntry.id == AuditLeaf.entry_pk, isouter=True)
            .where(AuditLeaf.sequence_number > after)
            .order_by(AuditLeaf.sequence_number)
            .limit(batch)
        )
        if up_to_size is not None:
            query = query.where(AuditLeaf.sequence_number < up_to_size)
        rows = session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield _document(row)
        after = rows[-1].sequence_number


def entry_document_by_sequence(session: Session, sequence_number: int) -> dict[str, Any] | None:
    row = session.execute(
        select(*_SEQUENCED_COLUMNS)
        .join(AuditEntry, AuditEntry.id == AuditLeaf.entry_pk)
        .where(AuditLeaf.sequence_number == sequence_number)
    ).first()
    return _document(row) if row else None


@dataclass(frozen=True)
class EntryFilter:
    """What an agency searches by. Every member is optional; all given ones must match."""

    subject: str | None = None
    bank: str | None = None
    actor_id: str | None = None
    consent_id: str | None = None
    data_product: str | None = None
    event_type: str | None = None
    outcome: str | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None


def _conditions(where: EntryFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.subject is not None:
        conditions.append(AuditEntry.subject == where.subject)
    if where.bank is not None:
        conditions += [AuditEntry.actor_type == "bank", AuditEntry.actor_id == where.bank]
    if where.actor_id is not None:
        conditions.append(AuditEntry.actor_id == where.actor_id)
    if where.consent_id is not None:
        conditions.append(AuditEntry.consent_id == where.consent_id)
    if where.data_product is not None:
        conditions.append(AuditEntry.data_product == where.data_product)
    if where.event_type is not None:
        conditions.append(AuditEntry.event_type == where.event_type)
    if where.outcome is not None:
        conditions.append(AuditEntry.outcome == where.outcome)
    if where.occurred_from is not None:
        conditions.append(AuditEntry.occurred_at >= where.occurred_from)
    if where.occurred_before is not None:
        conditions.append(AuditEntry.occurred_at < where.occurred_before)
    return conditions


def search_documents(
    session: Session, where: EntryFilter, *, after_pk: int | None, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    """Entries matching `where`, oldest first, after the keyset cursor `after_pk`.

    Each comes with its primary key (the next cursor) and its document;
    `sequenceNumber` and `leafHash` are null while it waits for the sequencer.
    """
    query = (
        select(AuditEntry.id, *_SEQUENCED_COLUMNS)
        .select_from(AuditEntry)
        .join(AuditLeaf, AuditLeaf.entry_pk == AuditEntry.id, isouter=True)
        .where(*_conditions(where))
    )
    if after_pk is not None:
        query = query.where(AuditEntry.id > after_pk)
    rows = session.execute(query.order_by(AuditEntry.id).limit(limit)).all()
    return [(row.id, _document(row)) for row in rows]
