"""An agency reads, exports and proves the audit log with the same client."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from conftest import Gateway, Registered
from samtykke_client import AsyncSamtykkeClient, SamtykkeClient, SamtykkeError


def _leaf_hash(entry: dict[str, object]) -> bytes:
    members = {key: value for key, value in entry.items() if key != "leafHash"}
    data = json.dumps(members, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(b"\x00" + data.encode()).digest()


def _root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2, written here from the RFC, not taken from the gateway."""
    last, node = size - 1, leaf
    for sibling in path:
        if index % 2 == 1 or index == last:
            node = hashlib.sha256(b"\x01" + sibling + node).digest()
            while index % 2 == 0 and index != 0:
                index, last = index >> 1, last >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + sibling).digest()
        index, last = index >> 1, last >> 1
    assert last == 0
    return node


def test_a_bank_may_not_read_the_log(bank_client: SamtykkeClient) -> None:
    with pytest.raises(SamtykkeError) as refused:
        bank_client.search_audit_entries()
    assert refused.value.status in {400, 401, 403}


def test_search_export_and_prove(agency_client: SamtykkeClient, bank: Registered) -> None:
    # Registering the test bank was audited; the agency finds it.
    registrations = agency_client.iter_audit_entries({"eventType": "client:registration:created"})
    assert any(entry["details"].get("clientId") == bank.client_id for entry in registrations)

    first = agency_client.search_audit_entries(page_size=1)
    assert len(first["entries"]) == 1
    exported = agency_client.export_audit_entries(export_format="jsonl").splitlines()
    assert json.loads(exported[0])["entryId"] == first["entries"][0]["entryId"]
    csv_header = agency_client.export_audit_entries(export_format="csv").splitlines()[0]
    assert "entryId" in csv_header

    latest = agency_client.latest_checkpoint()
    assert agency_client.checkpoint(latest["treeSize"]) == latest
    assert agency_client.checkpoint_keys()["keys"]
    proof = agency_client.inclusion_proof(sequence_number=0, tree_size=latest["treeSize"])
    entry = json.loads(exported[0])
    assert entry["sequenceNumber"] == 0
    assert proof["leafHash"] == _leaf_hash(entry).hex()
    root = _root(
        _leaf_hash(entry), 0, proof["treeSize"], [bytes.fromhex(h) for h in proof["hashes"]]
    )
    assert root.hex() == latest["rootHash"]
    same = agency_client.consistency_proof(latest["treeSize"], latest["treeSize"])
    assert same == {"oldSize": latest["treeSize"], "newSize": latest["treeSize"], "hashes": []}

    with pytest.raises(ValueError, match="exactly one"):
        agency_client.inclusion_proof()


def test_the_async_agency_client(gateway: Gateway, agency: Registered) -> None:
    async def read() -> tuple[int, int]:
        async with AsyncSamtykkeClient(
            gateway.url, client_id=agency.client_id, private_jwk=agency.private_jwk
        ) as client:
            latest = await client.latest_checkpoint()
            entries = [entry async for entry in client.iter_audit_entries(page_size=2)]
            return latest["treeSize"], len(entries)

    tree_size, count = asyncio.run(read())
    assert count >= tree_size >= 1
