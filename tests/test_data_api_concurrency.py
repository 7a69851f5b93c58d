"""Many consented fetches at once: every one is answered, none waits on the pool for good.

A fetch takes a pooled connection for its one statement before the registry
call (the proof's jti, the token's standing, the consent), now and then one
for the bank's quota (its own transaction), and one for the request's audit
record after the registry answered. Should a request hold one while it waits
for another, or while the registry answers, more requests at once than the
pool has connections leave every connection held by a request that waits:
the process answers `database-unavailable` until the pool's wait runs out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from samtykke_client import SamtykkeError
from samtykke_client.client import DATA_SCOPE
from sqlalchemy import Engine

from consent.catalogue import SVAR_GJELDSORDNING
from tests.data_api_env import KARI, DataWorld, data_world

# More than the gateway's pool holds (10, and 10 more on demand); within the server's
# worker threads (40), so that every request is in the handler at the same time.
AT_ONCE = 32
ROUNDS = 3


@pytest.fixture
def world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    # The registries take their time, as real ones do: requests pile up in the gateway.
    with data_world(
        database_url, engine, tmp_path / "keys", monkeypatch, registry_fault="latency=50"
    ) as world:
        yield world


@pytest.mark.postgres_only
def test_more_fetches_at_once_than_the_pool_has_connections_are_all_answered(
    world: DataWorld,
) -> None:
    if world.engine.dialect.name != "postgresql":
        # SQLite, the demo's database, lets one writer in at a time; its pool is not the limit.
        pytest.skip("the connection pool this guards is PostgreSQL's")
    consent_id = world.accepted_consent()
    start = threading.Barrier(AT_ONCE)

    def fetch(_: int) -> list[dict[str, Any]]:
        with world.client() as client:
            # The token first, so that only the fetches meet at the barrier.
            client.access_token(DATA_SCOPE, client.consent_details(consent_id, KARI))
            start.wait(timeout=60)
            return [client.summert_skattegrunnlag(consent_id, KARI) for _ in range(ROUNDS)]

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        answers = [answer for answers in pool.map(fetch, range(AT_ONCE)) for answer in answers]

    assert len(answers) == AT_ONCE * ROUNDS
    assert all(answer["data"]["personidentifikator"] == KARI for answer in answers)


@pytest.fixture
def quiet_world(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DataWorld]:
    # Nothing in the gateway process takes a pooled connection but the requests themselves.
    with data_world(
        database_url,
        engine,
        tmp_path / "keys",
        monkeypatch,
        audit_sequencer_thread=False,
        push_worker_in_gateway=False,
        expiry_sweep_seconds=0,
    ) as world:
        yield world


@pytest.mark.postgres_only
def test_a_fetch_holds_no_pooled_connection_while_the_registry_answers(
    quiet_world: DataWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = quiet_world
    if world.engine.dialect.name != "postgresql":
        pytest.skip("the connection pool this guards is PostgreSQL's")
    consent_id = world.accepted_consent()
    state = world.app.state
    skatteetaten = state.registries.skatteetaten
    asked = skatteetaten.summert_skattegrunnlag
    held_while_asking: list[int] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        # Called in the gateway's request thread, at the moment the registry is asked.
        held_while_asking.append(state.engine.pool.checkedout())
        return asked(*args, **kwargs)

    monkeypatch.setattr(skatteetaten, "summert_skattegrunnlag", watched)
    with world.client() as client:
        client.access_token(DATA_SCOPE, client.consent_details(consent_id, KARI))
        answer = client.summert_skattegrunnlag(consent_id, KARI)

    assert answer["data"]["personidentifikator"] == KARI
    assert held_while_asking == [0]
    # The answer was recorded all the same, after the registry answered.
    assert [
        entry.outcome
        for entry in world.audit(consent_id, event_type="data:summertskattegrunnlag:read")
    ] == ["success"]


def test_of_two_fetches_under_a_one_time_consent_only_one_is_answered(
    quiet_world: DataWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both reach the registry at once (no lock is held across the call: with one, the
    second waits for the first, which waits for it at the barrier, and both time out);
    the consent is locked and checked again afterwards, so only the first is answered."""
    world = quiet_world
    consent_id = world.accepted_consent(KARI, one_time=True)
    skatteetaten = world.app.state.registries.skatteetaten
    asked = skatteetaten.summert_skattegrunnlag
    both_asking = threading.Barrier(2)

    def together(*args: Any, **kwargs: Any) -> Any:
        # Both fetches have passed the consent check before either is answered.
        both_asking.wait(timeout=30)
        return asked(*args, **kwargs)

    monkeypatch.setattr(skatteetaten, "summert_skattegrunnlag", together)
    clients = [world.client(), world.client()]
    for client in clients:
        client.access_token(DATA_SCOPE, client.consent_details(consent_id, KARI))

    def fetch(client: Any) -> str:
        try:
            client.summert_skattegrunnlag(consent_id, KARI)
        except SamtykkeError as refused:
            return f"{refused.status} {refused.code}"
        return "200"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(fetch, clients))
    for client in clients:
        client.close()

    assert outcomes == ["200", "403 used"]
    reads = world.audit(consent_id, event_type="data:summertskattegrunnlag:read")
    assert sorted(entry.outcome for entry in reads) == ["denied", "success"]


@pytest.mark.postgres_only
def test_an_answer_holds_no_pooled_connection_while_the_registry_answers(
    quiet_world: DataWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A derived answer reads its budget before the registry is asked; the connection it
    read with goes back to the pool before the call, as a fetch's does."""
    world = quiet_world
    if world.engine.dialect.name != "postgresql":
        pytest.skip("the connection pool this guards is PostgreSQL's")
    consent_id = world.accepted_consent(KARI, answers=(SVAR_GJELDSORDNING.id,))
    state = world.app.state
    brreg = state.registries.brreg
    asked = brreg.rettsstiftelser
    held_while_asking: list[int] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        held_while_asking.append(state.engine.pool.checkedout())
        return asked(*args, **kwargs)

    monkeypatch.setattr(brreg, "rettsstiftelser", watched)
    with world.client() as client:
        answered = client.answer(consent_id, KARI, SVAR_GJELDSORDNING.id)

    assert answered["answer"] is False
    assert held_while_asking == [0]
    assert [
        entry.outcome
        for entry in world.audit(consent_id, event_type=f"answer:{SVAR_GJELDSORDNING.id}:asked")
    ] == ["success"]
