"""Appending to the audit log.

`append` adds the entry to the caller's session and flushes, so a failure
to write the record surfaces inside the caller's transaction: the change it
describes is rolled back with it. A write that cannot be audited does not
happen. A database trigger queues the new entry for the sequencer, which
gives it its place in the tree (see `consent.audit.sequencer`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consent.audit.canonical import as_utc
from consent.audit.events import AuditEvent
from consent.audit.models import AuditEntry


def append(session: Session, event: AuditEvent) -> AuditEntry:
    entry = AuditEntry(
        entry_id=event.entry_id,
        occurred_at=as_utc(event.occurred_at),
        event_type=event.event_type,
        actor_type=event.actor_type.value,
        actor_id=event.actor_id,
        outcome=event.outcome.value,
        subject=event.subject,
        consent_id=event.consent_id,
        data_product=event.data_product,
        correlation_id=event.correlation_id,
        details=dict(event.details),
    )
    session.add(entry)
    session.flush()
    return entry
