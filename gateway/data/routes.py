"""The bank's data endpoints. The person is the consent's subject: never a path or query value."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.catalogue import INNTEKT, LOSORE, SUMMERT_SKATTEGRUNNLAG
from gateway.clock import clock_of
from gateway.data.service import DataCaller, DataService
from gateway.database import DbSession
from gateway.oauth.jti_ledger import JtiLedger
from gateway.oauth.resource import record_proofs
from gateway.problems import AuditedRefusal, ProblemError
from gateway.ratelimit import check_bank_quota, refuse_over_quota
from gateway.security.dependencies import authenticate
from gateway.security.scopes import DATA_READ, organisation_number_of

router = APIRouter(prefix="/data/v1", tags=["data"])

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
REFUSED_ACCESS = event_type("data", "access", "refused")


class ProductAnswer(BaseModel):
    consentId: str  # noqa: N815  (the API's camelCase names)
    product: str = Field(description="The catalogue product id.")
    source: dict[str, Any] = Field(description="The registry and its timestamps.")
    data: dict[str, Any] = Field(description="Exactly the catalogue's fields for the product.")


class LoanApplication(BaseModel):
    consentId: str  # noqa: N815
    complete: bool = Field(description="False when some parts failed; see each part.")
    parts: dict[str, Any] = Field(
        description="By product id: {status: ok, ...answer} or {status: failed, problem}."
    )


def _authenticated_caller(request: Request, session: DbSession) -> DataCaller:
    """The bank behind a DPoP-bound data token; every refusal is audited.

    The DPoP proof's jti is recorded in the request's own transaction, which
    commits on every outcome: the answer, or an audited refusal (the rate
    limit's included), so a proof is never accepted twice. It is recorded
    after the quota is counted, since the quota commits a transaction of its
    own and SQLite lets only one transaction write at a time.
    """
    now = clock_of(request.app.state)()  # the clock the DPoP check and the token endpoint use
    correlation_id = str(getattr(request.state, "request_id", ""))
    proofs = JtiLedger(session)
    bank: str | None = None
    try:
        try:
            token = authenticate(request, proofs)
            if DATA_READ not in token.scopes:
                raise ProblemError(
                    403,
                    "insufficient-scope",
                    "The access token lacks the scope this endpoint needs",
                    f"Data endpoints need the scope '{DATA_READ}'.",
                )
            if token.confirmation_jkt is None:
                raise ProblemError(
                    401,
                    "dpop-required",
                    "Data tokens must be sender-constrained with DPoP",
                    "Ask the token endpoint with a DPoP proof and call with 'Authorization: DPoP'.",
                    headers={"WWW-Authenticate": 'DPoP algs="ES256 PS256 EdDSA"'},
                )
            bank = organisation_number_of(token.claims)
            if bank is None:
                raise ProblemError(403, "unknown-organisation", "The token names no organisation")
            quota = check_bank_quota(request, bank)
        finally:
            record_proofs(proofs)  # a replay is refused here, before any other refusal
        refuse_over_quota(quota)
    except ProblemError as problem:
        log.append(
            session,
            AuditEvent(
                event_type=REFUSED_ACCESS,
                actor_type=ActorType.BANK,
                actor_id=bank or "unauthenticated",
                outcome=Outcome.DENIED,
                correlation_id=correlation_id,
                details={"reason": problem.code, "route": request.url.path},
                occurred_at=now,
            ),
        )
        raise AuditedRefusal(
            problem.status,
            problem.code,
            problem.title,
            problem.detail,
            headers=problem.headers,
            extensions=problem.extensions,
        ) from problem
    return DataCaller(token=token, bank=bank, correlation_id=correlation_id, now=now)


def _data_service(request: Request, session: DbSession) -> DataService:
    caller = _authenticated_caller(request, session)
    return DataService(
        session, request.app.state.registries, request.app.state.fetch_executor, caller
    )


Service = Annotated[DataService, Depends(_data_service)]


def _answered(answer: dict[str, Any]) -> JSONResponse:
    """The answer as it is: the registry's data was validated by its connector already.

    The response models document the answers; returning a response skips
    FastAPI's second validation and encoding of a payload that is plain JSON.
    """
    return JSONResponse(answer)


_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid DPoP-bound access token"},
    403: {"description": "The consent does not allow this fetch"},
    404: {"description": "The registry has no such person or period"},
    429: {"description": "Too many requests from this bank; see Retry-After"},
    502: {"description": "The registry answered something unusable"},
    503: {"description": "The registry or the audit log is unavailable; see Retry-After"},
    504: {"description": "The registry did not answer in time"},
}


@router.get(
    "/summertskattegrunnlag",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Income, net wealth and debt from the tax assessment of the consented year",
)
def summert_skattegrunnlag(
    service: Service,
    inntektsaar: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
) -> JSONResponse:
    requested = {"inntektsaar": inntektsaar} if inntektsaar else {}
    return _answered(service.fetch(SUMMERT_SKATTEGRUNNLAG.id, requested))


@router.get(
    "/inntekt",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Monthly pay and benefits (A-ordningen) for the consented months",
)
def inntekt(
    service: Service,
    fraogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
    tilogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
) -> JSONResponse:
    requested = {
        name: value for name, value in (("fraogmed", fraogmed), ("tilogmed", tilogmed)) if value
    }
    return _answered(service.fetch(INNTEKT.id, requested))


@router.get(
    "/rettsstiftelser",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Liens and debt settlements registered on the person (Løsøreregisteret)",
)
def rettsstiftelser(service: Service) -> JSONResponse:
    return _answered(service.fetch(LOSORE.id, {}))


@router.get(
    "/loan-application",
    response_model=LoanApplication,
    responses=_REFUSALS,
    summary="Every product the consent covers, fetched from the registries at once",
)
def loan_application(service: Service) -> JSONResponse:
    return _answered(service.loan_application())
