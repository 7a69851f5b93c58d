"""The agency audit API: scopes, search by person in the body, exports, checkpoints, proofs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.audit import merkle
from consent.audit.canonical import entry_leaf_hash
from consent.audit.checkpoints import verify_checkpoint
from consent.audit.log import append
from consent.audit.models import AuditEntry
from consent.storage.database import create_database_engine
from gateway.app import create_app
from gateway.security.access_tokens import issue_access_token
from gateway.settings import DeploymentMode, Settings
from tests.audit_support import event
from tests.banks import register_agency

AGENCY_ORGNR = "974761076"  # Skatteetaten
OTHER_PERSON = "01017012345"


@pytest.fixture
def audit_app(fresh_database_url: str, tmp_path: Path) -> FastAPI:
    # The sequencer runs on demand here, so each test decides when entries get their place.
    settings = Settings(
        mode=DeploymentMode.TEST,
        database_url=fresh_database_url,
        issuer_url="http://testserver",
        key_dir=tmp_path / "keys",
        audit_sequencer_thread=False,
    )
    engine = create_database_engine(fresh_database_url)
    with Session(engine) as session:  # its tokens are used only while it is registered
        register_agency(session, AGENCY_ORGNR, "skatteetaten-audit")
    engine.dispose()
    return create_app(settings)


@pytest.fixture
def api(audit_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(audit_app, raise_server_exceptions=False) as client:
        yield client


def _headers(app: FastAPI, scopes: tuple[str, ...] = ("audit:read",)) -> dict[str, str]:
    token, _ = issue_access_token(
        app.state.keys,
        issuer="http://testserver",
        client_id="skatteetaten-audit",
        scopes=list(scopes),
        extra_claims={
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{AGENCY_ORGNR}"}
        },
    )
    return {"Authorization": f"Bearer {token}"}


def _append(app: FastAPI, count: int, *, subject: str | None = None, start: int = 0) -> None:
    with app.state.sessionmaker() as session:
        for number in range(start, start + count):
            append(session, event(number, **({"subject": subject} if subject else {})))
        session.commit()


def test_the_api_needs_a_token_with_audit_read(audit_app: FastAPI, api: TestClient) -> None:
    assert api.get("/audit/v1/checkpoints/latest").json()["code"] == "invalid-token"
    response = api.get("/audit/v1/checkpoints/latest", headers=_headers(audit_app, ("bank",)))
    assert (response.status_code, response.json()["code"]) == (403, "insufficient-scope")


def test_search_by_person_pages_with_a_cursor_and_is_itself_audited(
    audit_app: FastAPI, api: TestClient
) -> None:
    _append(audit_app, 5)
    _append(audit_app, 2, subject=OTHER_PERSON, start=50)
    audit_app.state.audit_sequencer.drain()
    headers = _headers(audit_app)
    body = {"filters": {"person": OTHER_PERSON}, "pageSize": 1}
    first = api.post("/audit/v1/entries/search", json=body, headers=headers).json()
    assert [e["subject"] for e in first["entries"]] == [OTHER_PERSON]
    assert first["entries"][0]["sequenceNumber"] == 5
    second = api.post(
        "/audit/v1/entries/search", json={**body, "cursor": first["nextCursor"]}, headers=headers
    ).json()
    assert [e["details"]["number"] for e in second["entries"]] == [51]
    assert second["nextCursor"] is None

    with Session(audit_app.state.engine) as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.event_type == "audit:log:searched")
        ).all()
    assert [(r.actor_type, r.actor_id, r.subject) for r in reads] == [
        ("agency", AGENCY_ORGNR, None)
    ] * 2
    assert reads[0].details["filters"] == ["person"]
    assert OTHER_PERSON not in json.dumps(reads[0].details)


def test_search_filters_combine(audit_app: FastAPI, api: TestClient) -> None:
    _append(audit_app, 6)
    filters = {
        "consentId": "consent-1",
        "bank": "974760673",
        "eventType": "data:summert-skattegrunnlag:read",
    }
    page = api.post(
        "/audit/v1/entries/search", json={"filters": filters}, headers=_headers(audit_app)
    ).json()
    assert [e["details"]["number"] for e in page["entries"]] == [1, 4]
    assert page["entries"][0]["sequenceNumber"] is None  # not sequenced yet

    occurred = page["entries"][0]["occurredAt"]  # UTC; asked for here in another offset
    in_oslo = datetime.fromisoformat(occurred).astimezone(timezone(timedelta(hours=1)))
    for bounds, expected in (
        ({"occurredFrom": in_oslo.isoformat()}, [1, 4]),
        ({"occurredBefore": in_oslo.isoformat()}, []),
        ({"occurredFrom": (in_oslo + timedelta(microseconds=1)).isoformat()}, [4]),
    ):
        found = api.post(
            "/audit/v1/entries/search",
            json={"filters": {"consentId": "consent-1", **bounds}},
            headers=_headers(audit_app),
        ).json()["entries"]
        assert [e["details"]["number"] for e in found] == expected, bounds


def test_a_forged_cursor_is_a_problem(audit_app: FastAPI, api: TestClient) -> None:
    response = api.post(
        "/audit/v1/entries/search", json={"cursor": "!!"}, headers=_headers(audit_app)
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid-cursor")


def test_exports_stream_jsonl_and_csv(audit_app: FastAPI, api: TestClient) -> None:
    _append(audit_app, 3)
    audit_app.state.audit_sequencer.drain()
    headers = _headers(audit_app)
    jsonl = api.post("/audit/v1/exports", json={"format": "jsonl"}, headers=headers)
    assert jsonl.headers["content-type"] == "application/jsonl"
    documents = [json.loads(line) for line in jsonl.text.splitlines()]
    # The export's own record is committed before the stream starts, so it is in it, unsequenced.
    assert [(d["sequenceNumber"], d["eventType"]) for d in documents[2:]] == [
        (2, "data:summert-skattegrunnlag:read"),
        (None, "audit:log:exported"),
    ]
    assert all(entry_leaf_hash(d).hex() == d["leafHash"] for d in documents[:3])
    exported = api.post(
        "/audit/v1/exports",
        json={"format": "csv", "filters": {"consentId": "consent-2"}},
        headers=headers,
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["consentId"], json.loads(r["details"])["number"]) for r in rows] == [
        ("consent-2", 2)
    ]


def test_checkpoints_and_proofs_verify_with_the_published_key(
    audit_app: FastAPI, api: TestClient
) -> None:
    headers = _headers(audit_app)
    assert api.get("/audit/v1/checkpoints/latest", headers=headers).json()["code"] == (
        "checkpoint-not-found"
    )
    _append(audit_app, 5)
    audit_app.state.audit_sequencer.drain()
    old = api.get("/audit/v1/checkpoints/latest", headers=headers).json()
    _append(audit_app, 4, start=10)
    audit_app.state.audit_sequencer.drain()
    new = api.get("/audit/v1/checkpoints/latest", headers=headers).json()
    assert (old["treeSize"], new["treeSize"]) == (5, 9)
    assert api.get("/audit/v1/checkpoints/5", headers=headers).json() == old

    jwks = api.get("/.well-known/audit-checkpoint-keys.json").json()
    assert all("d" not in key for key in jwks["keys"])
    signed = verify_checkpoint(new["signature"], jwks)
    assert signed.root_hash.hex() == new["rootHash"]

    page = api.post("/audit/v1/entries/search", json={}, headers=headers).json()
    entry = page["entries"][7]
    proof = api.get(
        "/audit/v1/proofs/inclusion", params={"entryId": entry["entryId"]}, headers=headers
    ).json()
    assert (proof["sequenceNumber"], proof["treeSize"]) == (7, 9)
    merkle.verify_inclusion(
        entry_leaf_hash(entry), 7, 9, [bytes.fromhex(h) for h in proof["hashes"]], signed.root_hash
    )
    consistency = api.get(
        "/audit/v1/proofs/consistency", params={"oldSize": 5, "newSize": 9}, headers=headers
    ).json()
    merkle.verify_consistency(
        5,
        9,
        [bytes.fromhex(h) for h in consistency["hashes"]],
        bytes.fromhex(old["rootHash"]),
        signed.root_hash,
    )
    missing = api.get(
        "/audit/v1/proofs/consistency", params={"oldSize": 4, "newSize": 9}, headers=headers
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "proof-unavailable")
    both = api.get(
        "/audit/v1/proofs/inclusion", params={"entryId": "x", "sequenceNumber": 1}, headers=headers
    )
    assert (both.status_code, both.json()["code"]) == (400, "entry-not-named")


def test_search_by_organisation_finds_an_enterprises_entries(
    audit_app: FastAPI, api: TestClient
) -> None:
    enterprise = "911001004"
    _append(audit_app, 3)
    _append(audit_app, 2, subject=enterprise, start=70)
    headers = _headers(audit_app)
    found = api.post(
        "/audit/v1/entries/search",
        json={"filters": {"organisation": enterprise}},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    assert [e["details"]["number"] for e in found.json()["entries"]] == [70, 71]
    assert {e["subject"] for e in found.json()["entries"]} == {enterprise}
    both = api.post(
        "/audit/v1/entries/search",
        json={"filters": {"organisation": enterprise, "person": OTHER_PERSON}},
        headers=headers,
    )
    assert (both.status_code, both.json()["code"]) == (422, "invalid-filter")
