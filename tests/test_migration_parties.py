"""0009_parties on a database that already holds person consents from the schema before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent.consents import lifecycle
from consent.consents.models import Consent
from consent.parties import Party, PartyType
from consent.storage.database import create_database_engine
from consent.storage.migrate import alembic_config, downgrade_database, upgrade_database

PARTIES = "0009_parties"
PERSON = "14838500073"
BANK = "910000004"
CREATED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _upgrade_to_the_schema_before_parties(url: str) -> None:
    downgrade_database(url, "base")
    script = ScriptDirectory.from_config(alembic_config(url))
    before = [head for head in script.get_heads() if head != PARTIES]
    for head in before:
        upgrade_database(url, head)
    upgrade_database(url, script.get_revision(PARTIES).down_revision)  # type: ignore[arg-type,union-attr]


def _old_consent_row(consent_id: str, status: str, accepted: bool) -> dict[str, object]:
    return {
        "id": consent_id,
        "status": status,
        "person": PERSON,
        "bank": BANK,
        "client_id": "fjordkyst",
        "valid_to": CREATED + timedelta(days=90),
        "one_time": False,
        "rights": '[{"action": ["consent"], "resource": [{"type": "urn:altinn:resource", '
        '"value": "brreg-samtykke-losore-rettsstiftelser"}], "metadata": {}}]',
        "message": '{"nb": "Boliglån"}',
        "redirect": "https://bank.example/return",
        "fingerprint": "f" * 64,
        "created_at": CREATED,
        "expires": CREATED + timedelta(days=1),
        "accepted_at": CREATED + timedelta(hours=1) if accepted else None,
    }


def test_person_consents_survive_the_migration_and_stay_usable(fresh_database_url: str) -> None:
    url = fresh_database_url
    _upgrade_to_the_schema_before_parties(url)
    engine = create_database_engine(url, pool_size=1)
    try:
        rows = [
            _old_consent_row("c-accepted", "accepted", accepted=True),
            _old_consent_row("c-created", "created", accepted=False),
        ]
        with engine.begin() as connection:
            for row in rows:
                connection.execute(
                    text(
                        "INSERT INTO consents (id, status, person, bank_organisation_number, "
                        "client_id, valid_to, one_time, consent_rights, request_message, "
                        "redirect_url, request_fingerprint, created_at, request_expires_at, "
                        "accepted_at, updated_at) VALUES (:id, :status, :person, :bank, "
                        ":client_id, :valid_to, :one_time, :rights, :message, :redirect, "
                        ":fingerprint, :created_at, :expires, :accepted_at, :created_at)"
                    ),
                    row,
                )
            connection.execute(
                text(
                    "INSERT INTO consent_events (event_id, consent_id, bank_organisation_number, "
                    "event_type, actor_type, actor_id, occurred_at, audit_entry_id) VALUES "
                    "('e-1', 'c-accepted', :bank, 'accepted', 'citizen', :person, :at, 'a-1')"
                ),
                {"bank": BANK, "person": PERSON, "at": CREATED},
            )

        upgrade_database(url)

        with Session(engine) as session:
            accepted = session.get(Consent, "c-accepted")
            created = session.get(Consent, "c-created")
            assert accepted is not None
            assert created is not None
            for consent in (accepted, created):
                assert consent.party_type == PartyType.PERSON.value
                assert consent.party == Party.person(PERSON)
                assert consent.person == PERSON
                assert consent.organisation_number is None
                assert consent.authority_role is None
                assert consent.bank_organisation_number == BANK
                assert consent.product_ids == ["brreg-samtykke-losore-rettsstiftelser"]
                assert consent.request_message == {"nb": "Boliglån"}
            assert lifecycle.utc(accepted.valid_to) == CREATED + timedelta(days=90)
            assert accepted.accepted_at is not None
            events = session.execute(text("SELECT count(*) FROM consent_events")).scalar_one()
            assert events == 1
            # The old request is answered like any new one.
            lifecycle.accept(session, created, person=PERSON, now=CREATED + timedelta(hours=2))
            session.commit()
            assert created.status == "accepted"
    finally:
        engine.dispose()
