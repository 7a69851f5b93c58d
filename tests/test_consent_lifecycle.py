"""Every transition of a consent writes its event and its audit entry, or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.consents import lifecycle, repository
from consent.consents.lifecycle import Actor, ConsentError, RequestedRight
from consent.consents.states import ConsentStatus
from tests.consent_factories import BANK, NOW, OTHER_BANK, OTHER_PERSON, PERSON, new_consent


def _audit_tags(session: Session, consent_id: str) -> list[str]:
    query = select(AuditEntry.event_type).where(AuditEntry.consent_id == consent_id)
    return list(session.scalars(query.order_by(AuditEntry.id)))


def test_accept_then_revoke_records_each_step(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        lifecycle.revoke(session, consent, person=PERSON, now=NOW + timedelta(hours=1))
        session.commit()
        consent_id = consent.id
    with Session(engine) as session:
        stored = repository.get(session, consent_id)
        assert stored is not None
        assert stored.status == "revoked"
        assert stored.accepted_at is not None
        events = repository.events_of(session, consent_id)
        assert [e.event_type for e in events] == ["created", "accepted", "revoked"]
        assert [e.actor_type for e in events] == ["bank", "citizen", "citizen"]
        assert _audit_tags(session, consent_id) == [
            "consent:request:created",
            "consent:request:accepted",
            "consent:request:revoked",
        ]
        audited = set(session.scalars(select(AuditEntry.entry_id)))
        assert all(event.audit_entry_id in audited for event in events)


def test_a_refused_transition_changes_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        lifecycle.reject(session, consent, person=PERSON, now=NOW)
        with pytest.raises(ConsentError) as raised:
            lifecycle.accept(session, consent, person=PERSON, now=NOW)
        assert raised.value.code == "cannot-accept"
        with pytest.raises(ConsentError) as raised:
            lifecycle.revoke(session, consent, person=PERSON, now=NOW)
        assert raised.value.code == "cannot-revoke"
        assert consent.status == "rejected"
        assert len(repository.events_of(session, consent.id)) == 2


def test_only_the_named_person_answers(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        with pytest.raises(ConsentError) as raised:
            lifecycle.accept(session, consent, person=OTHER_PERSON, now=NOW)
        assert raised.value.code == "party-mismatch"
        assert consent.status == "created"


def test_unanswered_requests_expire(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session, answer_within=timedelta(hours=2))
        later = NOW + timedelta(hours=2)
        with pytest.raises(ConsentError) as raised:
            lifecycle.accept(session, consent, person=PERSON, now=later)
        assert raised.value.code == "expired"


def test_the_sweeper_expires_requests_and_consents(engine: Engine) -> None:
    with Session(engine) as session:
        waiting = new_consent(session, answer_within=timedelta(hours=1))
        accepted = new_consent(session, valid_for=timedelta(days=2))
        lifecycle.accept(session, accepted, person=PERSON, now=NOW)
        fresh = new_consent(session)
        lifecycle.sweep_expired(session, NOW + timedelta(days=3))
        assert waiting.status == "expired"
        assert accepted.status == "expired"
        # The sweep is judged by each consent's own times; the fresh one is past its answer time.
        assert fresh.status == "expired"
        assert lifecycle.sweep_expired(session, NOW + timedelta(days=3)) == 0
        session.rollback()


def test_the_sweeper_leaves_live_consents_alone(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        lifecycle.sweep_expired(session, NOW + timedelta(days=1))
        assert consent.status == "accepted"
        assert [e.event_type for e in repository.events_of(session, consent.id)] == [
            "created",
            "accepted",
        ]
        session.rollback()


def test_one_time_consents_are_used_once(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session, one_time=True)
        lifecycle.accept(session, consent, person=PERSON, now=NOW)
        lifecycle.mark_used(session, consent, actor=Actor.bank(BANK), now=NOW)
        assert consent.status == "used"
        with pytest.raises(ConsentError) as raised:
            lifecycle.mark_used(session, consent, actor=Actor.bank(BANK), now=NOW)
        assert raised.value.code == "not-accepted"
        ongoing = new_consent(session)
        lifecycle.accept(session, ongoing, person=PERSON, now=NOW)
        with pytest.raises(ConsentError) as raised:
            lifecycle.mark_used(session, ongoing, actor=Actor.bank(BANK), now=NOW)
        assert raised.value.code == "not-one-time"
        session.rollback()


def test_the_bank_withdraws_its_own_only_and_twice_is_once(engine: Engine) -> None:
    with Session(engine) as session:
        consent = new_consent(session)
        with pytest.raises(ConsentError) as raised:
            lifecycle.delete(session, consent, bank_organisation_number=OTHER_BANK, now=NOW)
        assert raised.value.code == "party-mismatch"
        assert lifecycle.delete(session, consent, bank_organisation_number=BANK, now=NOW)
        assert lifecycle.delete(session, consent, bank_organisation_number=BANK, now=NOW) is None
        assert consent.status == ConsentStatus.DELETED
        assert len(repository.events_of(session, consent.id)) == 2
        session.rollback()


@pytest.mark.parametrize(
    ("rights", "valid_for", "code"),
    [
        ([], timedelta(days=1), "invalid-resource"),
        ([RequestedRight("ske-samtykke-sbl-formue")], timedelta(days=1), "invalid-resource"),
        ([RequestedRight("ske-samtykke-sbl-inntekt")], timedelta(days=1), "missing-metadata"),
        (
            [RequestedRight("brreg-samtykke-losore-rettsstiftelser")],
            timedelta(days=91),
            "validity-too-long",
        ),
        (
            [RequestedRight("brreg-samtykke-losore-rettsstiftelser")],
            timedelta(days=-1),
            "time-not-in-future",
        ),
        (
            [
                RequestedRight("brreg-samtykke-losore-rettsstiftelser"),
                RequestedRight("brreg-samtykke-losore-rettsstiftelser"),
            ],
            timedelta(days=1),
            "invalid-resource",
        ),
    ],
)
def test_bad_requests_are_refused_with_stable_codes(
    engine: Engine, rights: list[RequestedRight], valid_for: timedelta, code: str
) -> None:
    with Session(engine) as session:
        with pytest.raises(ConsentError) as raised:
            new_consent(session, rights=rights, valid_for=valid_for)
        assert raised.value.code == code
        session.rollback()
