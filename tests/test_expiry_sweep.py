"""The sweep expires what is due, from the CLI or the app's interval, and leaves the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from consent.citizen_sessions import repository as citizen_sessions
from consent.citizen_sessions.models import CitizenSession
from consent.consents import lifecycle, repository
from consent.storage.database import create_database_engine, create_session_factory
from gateway.cli import app
from gateway.expiry import SessionLimits, purge_sessions, sweep_once
from gateway.settings import get_settings
from tests.consent_factories import NOW, PERSON, new_consent


def test_sweep_once_commits_each_expiry_with_its_events(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    factory = create_session_factory(engine)
    try:
        with factory() as session:
            waiting = new_consent(session).id
            accepted = new_consent(session, valid_for=timedelta(days=3))
            lifecycle.accept(session, accepted, person=PERSON, now=NOW)
            lasting = new_consent(session, valid_for=timedelta(days=30))
            lifecycle.accept(session, lasting, person=PERSON, now=NOW)
            session.commit()
            accepted_id, lasting_id = accepted.id, lasting.id
        monkeypatch.setattr(lifecycle, "SWEEP_BATCH", 1)  # forces a second batch
        assert sweep_once(factory, lambda: NOW + timedelta(days=5)) == 2
        with Session(engine) as session:
            statuses = {
                consent_id: getattr(repository.get(session, consent_id), "status", None)
                for consent_id in (waiting, accepted_id, lasting_id)
            }
            assert statuses == {waiting: "expired", accepted_id: "expired", lasting_id: "accepted"}
            events = repository.events_of(session, accepted_id)
            assert [e.event_type for e in events] == ["created", "accepted", "expired"]
            assert events[-1].actor_type == "system"
    finally:
        engine.dispose()


def test_the_cli_expires_what_is_due(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    try:
        with Session(engine) as session:
            new_consent(session)  # answer time ran out long before today
            session.commit()
    finally:
        engine.dispose()
    monkeypatch.setenv("SAMTYKKE_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["consents", "expire"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 expired"


def test_the_sweep_deletes_ended_citizen_sessions(fresh_database_url: str) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    factory = create_session_factory(engine)
    limits = SessionLimits(lifetime=timedelta(hours=1), idle=timedelta(minutes=15))
    try:
        with factory() as session:
            for name, created, used in (
                ("live", NOW - timedelta(minutes=50), NOW - timedelta(minutes=5)),
                ("idle", NOW - timedelta(minutes=20), NOW - timedelta(minutes=15)),
                ("old", NOW - timedelta(hours=1), NOW - timedelta(minutes=1)),
            ):
                citizen_sessions.create(
                    session,
                    name,
                    now=created,
                    state={},
                    person=None,
                    logged_in_at=None,
                    idporten_sid=None,
                )
                citizen_sessions.save(
                    session,
                    name,
                    now=used,
                    state={},
                    person=None,
                    logged_in_at=None,
                    idporten_sid=None,
                )
            session.commit()
        assert purge_sessions(factory, lambda: NOW, limits) == 2
        with factory() as session:
            assert session.scalars(select(CitizenSession.id_hash)).all() == ["live"]
    finally:
        engine.dispose()
