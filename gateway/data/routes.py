"""The bank's data endpoints. The consent's party (a person or an enterprise) is never a path
or query value: the consent the token names decides whose data is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from consent.catalogue import (
    AKVAKULTURTILLATELSER,
    BIOMASSE,
    INNTEKT,
    LOSORE,
    LOSORE_VIRKSOMHET,
    PRODUKSJONSTILSKUDD,
    SUMMERT_SKATTEGRUNNLAG,
    SUMMERT_SKATTEGRUNNLAG_ENK,
)
from gateway.data.access import authenticated_caller
from gateway.data.service import DataService
from gateway.database import run_in_session
from gateway.problems import problem_responses

router = APIRouter(prefix="/data/v1", tags=["data"])

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_ROUND = r"^\d{4}-(03|10)$"


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


async def _served(request: Request, work: Callable[[DataService], dict[str, Any]]) -> JSONResponse:
    """Authenticate the caller, run `work` and end the request's session, in one thread hop.

    A dependency, a synchronous route and the session's commit would take
    three hops to the thread pool. The session commits on the
    answer and on an audited refusal, and rolls back otherwise, before the
    answer leaves (`gateway.database.in_session`).
    """
    state = request.app.state

    def answer(session: Session) -> dict[str, Any]:
        caller = authenticated_caller(request, session)
        return work(DataService(session, state.registries, state.fetch_executor, caller))

    return _answered(await run_in_session(request, state.sessionmaker, answer))


async def _fetched(request: Request, product_id: str, requested: dict[str, str]) -> JSONResponse:
    return await _served(request, lambda service: service.fetch(product_id, requested))


def _answered(answer: dict[str, Any]) -> JSONResponse:
    """The answer as it is: the registry's data was validated by its connector already.

    The response models document the answers; returning a response skips
    FastAPI's second validation and encoding of a payload that is plain JSON.
    """
    return JSONResponse(answer)


_REFUSALS = problem_responses(
    401,
    403,
    404,
    422,
    429,
    502,
    503,
    504,
    descriptions={
        401: "No valid DPoP-bound access token",
        403: "The consent does not allow this fetch",
        404: "The registry has no such person or period",
        429: "Too many requests from this bank; see Retry-After",
        502: "The registry answered something unusable",
        503: "The registry or the audit log is unavailable; see Retry-After",
        504: "The registry did not answer in time",
    },
)


@router.get(
    "/summertskattegrunnlag",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Income, net wealth and debt from the tax assessment of the consented year",
)
async def summert_skattegrunnlag(
    request: Request,
    inntektsaar: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
) -> JSONResponse:
    requested = {"inntektsaar": inntektsaar} if inntektsaar else {}
    return await _fetched(request, SUMMERT_SKATTEGRUNNLAG.id, requested)


@router.get(
    "/inntekt",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Monthly pay and benefits (A-ordningen) for the consented months",
)
async def inntekt(
    request: Request,
    fraogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
    tilogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
) -> JSONResponse:
    requested = {
        name: value for name, value in (("fraogmed", fraogmed), ("tilogmed", tilogmed)) if value
    }
    return await _fetched(request, INNTEKT.id, requested)


@router.get(
    "/rettsstiftelser",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Liens and debt settlements registered on the person (Løsøreregisteret)",
)
async def rettsstiftelser(request: Request) -> JSONResponse:
    return await _fetched(request, LOSORE.id, {})


def _given(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


@router.get(
    "/summertskattegrunnlag-enk",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="An ENK's tax base: its owner's assessment, under a consent the owner gave as INNH",
)
async def summert_skattegrunnlag_enk(
    request: Request,
    inntektsaar: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
) -> JSONResponse:
    return await _fetched(request, SUMMERT_SKATTEGRUNNLAG_ENK.id, _given(inntektsaar=inntektsaar))


@router.get(
    "/rettsstiftelser-virksomhet",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="Charges registered on the enterprise's organisation number (Løsøreregisteret)",
)
async def rettsstiftelser_virksomhet(request: Request) -> JSONResponse:
    return await _fetched(request, LOSORE_VIRKSOMHET.id, {})


@router.get(
    "/produksjonstilskudd",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="The enterprise's production-subsidy applications in the consented rounds",
)
async def produksjonstilskudd(
    request: Request,
    fraogmedomgang: Annotated[str | None, Query(pattern=_ROUND)] = None,
    tilogmedomgang: Annotated[str | None, Query(pattern=_ROUND)] = None,
) -> JSONResponse:
    requested = _given(fraogmedomgang=fraogmedomgang, tilogmedomgang=tilogmedomgang)
    return await _fetched(request, PRODUKSJONSTILSKUDD.id, requested)


@router.get(
    "/akvakultur/tillatelser",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="The enterprise's aquaculture licences, with transfers and mortgagees",
)
async def akvakulturtillatelser(request: Request) -> JSONResponse:
    return await _fetched(request, AKVAKULTURTILLATELSER.id, {})


@router.get(
    "/akvakultur/biomasse",
    response_model=ProductAnswer,
    responses=_REFUSALS,
    summary="The enterprise's monthly biomass reports per site for the consented months",
)
async def biomasse(
    request: Request,
    fraogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
    tilogmed: Annotated[str | None, Query(pattern=_MONTH)] = None,
) -> JSONResponse:
    return await _fetched(request, BIOMASSE.id, _given(fraogmed=fraogmed, tilogmed=tilogmed))


@router.get(
    "/loan-application",
    response_model=LoanApplication,
    responses=_REFUSALS,
    summary="Every product the consent covers, fetched from the registries at once",
)
async def loan_application(request: Request) -> JSONResponse:
    return await _served(request, lambda service: service.loan_application())
