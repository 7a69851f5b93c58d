"""Verify an audit log from its entries, its checkpoints and the public key alone.

The same function checks the live database (`samtykke audit verify`) and an
export (`samtykke audit verify --offline DIR`), so an agency needs no
database access. It

1. checks every checkpoint's signature against the published JWKS;
2. walks the entries in tree order, demanding sequence numbers 0, 1, 2, …
   with no gap, recomputing each leaf from the canonical encoding and
   comparing it with the leaf recorded when the entry was sequenced;
3. rebuilds the tree and compares its root with every checkpoint at that
   checkpoint's size. All checkpoints being roots of prefixes of one leaf
   sequence is exactly consistency between any two of them (RFC 9162
   section 2.1.4), checked here with every leaf in hand rather than with
   proofs.

The report names the first bad entry (or checkpoint) and stops there:
everything after a bad entry is unverifiable anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consent.audit.canonical import entry_leaf_hash
from consent.audit.checkpoints import (
    CheckpointSignatureError,
    b64url_decode,
    verify_checkpoint,
)
from consent.audit.merkle import Frontier

ENTRIES_FILE = "entries.jsonl"
CHECKPOINTS_FILE = "checkpoints.jsonl"
KEYS_FILE = "audit-checkpoint-keys.json"


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    entries_checked: int
    checkpoints_checked: int
    tree_size: int
    problem: str | None = None
    bad_sequence_number: int | None = None
    bad_entry_id: str | None = None
    bad_checkpoint_size: int | None = None

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.entries_checked} entries and {self.checkpoints_checked} "
                f"checkpoints verified; tree size {self.tree_size}"
            )
        where = []
        if self.bad_sequence_number is not None:
            where.append(f"entry #{self.bad_sequence_number}")
        if self.bad_entry_id is not None:
            where.append(f"id {self.bad_entry_id}")
        if self.bad_checkpoint_size is not None:
            where.append(f"checkpoint of size {self.bad_checkpoint_size}")
        return f"FAILED at {', '.join(where)}: {self.problem}"


def verify_log(
    entries: Iterable[dict[str, Any]],
    signed_checkpoints: Iterable[str],
    jwks: dict[str, Any],
    *,
    progress: Callable[[int], None] | None = None,
) -> VerificationReport:
    """Verify entries (export documents, in tree order) against signed checkpoints."""
    verified = []
    for signature in signed_checkpoints:
        try:
            verified.append(verify_checkpoint(signature, jwks))
        except CheckpointSignatureError as error:
            return VerificationReport(
                ok=False,
                entries_checked=0,
                checkpoints_checked=len(verified),
                tree_size=0,
                problem=str(error),
                bad_checkpoint_size=_claimed_size(signature),
            )
    verified.sort(key=lambda checkpoint: checkpoint.tree_size)
    roots = {checkpoint.tree_size: checkpoint.root_hash for checkpoint in verified}
    checked_checkpoints = 0
    verified_size = 0  # entries before this are covered by a checkpoint that verified
    frontier = Frontier()

    def failure(problem: str, **where: Any) -> VerificationReport:
        return VerificationReport(
            ok=False,
            entries_checked=frontier.size,
            checkpoints_checked=checked_checkpoints,
            tree_size=frontier.size,
            problem=problem,
            **where,
        )

    for document in entries:
        checked = _check_entry(document, frontier.size)
        if isinstance(checked, tuple):
            problem, where = checked
            return failure(problem, **where)
        frontier.append(checked)
        if progress is not None:
            progress(1)
        size = frontier.size
        if size in roots:
            if roots[size] != frontier.root():
                # Every leaf matched its recorded hash, so entry and leaf were rewritten
                # together; the signed roots narrow it to the entries since the last good one.
                return failure(
                    f"entries #{verified_size} to #{size - 1} do not hash to the signed root "
                    "(an entry and its recorded leaf were changed together)",
                    bad_checkpoint_size=size,
                    bad_sequence_number=verified_size,
                )
            checked_checkpoints += 1
            verified_size = size
    beyond = [
        checkpoint.tree_size for checkpoint in verified if checkpoint.tree_size > frontier.size
    ]
    if beyond:
        return failure(
            f"a checkpoint covers {beyond[0]} entries but only {frontier.size} are present",
            bad_sequence_number=frontier.size,
            bad_checkpoint_size=beyond[0],
        )
    return VerificationReport(
        ok=True,
        entries_checked=frontier.size,
        checkpoints_checked=checked_checkpoints,
        tree_size=frontier.size,
    )


def _check_entry(document: dict[str, Any], expected: int) -> bytes | tuple[str, dict[str, Any]]:
    """The entry's leaf hash, or what is wrong with it and where."""
    number = document.get("sequenceNumber")
    entry_id = document.get("entryId")
    if number != expected:
        return (
            f"entry #{expected} is missing (found #{number} in its place)",
            {"bad_sequence_number": expected},
        )
    if entry_id is None:
        return "the entry's record is missing", {"bad_sequence_number": number}
    try:
        leaf = entry_leaf_hash(document)
    except (TypeError, ValueError) as error:
        return f"cannot encode the entry: {error}", {"bad_sequence_number": number}
    recorded = document.get("leafHash")
    if recorded is not None and recorded != leaf.hex():
        return (
            "the entry does not match the leaf recorded when it was sequenced",
            {"bad_sequence_number": number, "bad_entry_id": entry_id},
        )
    return leaf


def _claimed_size(signature: str) -> int | None:
    # Only to name the bad checkpoint in the report; its content is not trusted.
    try:
        payload = json.loads(b64url_decode(signature.split(".")[1]))
        return int(payload["treeSize"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def verify_export(
    folder: Path, *, progress: Callable[[int], None] | None = None
) -> VerificationReport:
    """Verify an export folder: entries.jsonl, checkpoints.jsonl and the public JWKS."""
    jwks = json.loads((folder / KEYS_FILE).read_text(encoding="utf-8"))
    signatures = [str(item["signature"]) for item in _jsonl(folder / CHECKPOINTS_FILE)]
    return verify_log(_jsonl(folder / ENTRIES_FILE), signatures, jwks, progress=progress)
