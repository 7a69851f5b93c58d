"""Request and response bodies of the agency audit API (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from consent.audit.events import Outcome

NATIONAL_ID_PATTERN = r"^\d{11}$"
ORGNR_PATTERN = r"^\d{9}$"


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class EntryFilters(Schema):
    """Every filter is optional; all given ones must match."""

    person: str | None = Field(
        default=None,
        pattern=NATIONAL_ID_PATTERN,
        description="The subject's national identity number (only ever in a request body).",
    )
    organisation: str | None = Field(
        default=None,
        pattern=ORGNR_PATTERN,
        description=(
            "The subject's organisation number: entries about consents given for an enterprise "
            "and the data read under them. Not to be combined with `person`."
        ),
    )
    bank: str | None = Field(default=None, pattern=ORGNR_PATTERN, description="Bank org. number.")
    consent_id: str | None = Field(default=None, max_length=64)
    data_product: str | None = Field(default=None, max_length=128)
    event_type: str | None = Field(
        default=None, max_length=128, examples=["consent:request:created"]
    )
    outcome: Outcome | None = Field(
        default=None,
        description=(
            "success, denied (a refusal: the caller was not allowed) or failed "
            "(allowed, but could not be completed)."
        ),
    )
    occurred_from: datetime | None = Field(default=None, description="Inclusive.")
    occurred_before: datetime | None = Field(default=None, description="Exclusive.")


class SearchRequest(Schema):
    filters: EntryFilters = Field(default_factory=EntryFilters)
    page_size: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, max_length=64, description="`nextCursor` of a page.")


class AuditEntryView(Schema):
    """An entry as its canonical document (see the export format), plus its leaf hash."""

    model_config = ConfigDict(alias_generator=None, extra="forbid")

    entryId: str  # noqa: N815  (the canonical document's member names)
    sequenceNumber: int | None = Field(description="Null until the sequencer places the entry.")  # noqa: N815
    leafHash: str | None  # noqa: N815
    occurredAt: str  # noqa: N815
    eventType: str  # noqa: N815
    actorType: str  # noqa: N815
    actorId: str  # noqa: N815
    outcome: str
    subject: str | None = Field(
        description="The data subject: a national identity number, or an organisation number "
        "when the consent was given for an enterprise."
    )
    consentId: str | None  # noqa: N815
    dataProduct: str | None  # noqa: N815
    correlationId: str | None  # noqa: N815
    details: dict[str, Any]


class SearchPage(Schema):
    entries: list[AuditEntryView]
    next_cursor: str | None


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


class ExportRequest(Schema):
    filters: EntryFilters = Field(default_factory=EntryFilters)
    format: ExportFormat = ExportFormat.JSONL


class CheckpointView(Schema):
    tree_size: int
    root_hash: str = Field(description="Hex SHA-256 root (RFC 9162 MTH).")
    signed_at: datetime
    key_id: str
    signature: str = Field(
        description="JWS (compact) over the checkpoint; verify with the audit checkpoint keys."
    )


class InclusionProofView(Schema):
    sequence_number: int
    tree_size: int
    leaf_hash: str
    hashes: list[str] = Field(description="RFC 9162 inclusion path, hex, leaf upwards.")


class ConsistencyProofView(Schema):
    old_size: int
    new_size: int
    hashes: list[str] = Field(description="RFC 9162 consistency proof, hex.")
