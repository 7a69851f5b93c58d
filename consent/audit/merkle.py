"""RFC 9162 Merkle trees: tree hash, inclusion and consistency proofs, and their verification.

Leaves are hashed as SHA-256(0x00 || entry) and interior nodes as
SHA-256(0x01 || left || right) (RFC 9162 section 2.1.1). Proofs are built
from the hashes of *perfect* subtrees (a power of two leaves, aligned),
which is what the database stores; `subtrees_needed` names them up front
so a proof costs one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "ProofError",
    "RangeHash",
    "Subtree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "perfect_subtrees",
    "range_hash",
    "ranges_from",
    "subtrees_needed",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A perfect subtree: (level, index) covers leaves [index << level, (index + 1) << level).
Subtree = tuple[int, int]


class ProofError(ValueError):
    """A proof does not verify."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, as RFC 9162 section 2.1.1 defines it recursively."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def perfect_subtrees(start: int, end: int) -> list[Subtree]:
    """The aligned perfect subtrees that make up [start, end), left to right.

    Only ranges that RFC 9162 recursion produces are asked for: `start` is a
    multiple of the largest power of two not above `end - start`.
    """
    result: list[Subtree] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        result.append((level, start >> level))
        start += 1 << level
    return result


def range_hash(start: int, end: int, subtree_hash: Callable[[Subtree], bytes]) -> bytes:
    """MTH of leaves [start, end) from the hashes of its perfect subtrees."""
    hashes = [subtree_hash(subtree) for subtree in perfect_subtrees(start, end)]
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


# Proofs are computed over ranges; `RangeHash(start, end)` gives MTH(D[start:end]).
RangeHash = Callable[[int, int], bytes]


def _path(m: int, start: int, end: int, range_of: RangeHash) -> list[bytes]:
    # RFC 9162 section 2.1.3.1, PATH(m, D[start:end]), iteratively from the bottom.
    n = end - start
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, start, start + k, range_of), range_of(start + k, end)]
    return [*_path(m - k, start + k, end, range_of), range_of(start, start + k)]


def _subproof(m: int, start: int, end: int, complete: bool, range_of: RangeHash) -> list[bytes]:
    # RFC 9162 section 2.1.4.1, SUBPROOF(m, D[start:end], b).
    n = end - start
    if m == n:
        return [] if complete else [range_of(start, end)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, start, start + k, complete, range_of), range_of(start + k, end)]
    return [*_subproof(m - k, start + k, end, False, range_of), range_of(start, start + k)]


def inclusion_proof(index: int, size: int, range_of: RangeHash) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError("leaf index out of range")
    return _path(index, 0, size, range_of)


def consistency_proof(old_size: int, new_size: int, range_of: RangeHash) -> list[bytes]:
    if not 0 < old_size <= new_size:
        raise ValueError("sizes out of range")
    if old_size == new_size:
        return []
    return _subproof(old_size, 0, new_size, True, range_of)


def subtrees_needed(build: Callable[[RangeHash], object]) -> set[Subtree]:
    """Which perfect subtrees a proof reads: run it once on placeholder hashes.

    A proof's shape depends only on the indices, never on the hashes.
    """
    needed: set[Subtree] = set()

    def record(start: int, end: int) -> bytes:
        needed.update(perfect_subtrees(start, end))
        return bytes(HASH_SIZE)

    build(record)
    return needed


def ranges_from(subtrees: Mapping[Subtree, bytes]) -> RangeHash:
    def range_of(start: int, end: int) -> bytes:
        return range_hash(start, end, subtrees.__getitem__)

    return range_of


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2. Raises ProofError unless `leaf` is at `index` under `root`."""
    if not 0 <= index < size:
        raise ProofError("leaf index out of range")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    _check_end(sn, r == root)


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """RFC 9162 section 2.1.4.2. Raises ProofError unless the new tree extends the old one."""
    if not 0 < old_size <= new_size:
        raise ProofError("sizes out of range")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError("equal sizes need an empty proof and equal roots")
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        raise ProofError("empty proof")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    _check_end(sn, fr == old_root and sr == new_root)


def _check_end(sn: int, roots_match: bool) -> None:
    if sn != 0:
        raise ProofError("proof too short")
    if not roots_match:
        raise ProofError("root mismatch")


class Frontier:
    """The right edge of a growing tree: one perfect subtree per set bit of its size.

    Appending a leaf merges equal-sized subtrees; each merge completes a
    perfect subtree, reported so that it can be stored for later proofs.
    """

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != size.bit_count():
            raise ValueError("a frontier holds one hash per set bit of its size")

    def append(self, leaf: bytes) -> list[tuple[Subtree, bytes]]:
        completed: list[tuple[Subtree, bytes]] = []
        self.hashes.append(leaf)
        position, level = self.size, 0
        while position & 1:
            right = self.hashes.pop()
            left = self.hashes.pop()
            merged = node_hash(left, right)
            self.hashes.append(merged)
            position >>= 1
            level += 1
            completed.append(((level, position), merged))
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root

    def encode(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def decode(cls, size: int, data: bytes) -> Frontier:
        hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return cls(size, hashes)
