"""A derived answer as a signed statement: a compact JWS the bank keeps as evidence.

Signed with the gateway's answer key, published at :data:`KEYS_PATH` (the keys it
replaced stay published, so a statement verifies after a rotation). The header's
``typ`` is ``samtykke-answer+jwt``. The claims name the issuer, the bank's client
(``aud``), when (``iat``), the statement's id (``jti``), the consent, the party, the
question, its parameters and the answer; never a registry figure.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from joserfc import jws

from consent.parties import Party
from gateway.keys import KeyPurpose, KeyStore

TOKEN_TYPE = "samtykke-answer+jwt"  # noqa: S105  (a media type, not a secret)
KEYS_PATH = "/.well-known/answer-keys.json"


def claims_of(
    *,
    issuer: str,
    audience: str,
    issued_at: datetime,
    consent_id: str,
    party: Party,
    question: str,
    parameters: Mapping[str, str],
    answer: bool | None,
    reason: str | None,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "iat": int(issued_at.timestamp()),
        "jti": str(uuid.uuid4()),
        "consentId": consent_id,
        "party": {"type": party.type.value, "id": party.id},
        "question": question,
        "parameters": dict(parameters),
        "answer": answer,
    }
    if reason is not None:
        claims["reason"] = reason
    return claims


def sign(keys: KeyStore, claims: Mapping[str, Any]) -> str:
    key = keys.signing_key(KeyPurpose.ANSWER)
    header = {"alg": keys.algorithm(KeyPurpose.ANSWER), "kid": str(key.kid), "typ": TOKEN_TYPE}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":"))
    return jws.serialize_compact(header, payload, key)
