"""The agency audit API's rules: who may read, what is recorded about each read, paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from consent.audit import proofs, repository
from consent.audit.canonical import as_utc
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.audit.export import csv_lines, jsonl_lines
from consent.audit.log import append
from consent.audit.models import AuditCheckpoint
from consent.audit.repository import EntryFilter
from gateway.audit.schemas import (
    AuditEntryView,
    CheckpointView,
    ConsistencyProofView,
    EntryFilters,
    ExportFormat,
    InclusionProofView,
    SearchPage,
    SearchRequest,
)
from gateway.problems import AuditedRefusal, ProblemError
from gateway.security.access_tokens import AccessToken, InvalidAccessTokenError, verify_access_token
from gateway.security.dependencies import bearer_token

EXPORT_PAGE_SIZE = 1000
ISO6523_NORWEGIAN_ORGNR = "0192:"


def agency_of(token: AccessToken) -> str:
    """The agency's organisation number from `consumer.ID` ("0192:<orgnr>"), else its client id."""
    consumer = token.claims.get("consumer")
    if isinstance(consumer, dict):
        identifier = str(consumer.get("ID", ""))
        if identifier.startswith(ISO6523_NORWEGIAN_ORGNR):
            return identifier.removeprefix(ISO6523_NORWEGIAN_ORGNR)
    return token.client_id


def _caller_of(request: Request) -> tuple[str, str | None]:
    """Who a refused reader is, as far as their token says: agency (or client id) and client."""
    try:
        _, raw = bearer_token(request)
        token = verify_access_token(
            request.app.state.keys, raw, issuer=request.app.state.settings.issuer_url
        )
    except (ProblemError, InvalidAccessTokenError):
        return "unauthenticated", None
    return agency_of(token), token.client_id


def refuse_read(session: Session, request: Request, problem: ProblemError) -> AuditedRefusal:
    """Record a refused read of the log (reading it is recorded, and so is trying); the answer."""
    actor, client_id = _caller_of(request)
    append(
        session,
        AuditEvent(
            event_type=event_type("audit", "log", "refused"),
            actor_type=ActorType.AGENCY,
            actor_id=actor,
            outcome=Outcome.DENIED,
            correlation_id=str(getattr(request.state, "request_id", "")) or None,
            details={
                "reason": problem.code,
                "route": request.url.path,
                **({"clientId": client_id} if client_id else {}),
            },
        ),
    )
    return AuditedRefusal.of(problem)


def _entry_filter(filters: EntryFilters) -> EntryFilter:
    if filters.person is not None and filters.organisation is not None:
        raise ProblemError(
            422,
            "invalid-filter",
            "Filter by a person or by an organisation, not both",
            "The subject of an entry is either a person or an organisation.",
        )
    return EntryFilter(
        subject=filters.person or filters.organisation,
        bank=filters.bank,
        consent_id=filters.consent_id,
        data_product=filters.data_product,
        event_type=filters.event_type,
        outcome=filters.outcome.value if filters.outcome else None,
        # Stored times are UTC (SQLite keeps no offset), so bounds are compared in UTC too.
        occurred_from=as_utc(filters.occurred_from) if filters.occurred_from else None,
        occurred_before=as_utc(filters.occurred_before) if filters.occurred_before else None,
    )


def _record_read(
    session: Session, token: AccessToken, action: str, filters: EntryFilters, **details: Any
) -> None:
    # Which filters were used, never their values: the person stays out of the log's details.
    used = sorted(name for name, value in filters.model_dump(by_alias=True).items() if value)
    append(
        session,
        AuditEvent(
            event_type=event_type("audit", "log", action),
            actor_type=ActorType.AGENCY,
            actor_id=agency_of(token),
            details={"clientId": token.client_id, "filters": used, **details},
        ),
    )


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ProblemError(
            400, "invalid-cursor", "The cursor is not one this API gave out"
        ) from error


def search(session: Session, token: AccessToken, request: SearchRequest) -> SearchPage:
    after = _decode_cursor(request.cursor) if request.cursor else None
    rows = repository.search_documents(
        session, _entry_filter(request.filters), after_pk=after, limit=request.page_size + 1
    )
    page, more = rows[: request.page_size], len(rows) > request.page_size
    _record_read(session, token, "searched", request.filters, returned=len(page))
    return SearchPage(
        entries=[AuditEntryView.model_validate(document) for _, document in page],
        next_cursor=_encode_cursor(page[-1][0]) if more else None,
    )


def record_export(
    session: Session, token: AccessToken, filters: EntryFilters, export_format: ExportFormat
) -> None:
    _record_read(session, token, "exported", filters, format=export_format.value)


def export_lines(
    factory: sessionmaker[Session], filters: EntryFilters, export_format: ExportFormat
) -> Iterator[str]:
    """Every matching entry, streamed page by page in a read-only session of its own."""
    where = _entry_filter(filters)

    def documents() -> Iterator[dict[str, Any]]:
        after: int | None = None
        with factory() as session:
            while rows := repository.search_documents(
                session, where, after_pk=after, limit=EXPORT_PAGE_SIZE
            ):
                for _, document in rows:
                    yield document
                after = rows[-1][0]

    if export_format is ExportFormat.CSV:
        return csv_lines(documents())
    return jsonl_lines(documents())


def _checkpoint_view(checkpoint: AuditCheckpoint) -> CheckpointView:
    return CheckpointView(
        tree_size=checkpoint.tree_size,
        root_hash=bytes(checkpoint.root_hash).hex(),
        signed_at=as_utc(checkpoint.signed_at),  # SQLite hands back naive UTC times
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
    )


def _no_checkpoint(detail: str) -> ProblemError:
    return ProblemError(404, "checkpoint-not-found", "No such checkpoint", detail)


def latest_checkpoint(session: Session) -> CheckpointView:
    checkpoint = repository.latest_checkpoint(session)
    if checkpoint is None:
        raise _no_checkpoint("Nothing has been sequenced yet.")
    return _checkpoint_view(checkpoint)


def checkpoint_at(session: Session, tree_size: int) -> CheckpointView:
    checkpoint = repository.checkpoint_at(session, tree_size)
    if checkpoint is None:
        raise _no_checkpoint(f"No checkpoint was signed at tree size {tree_size}.")
    return _checkpoint_view(checkpoint)


def _unavailable(error: proofs.ProofUnavailableError) -> ProblemError:
    return ProblemError(404, "proof-unavailable", "No such proof", str(error))


def inclusion_proof(
    session: Session, *, sequence_number: int | None, entry_id: str | None, tree_size: int | None
) -> InclusionProofView:
    if entry_id is not None:
        leaf = repository.leaf_by_entry_id(session, entry_id)
        if leaf is None:
            raise ProblemError(
                404, "proof-unavailable", "No such proof", "The entry is not sequenced yet."
            )
        sequence_number = leaf.sequence_number
    assert sequence_number is not None
    try:
        proof = proofs.inclusion_proof(session, sequence_number, tree_size)
    except proofs.ProofUnavailableError as error:
        raise _unavailable(error) from error
    return InclusionProofView(
        sequence_number=proof.sequence_number,
        tree_size=proof.tree_size,
        leaf_hash=proof.leaf_hash.hex(),
        hashes=[digest.hex() for digest in proof.hashes],
    )


def consistency_proof(session: Session, old_size: int, new_size: int) -> ConsistencyProofView:
    try:
        proof = proofs.consistency_proof(session, old_size, new_size)
    except proofs.ProofUnavailableError as error:
        raise _unavailable(error) from error
    return ConsistencyProofView(
        old_size=proof.old_size,
        new_size=proof.new_size,
        hashes=[digest.hex() for digest in proof.hashes],
    )
