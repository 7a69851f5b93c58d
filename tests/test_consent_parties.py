"""Consents for an organisation: created, answered only with authority, audited, read."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.authority import Authority, AuthorityRefusalReason
from consent.consents import lifecycle
from consent.consents.lifecycle import ConsentError, RequestedRight
from consent.consents.models import Consent
from consent.parties import Party, PartyType
from consent.policy import ALLOWED, Refusal, RefusalReason, may_read
from consent.receipts import build_receipt
from tests.consent_factories import BANK, NOW, OTHER_PERSON, PERSON

FARM = "911000008"  # an ENK
FISH = "911001004"  # an AS
LOSORE_ORG = "brreg-samtykke-losore-rettsstiftelser-virksomhet"
OWNERS_TAX = "ske-samtykke-sbl-summert-skattegrunnlag-enk"


def _organisation_consent(
    session: Session, organisation: str = FISH, products: tuple[str, ...] = (LOSORE_ORG,)
) -> Consent:
    rights = [
        RequestedRight(p, {"inntektsaar": "2025"} if p == OWNERS_TAX else {}) for p in products
    ]
    return lifecycle.create(
        session,
        consent_id=str(uuid.uuid4()),
        person=PERSON,
        organisation_number=organisation,
        bank_organisation_number=BANK,
        client_id="test-bank",
        valid_to=NOW + timedelta(days=30),
        rights=rights,
        request_message={"nb": "Driftskreditt"},
        redirect_url="https://bank.example/return",
        one_time=False,
        request_fingerprint="0" * 64,
        answer_within=timedelta(days=1),
        now=NOW,
    )


def _read(consent: Consent, party: Party, product: str = LOSORE_ORG) -> object:
    return may_read(
        consent,
        bank_organisation_number=BANK,
        party=party,
        product_id=product,
        metadata={"inntektsaar": "2025"} if product == OWNERS_TAX else {},
        now=NOW + timedelta(hours=1),
    )


def test_an_organisations_consent_records_the_organisation_the_person_and_the_role(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        assert consent.party == Party.organisation(FISH)
        assert consent.person == PERSON
        lifecycle.accept(
            session,
            consent,
            person=PERSON,
            now=NOW,
            authority=Authority(FISH, "STRANDVIK HAVBRUK AS", "DAGL"),
        )
        session.commit()
        assert consent.status == "accepted"
        assert consent.authority_role == "DAGL"
        assert consent.organisation_name == "STRANDVIK HAVBRUK AS"
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.consent_id == consent.id)
        ).all()
        # The data subject is the organisation; the person is the actor of the answer.
        assert {entry.subject for entry in entries} == {FISH}
        accepted = next(e for e in entries if e.event_type == "consent:request:accepted")
        assert accepted.actor_id == PERSON
        assert accepted.details["party"] == PartyType.ORGANISATION.value
        assert accepted.details["role"] == "DAGL"


@pytest.mark.parametrize(
    "authority",
    [None, Authority(FARM, "VIKØREN GARD Solveig Vikøren", "INNH")],
    ids=["without-authority", "authority-for-another-organisation"],
)
def test_no_answer_without_authority_for_that_organisation(
    engine: Engine, authority: Authority | None
) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        for answer in (lifecycle.accept, lifecycle.reject):
            with pytest.raises(ConsentError) as raised:
                answer(session, consent, person=PERSON, now=NOW, authority=authority)
            assert raised.value.code == "no-authority"
        assert consent.status == "created"
        assert consent.authority_role is None


def test_only_the_named_person_answers(engine: Engine) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        with pytest.raises(ConsentError) as raised:
            lifecycle.accept(
                session,
                consent,
                person=OTHER_PERSON,
                now=NOW,
                authority=Authority(FISH, "STRANDVIK HAVBRUK AS", "DAGL"),
            )
        assert raised.value.code == "party-mismatch"


def test_a_persons_and_an_organisations_products_never_mix(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(ConsentError) as raised:
            _organisation_consent(session, products=("brreg-samtykke-losore-rettsstiftelser",))
        assert raised.value.code == "product-not-for-party"
        with pytest.raises(ConsentError) as raised:
            lifecycle.create(
                session,
                consent_id=str(uuid.uuid4()),
                person=PERSON,
                bank_organisation_number=BANK,
                client_id="test-bank",
                valid_to=NOW + timedelta(days=30),
                rights=[RequestedRight(LOSORE_ORG)],
                request_message={"nb": "Lån"},
                redirect_url="https://bank.example/return",
                one_time=False,
                request_fingerprint="0" * 64,
                answer_within=timedelta(days=1),
                now=NOW,
            )
        assert raised.value.code == "product-not-for-party"


def test_the_policy_reads_only_the_consents_own_party(engine: Engine) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        lifecycle.accept(
            session,
            consent,
            person=PERSON,
            now=NOW,
            authority=Authority(FISH, "STRANDVIK HAVBRUK AS", "LEDE"),
        )
        assert _read(consent, Party.organisation(FISH)) is ALLOWED
        assert _read(consent, Party.organisation(FARM)) == Refusal(RefusalReason.PARTY_MISMATCH)
        # The person who consented for the enterprise has not consented for themselves.
        assert _read(consent, Party.person(PERSON)) == Refusal(RefusalReason.PARTY_MISMATCH)


def test_the_owners_tax_needs_the_innehaver(engine: Engine) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session, FARM, (OWNERS_TAX,))
        with pytest.raises(ConsentError) as raised:
            lifecycle.accept(
                session, consent, person=PERSON, now=NOW, authority=Authority(FARM, "GARD", "DAGL")
            )
        assert raised.value.code == "not-sole-proprietor"
        assert consent.status == "created"
        lifecycle.accept(
            session, consent, person=PERSON, now=NOW, authority=Authority(FARM, "GARD", "INNH")
        )
        assert _read(consent, Party.organisation(FARM), OWNERS_TAX) is ALLOWED


def test_a_refused_answer_is_audited(engine: Engine) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        lifecycle.record_authority_refusal(
            session,
            person=OTHER_PERSON,
            organisation_number=FISH,
            reason=AuthorityRefusalReason.NO_AUTHORITY.value,
            bank_organisation_number=BANK,
            consent_id=consent.id,
            now=NOW,
        )
        session.commit()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.event_type == "consent:authority:refused")
        ).one()
        assert (entry.outcome, entry.subject, entry.actor_id) == ("denied", FISH, OTHER_PERSON)
        assert entry.details["reason"] == "no-authority"
        assert consent.status == "created"


def test_the_receipt_says_on_whose_behalf(engine: Engine) -> None:
    with Session(engine) as session:
        consent = _organisation_consent(session)
        lifecycle.accept(
            session,
            consent,
            person=PERSON,
            now=NOW,
            authority=Authority(FISH, "STRANDVIK HAVBRUK AS", "DAGL"),
        )
        receipt = build_receipt(
            consent,
            [],
            bank_name="FJORDKYST SPAREBANK",
            issuer="https://gateway.example",
            withdrawal_uri="https://gateway.example/citizen/consents",
            now=NOW,
            checkpoint_of=lambda _entry: {"status": "pending"},
        )
        principal = receipt["principal"]
        assert principal["id"] == FISH
        assert principal["idType"] == "urn:altinn:organization:identifier-no"
        assert principal["actingPerson"] == {
            "idType": "urn:altinn:person:identifier-no",
            "id": PERSON,
            "role": "DAGL",
        }
        assert principal["onBehalfOf"] == {
            "nb": "på vegne av STRANDVIK HAVBRUK AS (911001004), som daglig leder",
            "en": "on behalf of STRANDVIK HAVBRUK AS (911001004), as chief executive officer",
        }
