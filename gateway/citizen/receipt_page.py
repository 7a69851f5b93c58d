"""The readable receipt: what the signed receipt (a compact JWS) says, in the citizen's words.

The page is built from the very payload that is signed, so what it shows and
what the signature covers cannot drift apart.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.citizen.service import NORWAY, ProductView, product_views, purpose_text
from gateway.citizen.texts import TEXTS


@dataclass(frozen=True)
class ReceiptEvent:
    when: str
    what: str
    who: str
    audit_entry_id: str
    sequence_number: int | None  # where the entry sits in the audit log, once placed


@dataclass(frozen=True)
class ReceiptView:
    record_id: str
    receipt_id: str
    issued_at: str
    person: str
    bank_name: str
    organisation_number: str
    purpose: str
    products: list[ProductView]
    valid_from: str
    valid_to: str
    status_text: str
    withdrawal_uri: str
    events: list[ReceiptEvent]
    signed: str  # the compact JWS itself


def payload_of(compact_jws: str) -> dict[str, Any]:
    """The JSON the signature covers (the middle part of a compact JWS)."""
    encoded = compact_jws.split(".")[1]
    record: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    )
    return record


def _time(iso: str) -> str:
    local = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(NORWAY)
    return local.strftime("%d.%m.%Y %H:%M %Z")


def receipt_view(compact_jws: str, *, person: str, language: str) -> ReceiptView:
    words = TEXTS[language]
    record = payload_of(compact_jws)
    bank = record["controller"]
    rights = [
        {"resource": [{"value": category["product"]}], "metadata": category["metadata"]}
        for category in record["dataCategories"]
    ]
    events = [
        ReceiptEvent(
            when=_time(event["at"]),
            what=words.get(f"event_{event['type']}", event["type"]),
            who=words.get(f"actor_{event['actor']}", event["actor"]),
            audit_entry_id=str(event["auditEntryId"]),
            sequence_number=(event.get("checkpoint") or {}).get("sequenceNumber"),
        )
        for event in record["events"]
    ]
    return ReceiptView(
        record_id=record["recordId"],
        receipt_id=record["receiptId"],
        issued_at=_time(record["issuedAt"]),
        person=person,
        bank_name=str(bank.get("name", "")),
        organisation_number=str(bank.get("organisationNumber", "")),
        purpose=purpose_text(record["purposes"][0]["description"], language),
        products=product_views(rights, language),
        valid_from=_time(record["validity"]["from"]),
        valid_to=_time(record["validity"]["to"]),
        status_text=words.get(f"status_{record['state']}", record["state"]),
        withdrawal_uri=record["withdrawal"]["uri"],
        events=events,
        signed=compact_jws,
    )
