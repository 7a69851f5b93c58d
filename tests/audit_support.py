"""Helpers for audit log tests: events, a signer, and tampering that bypasses the triggers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from consent.audit.checkpoints import CheckpointSigner
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from consent.audit.log import append
from gateway.keys import generate_key

PERSON = "21818297804"


def new_signer() -> CheckpointSigner:
    return CheckpointSigner(generate_key("Ed25519"), "Ed25519")


def public_jwks(signer: CheckpointSigner) -> dict[str, Any]:
    return {"keys": [signer.key.as_dict(private=False)]}


def event(number: int, *, subject: str | None = PERSON, bank: str = "974760673") -> AuditEvent:
    return AuditEvent(
        event_type=event_type("data", "summert-skattegrunnlag", "read"),
        actor_type=ActorType.BANK,
        actor_id=bank,
        outcome=Outcome.SUCCESS,
        subject=subject,
        consent_id=f"consent-{number % 3}",
        data_product="ske-samtykke-sbl-inntekt",
        correlation_id=f"corr-{number}",
        details={"number": number, "note": "blåbær"},
    )


def append_events(engine: Engine, count: int, *, start: int = 0) -> list[str]:
    """Append `count` events, each in its own committed transaction; return their ids."""
    ids = []
    for number in range(start, start + count):
        with Session(engine) as session:
            ids.append(append(session, event(number)).entry_id)
            session.commit()
    return ids


Statement = str | tuple[str, dict[str, Any]]


def tamper(engine: Engine, *statements: Statement) -> None:
    """Run SQL as an attacker with full database access would: triggers and keys bypassed."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for name in connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars():
                connection.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            sql, parameters = (statement, {}) if isinstance(statement, str) else statement
            connection.execute(text(sql), parameters)
