"""The agency audit API under /audit/v1 and the published checkpoint keys. Routes stay thin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from gateway.audit import service
from gateway.audit.schemas import (
    CheckpointView,
    ConsistencyProofView,
    ExportFormat,
    ExportRequest,
    InclusionProofView,
    SearchPage,
    SearchRequest,
)
from gateway.database import DbSession
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import ProblemError, problem_responses
from gateway.security.access_tokens import AccessToken
from gateway.security.dependencies import require_scope

AUDIT_SCOPE = "audit:read"
_require_audit_scope = require_scope(AUDIT_SCOPE)


def reading_agency(request: Request, session: DbSession) -> AccessToken:
    """The agency's verified token; a refused read is on the record before it is answered."""
    try:
        return _require_audit_scope(request, session)
    except ProblemError as problem:
        raise service.refuse_read(session, request, problem) from problem


Agency = Annotated[AccessToken, Depends(reading_agency)]

well_known = APIRouter(tags=["audit"])
router = APIRouter(prefix="/audit/v1", tags=["audit"])

CHECKPOINT_KEYS_PATH = "/.well-known/audit-checkpoint-keys.json"
MEDIA_TYPES = {ExportFormat.JSONL: "application/jsonl", ExportFormat.CSV: "text/csv; charset=utf-8"}


@well_known.get(CHECKPOINT_KEYS_PATH)
def checkpoint_keys(request: Request) -> dict[str, Any]:
    """The public keys that verify audit checkpoints (current first, then replaced ones)."""
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.AUDIT_CHECKPOINT)


@router.post("/entries/search", responses=problem_responses(400, 401, 403, 422, 503))
def search_entries(body: SearchRequest, session: DbSession, agency: Agency) -> SearchPage:
    """Entries matching the filters, oldest first, one page at a time (keyset cursor)."""
    return service.search(session, agency, body)


@router.post(
    "/exports",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/jsonl": {}, "text/csv": {}}},
        **problem_responses(400, 401, 403, 422, 503),
    },
)
def export_entries(
    body: ExportRequest, request: Request, session: DbSession, agency: Agency
) -> StreamingResponse:
    """Every matching entry, streamed as JSON Lines or CSV."""
    service.record_export(session, agency, body.filters, body.format)
    lines = service.export_lines(request.app.state.sessionmaker, body.filters, body.format)
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="audit-log.{body.format.value}"'},
    )


@router.get("/checkpoints/latest", responses=problem_responses(401, 403, 404, 503))
def latest_checkpoint(session: DbSession, agency: Agency) -> CheckpointView:
    return service.latest_checkpoint(session)


@router.get("/checkpoints/{tree_size}", responses=problem_responses(401, 403, 404, 422, 503))
def checkpoint(tree_size: int, session: DbSession, agency: Agency) -> CheckpointView:
    return service.checkpoint_at(session, tree_size)


@router.get("/proofs/inclusion", responses=problem_responses(400, 401, 403, 404, 422, 503))
def inclusion_proof(
    session: DbSession,
    agency: Agency,
    sequence_number: Annotated[int | None, Query(alias="sequenceNumber", ge=0)] = None,
    entry_id: Annotated[str | None, Query(alias="entryId", max_length=36)] = None,
    tree_size: Annotated[int | None, Query(alias="treeSize", ge=1)] = None,
) -> InclusionProofView:
    """Proof that an entry is in a checkpointed tree.

    Name the entry by exactly one of `sequenceNumber` and `entryId`; otherwise the
    answer is 400 `entry-not-named`.
    """
    if (sequence_number is None) == (entry_id is None):
        raise ProblemError(400, "entry-not-named", "Give exactly one of sequenceNumber and entryId")
    return service.inclusion_proof(
        session, sequence_number=sequence_number, entry_id=entry_id, tree_size=tree_size
    )


@router.get("/proofs/consistency", responses=problem_responses(401, 403, 404, 422, 503))
def consistency_proof(
    session: DbSession,
    agency: Agency,
    old_size: Annotated[int, Query(alias="oldSize", ge=1)],
    new_size: Annotated[int, Query(alias="newSize", ge=1)],
) -> ConsistencyProofView:
    """Proof that the checkpointed tree of newSize extends the one of oldSize."""
    return service.consistency_proof(session, old_size, new_size)
