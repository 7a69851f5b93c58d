"""`samtykke audit ...`: verify, export and prove the audit log, for agencies and operators."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy.orm import Session

from consent.audit import proofs, repository
from consent.audit.events import ActorType, AuditEvent, event_type
from consent.audit.export import csv_lines, jsonl_lines
from consent.audit.log import append
from consent.audit.stored import checkpoint_document, verify_database, write_bundle
from consent.audit.verifier import ENTRIES_FILE, VerificationReport, verify_export
from consent.storage.database import create_database_engine
from gateway.audit.sequencing import create_sequencer
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import get_settings

app = typer.Typer(
    help="The tamper-evident audit log: verify it, export it, prove an entry is in it.",
    epilog=(
        "Examples: `samtykke audit verify`; "
        "`samtykke audit export --bundle audit-export` then "
        "`samtykke audit verify --offline audit-export`; `samtykke audit proof 1`."
    ),
    no_args_is_help=True,
)


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


@contextmanager
def _session() -> Iterator[Session]:
    engine = create_database_engine(get_settings().database_url, pool_size=1)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _published_keys(keys_file: Path | None) -> dict[str, Any]:
    if keys_file is not None:
        document: dict[str, Any] = json.loads(keys_file.read_text(encoding="utf-8"))
        return document
    return KeyStore(get_settings().key_dir).public_jwks(KeyPurpose.AUDIT_CHECKPOINT)


def _count_lines(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(1 for _ in lines)


def _report(report: VerificationReport) -> None:
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )


@app.command("verify")
def verify(
    offline: Annotated[
        Path | None,
        typer.Option(help="Verify an export folder (from `audit export --bundle`) instead."),
    ] = None,
    keys_file: Annotated[
        Path | None,
        typer.Option("--keys", help="Public JWKS to trust (default: this gateway's keys)."),
    ] = None,
) -> None:
    """Recompute every leaf and the tree; check every checkpoint's signature and root.

    Exits 1 and names the first bad entry when anything does not verify.
    """
    with _progress() as progress:
        if offline is not None:
            task = progress.add_task("verifying export", total=_count_lines(offline / ENTRIES_FILE))
            report = verify_export(offline, progress=lambda n: progress.advance(task, n))
        else:
            with _session() as session:
                latest = repository.latest_checkpoint(session)
                task = progress.add_task("verifying", total=latest.tree_size if latest else 0)
                report = verify_database(
                    session,
                    _published_keys(keys_file),
                    progress=lambda n: progress.advance(task, n),
                )
    _report(report)


@app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option(help="File to write ('-' for standard output).")
    ] = None,
    export_format: Annotated[Format, typer.Option("--format", help="jsonl or csv.")] = Format.JSONL,
    bundle: Annotated[
        Path | None,
        typer.Option(help="Folder for entries, checkpoints and keys, to verify offline."),
    ] = None,
) -> None:
    """Export every entry covered by the latest checkpoint, in tree order.

    --output FILE writes JSON Lines or CSV for reading; --bundle DIR writes entries,
    checkpoints and public keys for `samtykke audit verify --offline DIR`.
    """
    if (output is None) == (bundle is None):
        raise typer.BadParameter("give exactly one of --output and --bundle")
    with _session() as session:
        append(
            session,
            AuditEvent(
                event_type=event_type("audit", "log", "exported"),
                actor_type=ActorType.SYSTEM,
                actor_id="cli",
                details={"format": "bundle" if bundle else export_format.value},
            ),
        )
        session.commit()
        if bundle is not None:
            count = write_bundle(session, bundle, _published_keys(None))
            typer.echo(f"wrote {count} entries to {bundle}", err=True)
            return
        assert output is not None
        latest = repository.latest_checkpoint(session)
        documents = repository.sequenced_entries(
            session, up_to_size=latest.tree_size if latest else 0
        )
        lines = csv_lines(documents) if export_format is Format.CSV else jsonl_lines(documents)
        if str(output) == "-":
            sys.stdout.writelines(lines)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                out.writelines(lines)


@app.command("proof")
def proof(
    entry: Annotated[str, typer.Argument(help="Entry id, or sequence number.")],
    tree_size: Annotated[
        int | None, typer.Option(help="Checkpoint size (default: latest).")
    ] = None,
) -> None:
    """Print an inclusion proof of ENTRY with the checkpoint it leads to, as JSON."""
    with _session() as session:
        if entry.isdigit():
            sequence_number = int(entry)
        else:
            leaf = repository.leaf_by_entry_id(session, entry)
            if leaf is None:
                typer.echo("no sequenced entry with that id", err=True)
                raise typer.Exit(1)
            sequence_number = leaf.sequence_number
        try:
            found = proofs.inclusion_proof(session, sequence_number, tree_size)
        except proofs.ProofUnavailableError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from error
        checkpoint = repository.checkpoint_at(session, found.tree_size)
        assert checkpoint is not None
        document = {
            "sequenceNumber": found.sequence_number,
            "treeSize": found.tree_size,
            "leafHash": found.leaf_hash.hex(),
            "hashes": [digest.hex() for digest in found.hashes],
            "checkpoint": checkpoint_document(checkpoint),
        }
    typer.echo(json.dumps(document, indent=2))


@app.command("sequence")
def sequence() -> None:
    """Sequence every queued entry now and sign a checkpoint (when no gateway is running)."""
    settings = get_settings()
    engine = create_database_engine(settings.database_url, pool_size=1)
    try:
        count = create_sequencer(engine, KeyStore(settings.key_dir), settings).drain()
    finally:
        engine.dispose()
    typer.echo(f"sequenced {count} entries")
