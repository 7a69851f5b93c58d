"""The Merkle tree against RFC 9162's own recursive definitions, for every small size."""

from __future__ import annotations

import hashlib

import pytest

from consent.audit import merkle


def _mth(d: list[bytes]) -> bytes:
    # RFC 9162 section 2.1.1, literally, over entries (not leaf hashes).
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def _path(m: int, d: list[bytes]) -> list[bytes]:
    # RFC 9162 section 2.1.3.1.
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*_path(m, d[:k]), _mth(d[k:])]
    return [*_path(m - k, d[k:]), _mth(d[:k])]


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    # RFC 9162 section 2.1.4.1.
    n = len(d)
    if m == n:
        return [] if b else [_mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, d[:k], b), _mth(d[k:])]
    return [*_subproof(m - k, d[k:], False), _mth(d[:k])]


ENTRIES = [f"entry {i}".encode() for i in range(70)]
LEAVES = [merkle.leaf_hash(entry) for entry in ENTRIES]


def _range_of(start: int, end: int) -> bytes:
    return _mth(ENTRIES[start:end])


@pytest.mark.parametrize("size", range(71))
def test_frontier_root_is_the_rfc_tree_hash(size: int) -> None:
    frontier = merkle.Frontier()
    stored: dict[merkle.Subtree, bytes] = {(0, i): leaf for i, leaf in enumerate(LEAVES[:size])}
    for leaf in LEAVES[:size]:
        stored.update(frontier.append(leaf))
    assert frontier.root() == _mth(ENTRIES[:size]) == merkle.tree_hash(LEAVES[:size])
    # Every stored subtree is the RFC hash of the leaves it covers.
    for (level, index), digest in stored.items():
        assert digest == _mth(ENTRIES[index << level : (index + 1) << level])
    decoded = merkle.Frontier.decode(size, frontier.encode())
    assert decoded.root() == frontier.root()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 32, 33, 70])
def test_inclusion_proofs_match_the_rfc_and_verify(size: int) -> None:
    root = _mth(ENTRIES[:size])
    for index in range(size):
        needed = merkle.subtrees_needed(
            lambda r, index=index: merkle.inclusion_proof(index, size, r)
        )
        stored = {s: _mth(ENTRIES[s[1] << s[0] : (s[1] + 1) << s[0]]) for s in needed}
        proof = merkle.inclusion_proof(index, size, merkle.ranges_from(stored))
        assert proof == _path(index, ENTRIES[:size])
        merkle.verify_inclusion(LEAVES[index], index, size, proof, root)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(LEAVES[(index + 1) % 70], index, size, proof, root)


@pytest.mark.parametrize("new_size", [1, 2, 3, 4, 7, 8, 9, 16, 31, 70])
def test_consistency_proofs_match_the_rfc_and_verify(new_size: int) -> None:
    new_root = _mth(ENTRIES[:new_size])
    for old_size in range(1, new_size + 1):
        proof = merkle.consistency_proof(old_size, new_size, _range_of)
        assert proof == (
            _subproof(old_size, ENTRIES[:new_size], True) if old_size < new_size else []
        )
        old_root = _mth(ENTRIES[:old_size])
        merkle.verify_consistency(old_size, new_size, proof, old_root, new_root)
        forged_old = _mth([b"forged", *ENTRIES[1:old_size]])
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old_size, new_size, proof, forged_old, new_root)


def test_a_proof_of_the_wrong_length_is_refused() -> None:
    proof = merkle.inclusion_proof(3, 8, _range_of)
    root = _mth(ENTRIES[:8])
    with pytest.raises(merkle.ProofError, match="short"):
        merkle.verify_inclusion(LEAVES[3], 3, 8, proof[:-1], root)
    with pytest.raises(merkle.ProofError, match="long"):
        merkle.verify_inclusion(LEAVES[3], 3, 8, [*proof, root], root)
