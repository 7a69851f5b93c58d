"""The receipt keys, published, and the bank's receipt download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from gateway.clock import Now
from gateway.consent_requests.endpoints import BankToken, bank_organisation
from gateway.consent_requests.service import own_consent
from gateway.database import DbSession
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import problem_responses
from gateway.receipts.service import RECEIPT_KEYS_PATH, signed_receipt

router = APIRouter(tags=["receipts"])
JOSE_MEDIA_TYPE = "application/jose"


@router.get(RECEIPT_KEYS_PATH, summary="The public keys that verify consent receipts (JWKS)")
def receipt_keys(request: Request) -> dict[str, Any]:
    keys: KeyStore = request.app.state.keys
    return keys.public_jwks(KeyPurpose.RECEIPT)


@router.get(
    "/consent/v1/consentrequests/{consent_id}/receipt",
    summary="The signed receipt of an accepted consent (compact JWS)",
    response_class=Response,
    responses={
        200: {"content": {JOSE_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(401, 403, 404, 409, 422, 503),
    },
)
def bank_receipt(
    consent_id: str, request: Request, session: DbSession, token: BankToken, now: Now
) -> Response:
    consent = own_consent(
        session,
        consent_id,
        bank_organisation(token),
        now,
        client_id=token.client_id,
        action="receipt",
    )
    receipt = signed_receipt(
        session, request.app.state.settings, request.app.state.keys, consent, now=now
    )
    return Response(receipt, media_type=JOSE_MEDIA_TYPE)
