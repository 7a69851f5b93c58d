"""Sequencing, checkpoints, proofs and verification of the audit log, on a real database."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from consent.audit import merkle, proofs, repository
from consent.audit.canonical import encode, entry_leaf_hash
from consent.audit.checkpoints import CheckpointSigner, verify_checkpoint
from consent.audit.models import AuditLeaf, AuditPending
from consent.audit.sequencer import ADVISORY_LOCK_KEY, Sequencer
from consent.audit.stored import verify_database, write_bundle
from consent.audit.verifier import ENTRIES_FILE, verify_export
from consent.storage.database import create_database_engine
from gateway.keys import import_key
from tests.audit_support import append_events, new_signer, public_jwks, tamper


@pytest.fixture
def log_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(fresh_database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def signer() -> CheckpointSigner:
    return new_signer()


def _sequenced(engine: Engine, signer: CheckpointSigner, count: int, batch: int = 4) -> None:
    append_events(engine, count)
    assert Sequencer(engine, signer, batch_size=batch).drain() == count


def _verify(engine: Engine, signer: CheckpointSigner) -> Any:
    with Session(engine) as session:
        return verify_database(session, public_jwks(signer))


def test_sequencing_builds_the_rfc_tree_and_signs_each_batch(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 11, batch=4)
    with Session(log_engine) as session:
        documents = list(repository.sequenced_entries(session))
        checkpoints = list(repository.checkpoints(session))
        assert repository.count_pending(session) == 0
    assert [d["sequenceNumber"] for d in documents] == list(range(11))
    assert [c.tree_size for c in checkpoints] == [4, 8, 11]
    for checkpoint in checkpoints:
        leaves = [entry_leaf_hash(d) for d in documents[: checkpoint.tree_size]]
        # The RFC's recursive MTH, independent of the sequencer's incremental frontier.
        assert checkpoint.root_hash == merkle.tree_hash(leaves)
        signed = verify_checkpoint(checkpoint.signature, public_jwks(signer))
        assert (signed.tree_size, signed.root_hash) == (checkpoint.tree_size, checkpoint.root_hash)
    assert _verify(log_engine, signer).ok


def test_canonical_encoding_is_compact_sorted_utc_json(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 1)
    with Session(log_engine) as session:
        (document,) = repository.sequenced_entries(session)
    encoded = encode(document).decode()
    assert encoded.startswith('{"actorId":"974760673","actorType":"bank","consentId":"consent-0"')
    assert '"details":{"note":"blåbær","number":0}' in encoded
    assert '"sequenceNumber":0,"subject":"21818297804"}' in encoded
    assert "leafHash" not in encoded
    occurred = datetime.strptime(document["occurredAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert occurred.year >= 2026


def test_inclusion_and_consistency_proofs_verify_against_signed_roots(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 13, batch=5)
    with Session(log_engine) as session:
        roots = {c.tree_size: c.root_hash for c in repository.checkpoints(session)}
        assert sorted(roots) == [5, 10, 13]
        for size, root in roots.items():
            for number in range(size):
                proof = proofs.inclusion_proof(session, number, size)
                merkle.verify_inclusion(proof.leaf_hash, number, size, proof.hashes, root)
        for old, old_root in roots.items():
            for new, new_root in roots.items():
                if old <= new:
                    consistency = proofs.consistency_proof(session, old, new)
                    merkle.verify_consistency(old, new, consistency.hashes, old_root, new_root)
        with pytest.raises(proofs.ProofUnavailableError):
            proofs.inclusion_proof(session, 3, 7)  # no checkpoint of size 7
        with pytest.raises(proofs.ProofUnavailableError):
            proofs.inclusion_proof(session, 13)


def test_the_database_refuses_update_and_delete(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 2)
    for statement in (
        "UPDATE audit_entries SET actor_id = 'x'",
        "DELETE FROM audit_entries",
        "UPDATE audit_leaves SET sequence_number = sequence_number + 10",
        "DELETE FROM audit_leaves",
        "DELETE FROM audit_tree_nodes",
        "UPDATE audit_checkpoints SET tree_size = 1",
        "DELETE FROM audit_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"), log_engine.begin() as connection:
            connection.execute(text(statement))
    assert _verify(log_engine, signer).ok


@pytest.mark.postgres_only
def test_postgres_refuses_truncate(log_engine: Engine, signer: CheckpointSigner) -> None:
    if log_engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _sequenced(log_engine, signer, 1)
    with pytest.raises(DBAPIError, match="append-only"), log_engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_checkpoints"))


def _entry_pk(engine: Engine, sequence_number: int) -> int:
    with Session(engine) as session:
        return session.scalars(
            select(AuditLeaf.entry_pk).where(AuditLeaf.sequence_number == sequence_number)
        ).one()


def test_one_changed_byte_is_caught_and_named(log_engine: Engine, signer: CheckpointSigner) -> None:
    _sequenced(log_engine, signer, 9)
    pk = _entry_pk(log_engine, 6)
    tamper(
        log_engine, ("UPDATE audit_entries SET actor_id = '974760674' WHERE id = :pk", {"pk": pk})
    )
    report = _verify(log_engine, signer)
    assert not report.ok
    assert report.bad_sequence_number == 6
    assert "entry #6" in report.summary()


def test_a_changed_leaf_hash_is_caught_by_the_signed_root(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 9)
    pk = _entry_pk(log_engine, 5)
    # The attacker rewrites the entry and its recorded leaf consistently.
    tamper(log_engine, ("UPDATE audit_entries SET outcome = 'denied' WHERE id = :pk", {"pk": pk}))
    with Session(log_engine) as session:
        (document,) = [d for d in repository.sequenced_entries(session) if d["sequenceNumber"] == 5]
    forged = entry_leaf_hash(document)
    tamper(
        log_engine,
        (
            "UPDATE audit_leaves SET leaf_hash = :forged WHERE sequence_number = 5",
            {"forged": forged},
        ),
    )
    report = _verify(log_engine, signer)
    assert not report.ok
    # The first signed root covering entry #5 fails; the one before it (size 4) held.
    assert (report.bad_checkpoint_size, report.bad_sequence_number) == (8, 4)
    assert "entries #4 to #7 do not hash to the signed root" in (report.problem or "")


def test_a_deleted_entry_is_caught_and_named(log_engine: Engine, signer: CheckpointSigner) -> None:
    _sequenced(log_engine, signer, 9)
    pk = _entry_pk(log_engine, 3)
    tamper(
        log_engine,
        "DELETE FROM audit_leaves WHERE sequence_number = 3",
        ("DELETE FROM audit_entries WHERE id = :pk", {"pk": pk}),
    )
    report = _verify(log_engine, signer)
    assert not report.ok
    assert report.bad_sequence_number == 3
    assert "missing" in (report.problem or "")


def test_a_deleted_entry_record_is_caught(log_engine: Engine, signer: CheckpointSigner) -> None:
    _sequenced(log_engine, signer, 5)
    pk = _entry_pk(log_engine, 2)
    tamper(log_engine, ("DELETE FROM audit_entries WHERE id = :pk", {"pk": pk}))
    report = _verify(log_engine, signer)
    assert (report.ok, report.bad_sequence_number) == (False, 2)


def test_two_reordered_entries_are_caught_and_named(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    _sequenced(log_engine, signer, 9)
    first, second = _entry_pk(log_engine, 2), _entry_pk(log_engine, 7)
    tamper(
        log_engine,
        "UPDATE audit_leaves SET entry_pk = -1 WHERE sequence_number = 2",
        ("UPDATE audit_leaves SET entry_pk = :pk WHERE sequence_number = 7", {"pk": first}),
        ("UPDATE audit_leaves SET entry_pk = :pk WHERE sequence_number = 2", {"pk": second}),
    )
    report = _verify(log_engine, signer)
    assert not report.ok
    assert report.bad_sequence_number == 2


def test_a_forged_checkpoint_is_caught(log_engine: Engine, signer: CheckpointSigner) -> None:
    _sequenced(log_engine, signer, 4)
    other = new_signer()
    forged = other.sign(4, bytes(32), datetime.now().astimezone())
    tamper(
        log_engine,
        (
            "UPDATE audit_checkpoints SET signature = :forged WHERE tree_size = 4",
            {"forged": forged},
        ),
    )
    report = _verify(log_engine, signer)
    assert (report.ok, report.bad_checkpoint_size) == (False, 4)


def test_an_export_verifies_offline_and_catches_an_edited_line(
    log_engine: Engine, signer: CheckpointSigner, tmp_path: Path
) -> None:
    _sequenced(log_engine, signer, 10, batch=3)
    append_events(log_engine, 2, start=100)  # queued, not yet in a checkpoint: not exported
    with Session(log_engine) as session:
        assert write_bundle(session, tmp_path, public_jwks(signer)) == 10
    report = verify_export(tmp_path)
    assert (report.ok, report.entries_checked, report.checkpoints_checked) == (True, 10, 4)
    lines = (tmp_path / ENTRIES_FILE).read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace('"outcome":"success"', '"outcome":"failed"')
    (tmp_path / ENTRIES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = verify_export(tmp_path)
    assert (report.ok, report.bad_sequence_number) == (False, 4)


def _crashing_sequencer(database_url: str, jwk: dict[str, Any]) -> None:
    class CrashingSigner(CheckpointSigner):
        def sign(self, tree_size: int, root_hash: bytes, signed_at: datetime) -> str:
            os._exit(3)  # the process dies after the leaves were written, before commit

    engine = create_database_engine(database_url, pool_size=1)
    Sequencer(engine, CrashingSigner(import_key(jwk), "Ed25519")).run_once()


def test_a_crash_during_sequencing_loses_nothing(
    fresh_database_url: str, log_engine: Engine, signer: CheckpointSigner
) -> None:
    ids = append_events(log_engine, 6)
    process = multiprocessing.get_context("spawn").Process(
        target=_crashing_sequencer, args=(fresh_database_url, signer.key.as_dict(private=True))
    )
    process.start()
    process.join()
    assert process.exitcode == 3
    with Session(log_engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditLeaf)) == 0
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 6
    assert Sequencer(log_engine, signer).drain() == 6
    with Session(log_engine) as session:
        assert [d["entryId"] for d in repository.sequenced_entries(session)] == ids
    assert _verify(log_engine, signer).ok


def _appender(database_url: str, jwk: dict[str, Any], start: int, count: int) -> None:
    engine = create_database_engine(database_url, pool_size=1)
    sequencer = Sequencer(engine, CheckpointSigner(import_key(jwk), "Ed25519"), batch_size=7)
    for offset in range(0, count, 10):
        append_events(engine, 10, start=start + offset)
        sequencer.run_once()  # both processes try to sequence while the other appends
    engine.dispose()


def test_two_processes_appending_make_one_tree_without_gaps_or_duplicates(
    fresh_database_url: str, log_engine: Engine, signer: CheckpointSigner
) -> None:
    context = multiprocessing.get_context("spawn")
    jwk = signer.key.as_dict(private=True)
    workers = [
        context.Process(target=_appender, args=(fresh_database_url, jwk, start, 200))
        for start in (0, 1000)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [worker.exitcode for worker in workers] == [0, 0]
    Sequencer(log_engine, signer).drain()
    with Session(log_engine) as session:
        documents = list(repository.sequenced_entries(session))
        assert repository.count_pending(session) == 0
    assert [d["sequenceNumber"] for d in documents] == list(range(400))
    numbers = sorted(d["details"]["number"] for d in documents)
    assert numbers == [*range(200), *range(1000, 1200)]
    report = _verify(log_engine, signer)
    assert report.ok, report.summary()


def test_only_the_sequencer_holding_the_database_lock_works(
    log_engine: Engine, signer: CheckpointSigner
) -> None:
    append_events(log_engine, 3)
    other = Sequencer(log_engine, signer)
    with log_engine.connect() as holder:
        if log_engine.dialect.name == "postgresql":
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            assert other.run_once() is None
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        else:
            database = log_engine.url.database
            with Path(f"{database}.sequencer.lock").open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # another process's sequencer, elected
                assert other.run_once() is None
                fcntl.flock(handle, fcntl.LOCK_UN)
    with Session(log_engine) as session:
        assert repository.count_pending(session) == 3
    batch = other.run_once()
    assert batch is not None
    assert (batch.entries, batch.tree_size) == (3, 3)
