"""The canonical encoding of an entry: the bytes its leaf hash is computed over.

An entry is encoded as compact JSON (no whitespace, keys sorted, UTF-8,
non-ASCII kept as is) of exactly these members:

    actorId, actorType, consentId, correlationId, dataProduct, details,
    entryId, eventType, occurredAt, outcome, sequenceNumber, subject

`occurredAt` is UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`;
absent values are `null`; `sequenceNumber` is the entry's zero-based place
in the tree, so that moving an entry changes its leaf. Exports carry the
same members (plus `leafHash`, which is not part of the encoding), so an
agency recomputes every leaf from an export alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from consent.audit.merkle import leaf_hash

CANONICAL_MEMBERS = (
    "actorId",
    "actorType",
    "consentId",
    "correlationId",
    "dataProduct",
    "details",
    "entryId",
    "eventType",
    "occurredAt",
    "outcome",
    "sequenceNumber",
    "subject",
)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; the log only ever stores UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_document(
    *,
    sequence_number: int | None,
    entry_id: str,
    occurred_at: datetime,
    event_type: str,
    actor_type: str,
    actor_id: str,
    outcome: str,
    subject: str | None,
    consent_id: str | None,
    data_product: str | None,
    correlation_id: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "actorId": actor_id,
        "actorType": actor_type,
        "consentId": consent_id,
        "correlationId": correlation_id,
        "dataProduct": data_product,
        "details": details,
        "entryId": entry_id,
        "eventType": event_type,
        "occurredAt": format_timestamp(occurred_at),
        "outcome": outcome,
        "sequenceNumber": sequence_number,
        "subject": subject,
    }


def encode(document: dict[str, Any]) -> bytes:
    """The canonical bytes of an entry document (extra members such as leafHash are left out)."""
    canonical = {member: document.get(member) for member in CANONICAL_MEMBERS}
    return json.dumps(
        canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_leaf_hash(document: dict[str, Any]) -> bytes:
    return leaf_hash(encode(document))
