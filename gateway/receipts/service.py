"""Assemble a consent's receipt and sign it with the gateway's receipt key (ES256 JWS)."""

from __future__ import annotations

import json
from datetime import datetime

from joserfc import jws
from sqlalchemy.orm import Session

from consent import receipts
from consent.clients import repository as clients
from consent.consents import repository
from consent.consents.models import Consent
from gateway.audit.endpoints import CHECKPOINT_KEYS_PATH
from gateway.keys import KeyPurpose, KeyStore
from gateway.problems import ProblemError
from gateway.settings import Settings

RECEIPT_KEYS_PATH = "/.well-known/receipt-keys.json"


def sign(keys: KeyStore, record: dict[str, object]) -> str:
    key = keys.signing_key(KeyPurpose.RECEIPT)
    header = {
        "alg": keys.algorithm(KeyPurpose.RECEIPT),
        "kid": str(key.kid),
        "typ": receipts.MEDIA_TYPE,
        "cty": "json",
    }
    payload = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return jws.serialize_compact(header, payload, key)


def signed_receipt(
    session: Session, settings: Settings, keys: KeyStore, consent: Consent, *, now: datetime
) -> str:
    client = clients.get(session, consent.client_id)
    try:
        record = receipts.build_receipt(
            consent,
            repository.events_of(session, consent.id),
            bank_name=client.name if client else consent.bank_organisation_number,
            issuer=settings.issuer_url,
            withdrawal_uri=f"{settings.issuer_url}/citizen/consents",
            now=now,
            checkpoint_of=lambda entry_id: receipts.checkpoint_reference(
                session, entry_id, keys_uri=settings.issuer_url + CHECKPOINT_KEYS_PATH
            ),
        )
    except receipts.NoReceiptError as error:
        raise ProblemError(
            409,
            "no-receipt",
            "There is no receipt for this consent",
            "A receipt exists once the person has accepted.",
        ) from error
    return sign(keys, record)
