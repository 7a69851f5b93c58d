"""Appending to the audit log.

`append` writes the entry with one INSERT in the caller's transaction, so a
failure to write the record surfaces there: the change it describes is
rolled back with it. A write that cannot be audited does not happen. A
database trigger queues the new entry for the sequencer, which gives it its
place in the tree (see `consent.audit.sequencer`).

The entry is inserted as a Core statement rather than through the ORM's unit
of work: the log is insert-only, nothing reads the object back in the same
session, and the unit of work was a fifth of a token request's CPU time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from consent.audit import repository
from consent.audit.canonical import as_utc
from consent.audit.events import AuditEvent


@dataclass(frozen=True)
class AppendedEntry:
    id: int  # the row's key: the order in which the sequencer meets it
    entry_id: str


def entry_values(event: AuditEvent) -> dict[str, Any]:
    """The row an event becomes, for `append` and for statements that insert it with others."""
    return {
        "entry_id": event.entry_id,
        "occurred_at": as_utc(event.occurred_at),
        "event_type": event.event_type,
        "actor_type": event.actor_type.value,
        "actor_id": event.actor_id,
        "outcome": event.outcome.value,
        "subject": event.subject,
        "consent_id": event.consent_id,
        "data_product": event.data_product,
        "correlation_id": event.correlation_id,
        "details": dict(event.details),
    }


def append(session: Session, event: AuditEvent) -> AppendedEntry:
    # The caller's pending changes go first, as the unit of work would order
    # them: the record never reaches the database ahead of what it describes.
    session.flush()
    row_id = repository.insert_entry(session, entry_values(event))
    return AppendedEntry(id=row_id, entry_id=event.entry_id)
