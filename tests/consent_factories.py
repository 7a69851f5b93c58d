"""Consents and banks for tests, made through the real lifecycle code."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from consent.consents import lifecycle
from consent.consents.lifecycle import RequestedRight
from consent.consents.models import Consent

# Synthetic identities (month + 80), valid check digits.
PERSON = "21818297804"
OTHER_PERSON = "03859000087"
BANK = "910000004"
OTHER_BANK = "910000012"
# June, so the latest assessed year is the year before.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
INNTEKTSAAR = "2025"


def new_consent(
    session: Session,
    *,
    now: datetime = NOW,
    person: str = PERSON,
    bank: str = BANK,
    one_time: bool = False,
    valid_for: timedelta = timedelta(days=30),
    answer_within: timedelta = timedelta(days=1),
    rights: list[RequestedRight] | None = None,
    consent_id: str | None = None,
) -> Consent:
    return lifecycle.create(
        session,
        consent_id=consent_id or str(uuid.uuid4()),
        person=person,
        bank_organisation_number=bank,
        client_id="test-bank",
        valid_to=now + valid_for,
        rights=rights
        if rights is not None
        else [
            RequestedRight("ske-samtykke-sbl-summert-skattegrunnlag", {"inntektsaar": INNTEKTSAAR}),
            RequestedRight(
                "ske-samtykke-sbl-inntekt", {"fraogmed": "2025-01", "tilogmed": "2025-12"}
            ),
        ],
        request_message={"nb": "Lånesøknad", "en": "Loan application"},
        redirect_url="https://bank.example/return",
        one_time=one_time,
        request_fingerprint="0" * 64,
        answer_within=answer_within,
        now=now,
    )
