"""Inclusion and consistency proofs from the stored tree, in one query each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consent.audit import merkle, repository


class ProofUnavailableError(LookupError):
    """The sizes or the entry asked for are not in the sequenced tree."""


@dataclass(frozen=True)
class InclusionProof:
    sequence_number: int
    tree_size: int
    leaf_hash: bytes
    hashes: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    hashes: list[bytes]


def _stored_subtrees(
    session: Session, build: Callable[[merkle.RangeHash], object], *extra: merkle.Subtree
) -> dict[merkle.Subtree, bytes]:
    needed = merkle.subtrees_needed(build) | set(extra)
    found = repository.subtree_hashes(session, needed)
    if len(found) != len(needed):
        raise ProofUnavailableError("the tree is missing nodes the proof needs")
    return found


def _checked_size(session: Session, tree_size: int | None) -> int:
    latest = repository.latest_checkpoint(session)
    if latest is None:
        raise ProofUnavailableError("nothing has been sequenced yet")
    if tree_size is None:
        return latest.tree_size
    if repository.checkpoint_at(session, tree_size) is None:
        raise ProofUnavailableError(f"no checkpoint of size {tree_size}")
    return tree_size


def inclusion_proof(
    session: Session, sequence_number: int, tree_size: int | None = None
) -> InclusionProof:
    """Prove entry `sequence_number` is in the checkpointed tree of `tree_size` (or the latest)."""
    size = _checked_size(session, tree_size)
    if not 0 <= sequence_number < size:
        raise ProofUnavailableError("the entry is not in that tree")

    def build(range_of: merkle.RangeHash) -> list[bytes]:
        return merkle.inclusion_proof(sequence_number, size, range_of)

    # The leaf itself comes with the proof's subtrees, in the same query.
    subtrees = _stored_subtrees(session, build, (0, sequence_number))
    hashes = build(merkle.ranges_from(subtrees))
    return InclusionProof(sequence_number, size, subtrees[(0, sequence_number)], hashes)


def consistency_proof(session: Session, old_size: int, new_size: int) -> ConsistencyProof:
    """Prove the checkpointed tree of `new_size` extends the one of `old_size`."""
    _checked_size(session, old_size)
    _checked_size(session, new_size)
    if old_size > new_size:
        raise ProofUnavailableError("the old size is larger than the new one")

    def build(range_of: merkle.RangeHash) -> list[bytes]:
        return merkle.consistency_proof(old_size, new_size, range_of)

    hashes = build(merkle.ranges_from(_stored_subtrees(session, build)))
    return ConsistencyProof(old_size, new_size, hashes)
