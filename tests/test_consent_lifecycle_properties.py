"""Random sequences of actions never reach an illegal state, and each change is audited once."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from consent.consents import lifecycle, repository
from consent.consents.lifecycle import Actor, ConsentError
from consent.consents.states import TRANSITIONS, ConsentStatus
from tests.consent_factories import BANK, NOW, OTHER_BANK, OTHER_PERSON, PERSON, new_consent

ACTIONS = st.sampled_from(
    [
        "accept",
        "reject",
        "revoke",
        "delete",
        "use",
        "sweep",
        "wait-an-hour",
        "wait-a-month",
        "stranger-accepts",
        "other-bank-deletes",
    ]
)


def _act(session: Session, consent_id: str, action: str, now: datetime) -> None:
    consent = repository.get(session, consent_id)
    assert consent is not None
    match action:
        case "accept":
            lifecycle.accept(session, consent, person=PERSON, now=now)
        case "reject":
            lifecycle.reject(session, consent, person=PERSON, now=now)
        case "revoke":
            lifecycle.revoke(session, consent, person=PERSON, now=now)
        case "delete":
            lifecycle.delete(session, consent, bank_organisation_number=BANK, now=now)
        case "use":
            lifecycle.mark_used(session, consent, actor=Actor.bank(BANK), now=now)
        case "sweep":
            lifecycle.expire_if_due(session, consent, now)
        case "stranger-accepts":
            lifecycle.accept(session, consent, person=OTHER_PERSON, now=now)
        case "other-bank-deletes":
            lifecycle.delete(session, consent, bank_organisation_number=OTHER_BANK, now=now)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(ACTIONS, max_size=8), one_time=st.booleans())
def test_random_actions_keep_the_lifecycle_legal(
    engine: Engine, actions: list[str], one_time: bool
) -> None:
    now = NOW
    with Session(engine) as session:
        consent = new_consent(session, one_time=one_time, valid_for=timedelta(days=20))
        consent_id = consent.id
        session.commit()
    history = [ConsentStatus.CREATED]
    for action in actions:
        if action == "wait-an-hour":
            now += timedelta(hours=1)
            continue
        if action == "wait-a-month":
            now += timedelta(days=30)
            continue
        with Session(engine) as session:
            try:
                _act(session, consent_id, action, now)
                session.commit()
            except ConsentError:
                # A refusal may follow an expiry made on read; nothing of it is kept.
                session.rollback()
        with Session(engine) as session:
            stored = repository.get(session, consent_id)
            assert stored is not None
            status = ConsentStatus(stored.status)
        if status is not history[-1]:
            assert status in TRANSITIONS[history[-1]], (history, status)
            history.append(status)
        if action in {"stranger-accepts", "other-bank-deletes"}:
            assert status is history[-1]
    with Session(engine) as session:
        events = repository.events_of(session, consent_id)
        assert [ConsentStatus(e.event_type) for e in events] == history
        audit_count = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.consent_id == consent_id)
        )
        assert audit_count == len(history)
        audit_ids = set(
            session.scalars(select(AuditEntry.entry_id).where(AuditEntry.consent_id == consent_id))
        )
        assert {e.audit_entry_id for e in events} == audit_ids
        if ConsentStatus.USED in history:
            assert one_time
