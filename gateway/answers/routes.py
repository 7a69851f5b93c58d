"""The bank's derived-answer endpoint, apart from the data endpoints: a question in, a
signed yes or no out. The party is never a path or query value: the consent decides."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from consent.catalogue import PRODUCTS
from gateway.answers.service import AnswerService
from gateway.answers.statements import KEYS_PATH
from gateway.data.access import authenticated_caller
from gateway.database import run_in_session
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import problem_responses

router = APIRouter(prefix="/answers/v1", tags=["derived answers"])
keys_router = APIRouter(tags=["derived answers"])

QUESTIONS = sorted(product.id for product in PRODUCTS.values() if product.answer is not None)


class AnswerOut(BaseModel):
    consentId: str  # noqa: N815  (the API's camelCase names)
    question: str = Field(description="The catalogue id of the derived answer.")
    parameters: dict[str, str] = Field(description="The consented parameters it was asked with.")
    answer: bool | None = Field(description="The answer; null when the data cannot give one.")
    reason: str | None = Field(
        default=None,
        description="Why the answer is null: shielded, no-data, unknown-to-registry, undecided.",
    )
    answersLeft: int = Field(description="Answers this consent still gives to this question.")  # noqa: N815
    statement: str = Field(
        description="The same answer as a compact JWS (typ samtykke-answer+jwt), signed with "
        f"a key published at {KEYS_PATH}: keep it as evidence."
    )


@keys_router.get(KEYS_PATH, summary="The public keys that verify answers' statements (JWKS)")
def answer_keys(request: Request) -> dict[str, Any]:
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.ANSWER)


@router.get(
    "/{question}",
    response_model=AnswerOut,
    responses=problem_responses(
        400,
        401,
        403,
        404,
        422,
        429,
        502,
        503,
        504,
        descriptions={
            400: "A parameter is malformed, unknown or out of range",
            401: "No valid DPoP-bound access token",
            403: "The consent does not allow this question, these parameters, or another answer",
            404: "No such question",
            429: "Too many requests from this bank; see Retry-After",
            502: "The registry answered something unusable",
            503: "The registry or the audit log is unavailable; see Retry-After",
            504: "The registry did not answer in time",
        },
    ),
    summary="A yes or no computed from registry data the bank never receives, signed",
    description="`question` is one of: " + ", ".join(f"`{q}`" for q in QUESTIONS) + ". "
    "Query parameters are the question's parameters (`inntektsaar`, `terskel`, "
    "`gjeldsgradGrense`, `fraogmedomgang`, `tilogmedomgang`); left out, they are the "
    "consented ones, and any other value is refused with `parameters-not-consented`.",
)
async def answer(question: str, request: Request) -> JSONResponse:
    # Authentication, the answer and the session's end in one hop to the request threads,
    # as the data endpoints do (`gateway.data.routes._served`).
    state = request.app.state
    asked_with = request.query_params.multi_items()

    def answered(session: Session) -> dict[str, Any]:
        caller = authenticated_caller(request, session)
        service = AnswerService(session, state.registries, state.fetch_executor, caller)
        return service.answer(
            question, asked_with, keys=state.keys, issuer=state.settings.issuer_url
        )

    return JSONResponse(await run_in_session(request, state.sessionmaker, answered))
