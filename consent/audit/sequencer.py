"""The sequencer: gives queued entries their place in the Merkle tree and signs a checkpoint.

Writers never wait for each other: they insert entries (a trigger queues
them) and commit. One sequencer per database takes the queue in batches,
in entry order, and in one transaction writes the leaves, the completed
subtrees and a signed checkpoint, and empties those entries from the
queue. A crash anywhere before that commit leaves the entries queued, so
the next round picks them up.

The sequencer runs as a process of its own (`samtykke sequencer`) or as a
thread in a gateway process (demo and test mode); each round first
takes the database's sequencer lock without waiting (a transaction-scoped
advisory lock on PostgreSQL, an exclusive file lock next to a SQLite
database), so rounds never overlap, however many sequencers run, and idle
ones cost one cheap query.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from consent.audit import repository
from consent.audit.canonical import entry_document, entry_leaf_hash
from consent.audit.checkpoints import CheckpointSigner
from consent.audit.merkle import Frontier
from consent.audit.models import AuditCheckpoint

log = logging.getLogger(__name__)

# pg_try_advisory_xact_lock key: "samtykke audit sequencer".
ADVISORY_LOCK_KEY = 0x5A4D_7479_6B6B_6501
DEFAULT_BATCH_SIZE = 2000
DEFAULT_INTERVAL_SECONDS = 0.1


@dataclass(frozen=True)
class SequencedBatch:
    tree_size: int
    root_hash: bytes
    entries: int


def sequence_batch(
    session: Session, signer: CheckpointSigner, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> SequencedBatch | None:
    """Sequence up to `batch_size` queued entries in the session's transaction (flush only).

    The caller holds the sequencer lock. Returns None when nothing was queued.
    """
    entries = repository.pending_entries(session, batch_size)
    if not entries:
        return None
    latest = repository.latest_checkpoint(session)
    frontier = Frontier.decode(latest.tree_size, latest.frontier) if latest else Frontier()
    leaves: list[dict[str, object]] = []
    nodes: list[dict[str, object]] = []
    for entry in entries:
        sequence_number = frontier.size
        document = entry_document(
            sequence_number=sequence_number,
            entry_id=entry.entry_id,
            occurred_at=entry.occurred_at,
            event_type=entry.event_type,
            actor_type=entry.actor_type,
            actor_id=entry.actor_id,
            outcome=entry.outcome,
            subject=entry.subject,
            consent_id=entry.consent_id,
            data_product=entry.data_product,
            correlation_id=entry.correlation_id,
            details=entry.details,
        )
        leaf = entry_leaf_hash(document)
        leaves.append({"sequence_number": sequence_number, "entry_pk": entry.id, "leaf_hash": leaf})
        for (level, index), digest in frontier.append(leaf):
            nodes.append({"level": level, "node_index": index, "hash": digest})
    root = frontier.root()
    signed_at = datetime.now(UTC)
    checkpoint = AuditCheckpoint(
        tree_size=frontier.size,
        root_hash=root,
        signed_at=signed_at,
        key_id=signer.key_id,
        signature=signer.sign(frontier.size, root, signed_at),
        frontier=frontier.encode(),
    )
    repository.record_sequenced(session, leaves=leaves, nodes=nodes, checkpoint=checkpoint)
    return SequencedBatch(tree_size=frontier.size, root_hash=root, entries=len(entries))


class Sequencer:
    """Runs sequencing rounds for one database, on demand or in a background thread."""

    def __init__(
        self,
        engine: Engine,
        signer: CheckpointSigner,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.batch_size = batch_size
        self.interval_seconds = interval_seconds
        self._local_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: Path | None = None
        if engine.dialect.name == "sqlite":
            database = make_url(str(engine.url)).database
            if database and database != ":memory:":
                self._lock_file = Path(f"{database}.sequencer.lock")

    @contextmanager
    def _sqlite_file_lock(self) -> Iterator[bool]:
        if self._lock_file is None:
            yield True
            return
        with self._lock_file.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def run_once(self) -> SequencedBatch | None:
        """One round: sequence one batch and commit. None if another sequencer holds the lock
        or nothing was queued."""
        with self._local_lock, self._sqlite_file_lock() as elected:
            if not elected:
                return None
            with Session(self.engine) as session, session.begin():
                if self.engine.dialect.name == "postgresql":
                    taken = session.execute(
                        text("SELECT pg_try_advisory_xact_lock(:key)"),
                        {"key": ADVISORY_LOCK_KEY},
                    ).scalar_one()
                    if not taken:
                        return None
                return sequence_batch(session, self.signer, batch_size=self.batch_size)

    def drain(self) -> int:
        """Sequence until the queue is empty (or another sequencer holds the lock).

        Returns how many entries this process sequenced.
        """
        total = 0
        while (batch := self.run_once()) is not None:
            total += batch.entries
        return total

    @property
    def running(self) -> bool:
        """Whether this sequencer's background thread runs (`start` without `stop`)."""
        return self._thread is not None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="audit-sequencer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        self.run_until(self._stop)

    def run_until(
        self, stop: threading.Event, on_drained: Callable[[int], None] | None = None
    ) -> None:
        """Drain, pause `interval_seconds`, drain again, until `stop` is set.

        `on_drained` hears how many entries each round sequenced (when any). A long queue
        is taken batch by batch, each its own transaction, and `stop` is looked at between
        them, so stopping waits for one batch at most.
        """
        while not stop.is_set():
            sequenced = 0
            try:
                while not stop.is_set() and (batch := self.run_once()) is not None:
                    sequenced += batch.entries
            except Exception:
                # The entries stay queued; the next round retries them.
                log.exception("audit sequencing round failed")
            else:
                if sequenced and on_drained is not None:
                    on_drained(sequenced)
            stop.wait(self.interval_seconds)
