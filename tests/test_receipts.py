"""Receipts are signed ISO/IEC TS 27560 records that verify with the published keys."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import KeySet
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit import merkle
from consent.audit import repository as audit_repository
from consent.audit.checkpoints import verify_checkpoint
from consent.audit.models import AuditEntry
from consent.consents import lifecycle, repository
from gateway.app import create_app
from gateway.settings import Settings
from tests.banks import register_bank
from tests.consent_factories import NOW, PERSON, new_consent

ORGANISATION = "910000020"


def test_receipts_follow_accept_and_revoke(
    client: TestClient, app: FastAPI, engine: Engine
) -> None:
    app.state.clock = lambda: NOW + timedelta(hours=2)
    with Session(engine) as session:
        bank = register_bank(session, ORGANISATION, name="Vestlandsbanken")
        consent = new_consent(session, bank=ORGANISATION)
        consent.client_id = bank.client_id
        session.commit()
        consent_id = consent.id
    url = f"/consent/v1/consentrequests/{consent_id}/receipt"

    before = client.get(url, headers=bank.headers(app))
    assert before.status_code == 409
    assert before.json()["code"] == "no-receipt"

    with Session(engine) as session:
        stored = repository.get(session, consent_id)
        assert stored is not None
        lifecycle.accept(session, stored, person=PERSON, now=NOW)
        lifecycle.revoke(session, stored, person=PERSON, now=NOW + timedelta(hours=1))
        session.commit()

    answer = client.get(url, headers=bank.headers(app))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jose"
    published = client.get("/.well-known/receipt-keys.json").json()
    assert all("d" not in key for key in published["keys"])
    verified = jws.deserialize_compact(answer.text, KeySet.import_key_set(published), ["ES256"])
    assert verified.headers()["typ"] == "consent-receipt+jws"
    record = json.loads(verified.payload)

    assert record["schema"] == "ISO/IEC TS 27560:2023"
    assert record["recordId"] == consent_id
    assert record["state"] == "revoked"
    assert record["principal"]["id"] == PERSON
    assert record["controller"]["name"] == "Vestlandsbanken"
    assert record["controller"]["organisationNumber"] == ORGANISATION
    assert record["recipients"] == [record["controller"]]
    assert record["purposes"][0]["description"]["nb"] == "Lånesøknad"
    assert [c["product"] for c in record["dataCategories"]] == [
        "ske-samtykke-sbl-summert-skattegrunnlag",
        "ske-samtykke-sbl-inntekt",
    ]
    assert record["validity"]["to"] == "2026-07-15T12:00:00Z"
    assert record["withdrawal"]["uri"] == "http://testserver/citizen/consents"
    assert [e["type"] for e in record["events"]] == ["created", "accepted", "revoked"]
    with Session(engine) as session:
        audited = set(
            session.scalars(select(AuditEntry.entry_id).where(AuditEntry.consent_id == consent_id))
        )
    assert {e["auditEntryId"] for e in record["events"]} == audited


def test_an_expired_consent_keeps_its_receipt(
    client: TestClient, app: FastAPI, engine: Engine
) -> None:
    later = NOW + timedelta(days=31)
    app.state.clock = lambda: later
    with Session(engine) as session:
        bank = register_bank(session, ORGANISATION)
        consent = new_consent(session, bank=ORGANISATION, valid_for=timedelta(days=30))
        consent.client_id = bank.client_id
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        assert lifecycle.expire_if_due(session, consent, later)
        session.commit()
        consent_id = consent.id
    answer = client.get(
        f"/consent/v1/consentrequests/{consent_id}/receipt", headers=bank.headers(app)
    )
    assert answer.status_code == 200
    keys = KeySet.import_key_set(client.get("/.well-known/receipt-keys.json").json())
    record = json.loads(jws.deserialize_compact(answer.text, keys, ["ES256"]).payload)
    assert record["state"] == "expired"
    assert [e["type"] for e in record["events"]] == ["created", "accepted", "expired"]
    assert [e["actor"] for e in record["events"]] == ["bank", "citizen", "system"]


def test_receipt_names_the_signed_checkpoint_of_each_event(
    settings: Settings, engine: Engine
) -> None:
    # The sequencer runs on demand, so the test sees the receipt before and after it runs.
    app = create_app(settings.model_copy(update={"audit_sequencer_thread": False}))
    app.state.clock = lambda: NOW + timedelta(hours=2)
    with TestClient(app, raise_server_exceptions=False) as client:
        with Session(engine) as session:
            bank = register_bank(session, ORGANISATION)
            consent = new_consent(session, bank=ORGANISATION)
            consent.client_id = bank.client_id
            lifecycle.accept(session, consent, person=PERSON, now=NOW)
            session.commit()
            consent_id = consent.id
        url = f"/consent/v1/consentrequests/{consent_id}/receipt"
        receipt_keys = KeySet.import_key_set(client.get("/.well-known/receipt-keys.json").json())

        def fetch_events() -> list[dict[str, Any]]:
            answer = client.get(url, headers=bank.headers(app))
            assert answer.status_code == 200
            record = json.loads(jws.deserialize_compact(answer.text, receipt_keys).payload)
            events: list[dict[str, Any]] = record["events"]
            return events

        assert [e["checkpoint"] for e in fetch_events()] == [{"status": "pending"}] * 2

        assert app.state.audit_sequencer.drain() > 0
        events = fetch_events()
        checkpoint_keys = client.get("/.well-known/audit-checkpoint-keys.json").json()
        with Session(engine) as session:
            for event in events:
                reference = event["checkpoint"]
                assert reference["status"] == "sequenced"
                assert reference["keysUri"] == (
                    "http://testserver/.well-known/audit-checkpoint-keys.json"
                )
                signed = verify_checkpoint(reference["signedCheckpoint"], checkpoint_keys)
                assert signed.tree_size == reference["treeSize"]
                assert signed.root_hash.hex() == reference["rootHash"]
                leaf = audit_repository.leaf_by_entry_id(session, event["auditEntryId"])
                assert leaf is not None
                assert leaf.sequence_number == reference["sequenceNumber"]
                proof = reference["inclusionProof"]
                assert proof["leafHash"] == bytes(leaf.leaf_hash).hex()
                merkle.verify_inclusion(
                    bytes.fromhex(proof["leafHash"]),
                    reference["sequenceNumber"],
                    signed.tree_size,
                    [bytes.fromhex(h) for h in proof["hashes"]],
                    signed.root_hash,
                )
                # A proof for another entry's place does not verify.
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(
                        bytes.fromhex(proof["leafHash"]),
                        (reference["sequenceNumber"] + 1) % signed.tree_size,
                        signed.tree_size,
                        [bytes.fromhex(h) for h in proof["hashes"]],
                        signed.root_hash,
                    )
