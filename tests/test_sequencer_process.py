"""The audit sequencer as a process of its own (`samtykke sequencer`), and its lag as a metric.

In production the gateways do not sequence: `samtykke sequencer` does, and
two of them side by side still make one tree. Every gateway process reports
how long the oldest unsequenced entry has waited, whoever sequences.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from consent.audit import repository
from consent.audit.log import append
from consent.audit.models import AuditEntry
from consent.audit.sequencer import SequencedBatch, Sequencer
from consent.audit.stored import verify_database
from consent.storage.database import create_database_engine
from gateway.app import create_app
from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import DeploymentMode, Settings
from tests.audit_support import append_events, event, new_signer

BIN = Path(sys.executable).parent
# A bound, not a timing: how long the sequencers may take before the test fails.
SEQUENCING_DEADLINE_SECONDS = 20.0
LAG_METRIC = "samtykke_audit_sequencing_lag_seconds"


@pytest.fixture
def log_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(fresh_database_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("mode", "setting", "runs"),
    [
        (DeploymentMode.PRODUCTION, None, False),
        (DeploymentMode.TEST, None, True),
        (DeploymentMode.DEMO, None, True),
        (DeploymentMode.PRODUCTION, True, True),
        (DeploymentMode.TEST, False, False),
    ],
)
def test_the_gateway_sequences_itself_outside_production_unless_told(
    mode: DeploymentMode, setting: bool | None, runs: bool, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=mode,
        database_url=database_url,
        key_dir=tmp_path / "keys",
        audit_sequencer_thread=setting,
    )
    assert settings.runs_audit_sequencer is runs
    app = create_app(settings)
    with TestClient(app):
        assert app.state.audit_sequencer.running is runs
    assert not app.state.audit_sequencer.running


@contextmanager
def _sequencers(
    count: int, database_url: str, folder: Path
) -> Iterator[list[tuple[subprocess.Popen[bytes], Path]]]:
    environment = {
        **os.environ,
        "SAMTYKKE_MODE": "production",
        "SAMTYKKE_DATABASE_URL": database_url,
        "SAMTYKKE_KEY_DIR": str(folder / "keys"),
        "SAMTYKKE_ISSUER_URL": "https://samtykke.example",
        "SAMTYKKE_LOG_LEVEL": "info",
    }
    with ExitStack() as stack:
        processes = []
        for number in range(count):
            log = folder / f"sequencer-{number}.log"
            output = stack.enter_context(log.open("wb"))
            process = subprocess.Popen(
                [str(BIN / "samtykke"), "sequencer", "--interval", "0.05"],
                env=environment,
                cwd=folder,  # no .env of the working copy
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            stack.callback(_kill_if_running, process)
            processes.append((process, log))
        yield processes


def _kill_if_running(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def _wait_until_sequenced(engine: Engine, processes: list[subprocess.Popen[bytes]]) -> int:
    deadline = time.monotonic() + SEQUENCING_DEADLINE_SECONDS
    while True:
        with Session(engine) as session:
            entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
            pending = repository.count_pending(session)
            latest = repository.latest_checkpoint(session)
        if pending == 0 and latest is not None and latest.tree_size == entries:
            return entries
        assert time.monotonic() < deadline, f"{pending} of {entries} entries still unsequenced"
        for process in processes:
            with suppress(subprocess.TimeoutExpired):  # a pause that notices one that dies
                process.wait(timeout=0.05)
            assert process.returncode is None, "a sequencer exited"


def _log_events(log: Path) -> list[str]:
    complete = log.read_text().split("\n")[:-1]  # not a line still being written
    return [json.loads(line)["event"] for line in complete if line]


def _wait_until_started(sequencers: list[tuple[subprocess.Popen[bytes], Path]]) -> None:
    """Until each has said so, a SIGTERM would meet Python's default handler, not ours."""
    deadline = time.monotonic() + SEQUENCING_DEADLINE_SECONDS
    for process, log in sequencers:
        while "sequencer_started" not in _log_events(log):
            assert time.monotonic() < deadline, f"{log.name}: no sequencer_started"
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)
            assert process.returncode is None, f"{log.name}: exited"


def test_two_sequencer_processes_make_one_tree_and_stop_on_sigterm(
    fresh_database_url: str, log_engine: Engine, tmp_path: Path
) -> None:
    append_events(log_engine, 20)
    with _sequencers(2, fresh_database_url, tmp_path) as sequencers:
        processes = [process for process, _ in sequencers]
        _wait_until_started(sequencers)
        assert _wait_until_sequenced(log_engine, processes) == 20
        append_events(log_engine, 30, start=20)  # while both run
        assert _wait_until_sequenced(log_engine, processes) == 50
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            assert process.wait(timeout=SEQUENCING_DEADLINE_SECONDS) == 0
        logs = [_log_events(log) for _, log in sequencers]
    for events in logs:
        assert events[0] == "sequencer_started"
        assert events[-2:] == ["sequencer_stopping", "sequencer_stopped"]
    assert any("sequenced" in events for events in logs)
    jwks = KeyStore(tmp_path / "keys").public_jwks(KeyPurpose.AUDIT_CHECKPOINT)
    with Session(log_engine) as session:
        documents = list(repository.sequenced_entries(session))
        report = verify_database(session, jwks)
    assert report.ok, report.summary()
    assert [document["sequenceNumber"] for document in documents] == list(range(50))
    assert sorted(document["details"]["number"] for document in documents) == list(range(50))


def _lag(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{LAG_METRIC} "):
            return float(line.split()[1])
    raise AssertionError(f"{LAG_METRIC} is not in /metrics")


def test_metrics_report_how_long_the_oldest_unsequenced_entry_has_waited(
    fresh_database_url: str, log_engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=DeploymentMode.PRODUCTION,
        database_url=fresh_database_url,
        key_dir=tmp_path / "keys",
        metrics_token="scraper",
    )
    app = create_app(settings)
    with TestClient(app, headers={"Authorization": "Bearer scraper"}) as client:
        assert _lag(client) == 0.0
        with Session(log_engine) as session:
            old = dataclasses.replace(event(1), occurred_at=datetime.now(UTC) - timedelta(hours=1))
            append(session, old)
            append(session, event(2))
            session.commit()
        assert 3600 <= _lag(client) < 7200
        # Production mode: the gateway does not sequence; `samtykke sequencer` would.
        assert app.state.audit_sequencer.drain() == 2
        assert _lag(client) == 0.0


class _StopAfterFirstBatch(Sequencer):
    """A sequencer asked to stop (as SIGTERM would) while its first batch commits."""

    def __init__(self, engine: Engine, stop: threading.Event) -> None:
        super().__init__(engine, new_signer(), batch_size=1)
        self.stop_event = stop

    def run_once(self) -> SequencedBatch | None:
        batch = super().run_once()
        self.stop_event.set()
        return batch


def test_stopping_waits_for_one_batch_not_for_the_whole_queue(log_engine: Engine) -> None:
    append_events(log_engine, 5)
    stop = threading.Event()
    heard: list[int] = []
    _StopAfterFirstBatch(log_engine, stop).run_until(stop, on_drained=heard.append)
    assert heard == [1]
    with Session(log_engine) as session:
        assert repository.count_pending(session) == 4  # for the next sequencer to place
