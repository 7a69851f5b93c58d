"""Audit events: what happened, to whom, by whom, and with what outcome.

Event types are `source:subject:action` tags. Every change the system
makes is recorded by appending an :class:`AuditEvent` in the same database
transaction as the change itself (see :func:`consent.audit.log.append`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class ActorType(StrEnum):
    CITIZEN = "citizen"
    BANK = "bank"  # actor_id is the bank's organisation number
    AGENCY = "agency"  # actor_id is the agency's organisation number
    SYSTEM = "system"  # actor_id names the component, e.g. "expiry-sweeper"


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"  # refused by policy: the caller was not allowed
    FAILED = "failed"  # allowed, but could not be completed (e.g. registry down)


def event_type(source: str, subject: str, action: str) -> str:
    """Build a `source:subject:action` tag, refusing malformed parts."""
    for part in (source, subject, action):
        if not part or ":" in part or part != part.strip():
            raise ValueError(f"malformed event tag part {part!r}")
    return f"{source}:{subject}:{action}"


@dataclass(frozen=True)
class AuditEvent:
    event_type: str
    actor_type: ActorType
    actor_id: str
    outcome: Outcome = Outcome.SUCCESS
    subject: str | None = None  # the person's national identity number, never logged
    consent_id: str | None = None
    data_product: str | None = None
    correlation_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    entry_id: str = field(default_factory=lambda: str(uuid.uuid4()))
