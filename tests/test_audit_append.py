"""Appending to the audit log happens in the caller's transaction, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.audit.log import append
from consent.audit.models import AuditEntry


def test_event_tags_have_three_parts() -> None:
    assert event_type("consent", "request", "created") == "consent:request:created"
    with pytest.raises(ValueError, match="malformed"):
        event_type("consent", "re:quest", "created")
    with pytest.raises(ValueError, match="malformed"):
        event_type("", "request", "created")


def _event(correlation_id: str) -> AuditEvent:
    return AuditEvent(
        event_type=event_type("consent", "request", "created"),
        actor_type=ActorType.BANK,
        actor_id="974760673",
        outcome=Outcome.SUCCESS,
        subject="21818297804",
        consent_id="c-1",
        correlation_id=correlation_id,
        details={"products": ["ske-samtykke-sbl-inntekt"]},
    )


def test_append_is_committed_with_the_transaction(engine: Engine) -> None:
    event = _event("append-commit")
    with Session(engine) as session:
        entry = append(session, event)
        assert entry.id is not None
        session.commit()
    with Session(engine) as session:
        stored = session.scalars(
            select(AuditEntry).where(AuditEntry.entry_id == event.entry_id)
        ).one()
    assert stored.subject == "21818297804"
    assert stored.details == {"products": ["ske-samtykke-sbl-inntekt"]}


def test_append_is_rolled_back_with_the_transaction(engine: Engine) -> None:
    event = _event("append-rollback")
    with Session(engine) as session:
        append(session, event)
        session.rollback()
    with Session(engine) as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.entry_id == event.entry_id))
        assert found.first() is None
