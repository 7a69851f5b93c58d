"""Verify and export the log stored in this database, with the offline verifier's own code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from consent.audit import repository
from consent.audit.export import jsonl_lines
from consent.audit.verifier import (
    CHECKPOINTS_FILE,
    ENTRIES_FILE,
    KEYS_FILE,
    VerificationReport,
    verify_log,
)


def verify_database(
    session: Session, jwks: dict[str, Any], *, progress: Callable[[int], None] | None = None
) -> VerificationReport:
    """Recompute every leaf and the tree; check every checkpoint's signature and root."""
    signatures = [checkpoint.signature for checkpoint in repository.checkpoints(session)]
    return verify_log(repository.sequenced_entries(session), signatures, jwks, progress=progress)


def checkpoint_document(checkpoint: Any) -> dict[str, Any]:
    return {
        "treeSize": checkpoint.tree_size,
        "rootHash": bytes(checkpoint.root_hash).hex(),
        "signature": checkpoint.signature,
    }


def write_bundle(session: Session, folder: Path, jwks: dict[str, Any]) -> int:
    """Write what offline verification needs: entries, checkpoints and the public keys.

    Only entries covered by the latest checkpoint are written, so the bundle
    is complete. Returns how many entries were written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    latest = repository.latest_checkpoint(session)
    size = latest.tree_size if latest else 0
    with (folder / CHECKPOINTS_FILE).open("w", encoding="utf-8") as out:
        for checkpoint in repository.checkpoints(session):
            out.write(json.dumps(checkpoint_document(checkpoint), sort_keys=True) + "\n")
    with (folder / ENTRIES_FILE).open("w", encoding="utf-8") as out:
        out.writelines(jsonl_lines(repository.sequenced_entries(session, up_to_size=size)))
    (folder / KEYS_FILE).write_text(json.dumps(jwks, indent=2), encoding="utf-8")
    return size
