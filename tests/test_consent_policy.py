"""The policy allows exactly what the citizen consented to, and refuses with a reason."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.consents import lifecycle
from consent.consents.lifecycle import Actor
from consent.consents.models import Consent
from consent.parties import Party
from consent.policy import ALLOWED, Refusal, RefusalReason, may_read
from tests.consent_factories import (
    BANK,
    INNTEKTSAAR,
    NOW,
    OTHER_BANK,
    OTHER_PERSON,
    PERSON,
    new_consent,
)

SKATT = "ske-samtykke-sbl-summert-skattegrunnlag"
INNTEKT = "ske-samtykke-sbl-inntekt"


def _ask(
    consent: Consent,
    *,
    bank: str = BANK,
    person: str = PERSON,
    product: str = SKATT,
    metadata: dict[str, object] | None = None,
    at: timedelta = timedelta(),
) -> object:
    return may_read(
        consent,
        bank_organisation_number=bank,
        party=Party.person(person),
        product_id=product,
        metadata={"inntektsaar": INNTEKTSAAR} if metadata is None else metadata,
        now=NOW + at,
    )


def test_an_accepted_consent_allows_what_it_names(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        assert _ask(consent) == Refusal(RefusalReason.NOT_ACCEPTED)
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        assert _ask(consent) is ALLOWED
        assert _ask(
            consent, product=INNTEKT, metadata={"fraogmed": "2025-02", "tilogmed": "2025-03"}
        )
        session.rollback()


def test_everything_else_is_refused_with_its_reason(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session, valid_for=timedelta(days=10))
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        cases = {
            RefusalReason.PARTY_MISMATCH: [
                _ask(consent, bank=OTHER_BANK),
                _ask(consent, person=OTHER_PERSON),
            ],
            RefusalReason.PRODUCT_NOT_COVERED: [
                _ask(consent, product="brreg-samtykke-losore-rettsstiftelser", metadata={})
            ],
            RefusalReason.METADATA_NOT_COVERED: [
                _ask(consent, metadata={"inntektsaar": "2024"}),
                _ask(
                    consent,
                    product=INNTEKT,
                    metadata={"fraogmed": "2024-12", "tilogmed": "2025-03"},
                ),
            ],
            RefusalReason.EXPIRED: [_ask(consent, at=timedelta(days=10))],
        }
        for reason, answers in cases.items():
            assert answers == [Refusal(reason)] * len(answers), reason
        lifecycle.revoke(session, consent, person=PERSON, now=NOW)
        assert _ask(consent) == Refusal(RefusalReason.REVOKED)
        session.rollback()


def test_a_used_one_time_consent_reads_no_more(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session, one_time=True)
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        assert _ask(consent) is ALLOWED
        lifecycle.mark_used(session, consent, actor=Actor.bank(BANK), now=NOW)
        assert _ask(consent) == Refusal(RefusalReason.USED)
        session.rollback()
