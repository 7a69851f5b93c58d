"""The shapes of the gateway's answers that the client returns as typed dictionaries."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

ExportFormat = Literal["jsonl", "csv"]


class AuditFilters(TypedDict, total=False):
    """Filters of the agency audit API; all optional, all given ones must match."""

    person: str  # a national identity number; sent in the request body only
    bank: str  # organisation number
    consentId: str
    dataProduct: str
    eventType: str
    occurredFrom: str  # ISO 8601, inclusive
    occurredBefore: str  # ISO 8601, exclusive


class AuditEntry(TypedDict):
    entryId: str
    sequenceNumber: int | None
    leafHash: str | None
    occurredAt: str
    eventType: str
    actorType: str
    actorId: str
    outcome: str
    subject: str | None
    consentId: str | None
    dataProduct: str | None
    correlationId: str | None
    details: dict[str, Any]


class AuditSearchPage(TypedDict):
    entries: list[AuditEntry]
    nextCursor: str | None


class Checkpoint(TypedDict):
    treeSize: int
    rootHash: str
    signedAt: str
    keyId: str
    signature: str


class InclusionProof(TypedDict):
    sequenceNumber: int
    treeSize: int
    leafHash: str
    hashes: list[str]


class ConsistencyProof(TypedDict):
    oldSize: int
    newSize: int
    hashes: list[str]


class PushedAuthorizationRequest(TypedDict):
    request_uri: str
    expires_in: int


class TokenResponse(TypedDict, total=False):
    access_token: str
    token_type: str
    expires_in: int
    scope: str
    authorization_details: list[dict[str, Any]]
