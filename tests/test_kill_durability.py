"""No answer without its audit record, even when the gateway dies mid-load.

The gateway runs as a process of its own (`samtykke serve`) in front of the
mock registries. Bank threads fetch under their consents until enough answers
have arrived, then the gateway is killed with SIGKILL, no shutdown of any
kind. A new gateway on the same database must find an audit entry for every
200 a bank received (matched by the X-Request-ID the answer carried, which the
audit entry keeps as its correlation id), sequence what the dead one left
queued, and pass `samtykke audit verify`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from samtykke_client import SamtykkeClient, SamtykkeError, TransportError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from consent.audit import repository as audit_repository
from consent.audit.events import Outcome
from consent.audit.models import AuditEntry, AuditPending
from consent.catalogue import SUMMERT_SKATTEGRUNNLAG
from consent.storage.database import create_database_engine
from gateway.data.service import read_event_type
from tests.data_api_env import (
    KARI,
    TEST_REGISTRY_SETTINGS,
    Organisations,
    RegisteredBank,
    accepted_consent,
    mock_apps,
    register_bank,
)
from tests.servers import bound_socket, port_for_a_child_process, running_server

BIN = Path(sys.executable).parent
REGISTRY_SETTINGS = sorted(TEST_REGISTRY_SETTINGS.items())
FETCH_PATH = "/data/v1/summertskattegrunnlag"
READ_EVENT = read_event_type(SUMMERT_SKATTEGRUNNLAG)
BANK_THREADS = 4
ANSWERS_BEFORE_THE_KILL = 40
# Bounds, not timings: each is how long a wait may last before the test fails.
STARTUP_DEADLINE_SECONDS = 20.0
LOAD_DEADLINE_SECONDS = 30.0
SEQUENCING_DEADLINE_SECONDS = 20.0


@dataclass
class Deployment:
    """The mock registries in this process; the gateway's address and environment."""

    gateway_url: str
    environment: dict[str, str]
    folder: Path
    log: Path


@dataclass
class Answers:
    """The 200s the banks received, as (consent id, X-Request-ID); and unexpected errors."""

    received: list[tuple[str, str]] = field(default_factory=list)
    unexpected: list[BaseException] = field(default_factory=list)
    enough: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def deployment(database_url: str, folder: Path) -> Iterator[Deployment]:
    key_dir = folder / "keys"
    # The gateway binds its own socket: a child cannot be handed one through `samtykke serve`.
    gateway_url = f"http://127.0.0.1:{port_for_a_child_process()}"
    sockets = [bound_socket() for _ in range(3)]
    ske_url, brreg_url, idporten_url = (
        "http://{}:{}".format(*sock.getsockname()[:2]) for sock in sockets
    )
    apps = mock_apps(key_dir, gateway_url=gateway_url, idporten_url=idporten_url)
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("SAMTYKKE_")},
        "SAMTYKKE_MODE": "test",
        "SAMTYKKE_DATABASE_URL": database_url,
        "SAMTYKKE_ISSUER_URL": gateway_url,
        "SAMTYKKE_HOST": "127.0.0.1",
        "SAMTYKKE_PORT": gateway_url.rsplit(":", 1)[1],
        "SAMTYKKE_KEY_DIR": str(key_dir),
        "SAMTYKKE_SKATTEETATEN_BASE_URL": ske_url,
        "SAMTYKKE_BRREG_BASE_URL": brreg_url,
        "SAMTYKKE_IDPORTEN_ISSUER_URL": idporten_url,
        "SAMTYKKE_BANK_REQUESTS_PER_MINUTE": "1000000",
        "SAMTYKKE_LOG_LEVEL": "warning",
        **{
            f"SAMTYKKE_{name.upper()}": str(value) for name, value in TEST_REGISTRY_SETTINGS.items()
        },
    }
    with ExitStack() as stack:
        for sock, app in zip(sockets, apps, strict=True):
            stack.enter_context(running_server(app, sock=sock))
        yield Deployment(gateway_url, environment, folder, folder / "gateway.log")


def _log_tail(where: Deployment) -> str:
    return where.log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def gateway_process(where: Deployment) -> Iterator[subprocess.Popen[bytes]]:
    """`samtykke serve`, answering /readyz; killed with SIGKILL at the end if still alive."""
    with where.log.open("ab") as output:
        process = subprocess.Popen(
            [str(BIN / "samtykke"), "serve"],
            cwd=where.folder,  # no .env of the developer's is read
            env=where.environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not _ready(where.gateway_url):
            assert process.poll() is None, f"the gateway exited\n{_log_tail(where)}"
            assert time.monotonic() < deadline, f"the gateway never got ready\n{_log_tail(where)}"
            with suppress(subprocess.TimeoutExpired):  # a pause that notices a gateway that dies
                process.wait(timeout=0.1)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


def _fetch_until_stopped(
    gateway_url: str, bank: RegisteredBank, consent_id: str, answers: Answers
) -> None:
    """Fetch under `consent_id` until told to stop, noting each 200's X-Request-ID."""
    request_id: list[str] = []

    def note_request_id(response: httpx.Response) -> None:
        if response.request.url.path == FETCH_PATH:
            request_id[:] = [response.headers.get("x-request-id", "")]

    try:
        with (
            httpx.Client(timeout=5.0, event_hooks={"response": [note_request_id]}) as http,
            SamtykkeClient(
                gateway_url,
                client_id=bank.client_id,
                private_jwk=bank.key.as_dict(private=True),
                http=http,
            ) as client,
        ):
            while not answers.stop.is_set():
                try:
                    client.summert_skattegrunnlag(consent_id, KARI)
                except (TransportError, SamtykkeError):
                    continue  # no 200, nothing to hold the gateway to (the kill's casualties)
                answers.received.append((consent_id, request_id[0]))
                if len(answers.received) >= ANSWERS_BEFORE_THE_KILL:
                    answers.enough.set()
    except BaseException as error:  # surfaced by the test, not lost with the thread
        answers.unexpected.append(error)
        answers.enough.set()


def _wait_until_sequenced(engine: Engine, gateway: subprocess.Popen[bytes]) -> int:
    """Wait until the new gateway's sequencer placed every entry, the dead one's queue
    included, and signed a checkpoint over them all."""
    deadline = time.monotonic() + SEQUENCING_DEADLINE_SECONDS
    while True:
        with Session(engine) as session:
            entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
            pending = session.scalar(select(func.count()).select_from(AuditPending)) or 0
            latest = audit_repository.latest_checkpoint(session)
        if pending == 0 and latest is not None and latest.tree_size == entries:
            return entries
        assert time.monotonic() < deadline, f"{pending} of {entries} entries still unsequenced"
        with suppress(subprocess.TimeoutExpired):  # a pause that notices a gateway that dies
            gateway.wait(timeout=0.1)
        assert gateway.returncode is None, "the restarted gateway exited"


def _success_reads(engine: Engine) -> set[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.consent_id, AuditEntry.correlation_id).where(
                AuditEntry.event_type == READ_EVENT, AuditEntry.outcome == Outcome.SUCCESS.value
            )
        ).all()
    return {(str(consent_id), str(correlation_id)) for consent_id, correlation_id in rows}


def test_every_answer_outlives_a_killed_gateway(fresh_database_url: str, tmp_path: Path) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=2)
    answers = Answers()
    try:
        with deployment(fresh_database_url, tmp_path) as where:
            banks = [
                register_bank(engine, Organisations(), f"{where.gateway_url}/bank/return")
                for _ in range(2)
            ]
            with gateway_process(where) as gateway:
                consents = [
                    (bank, accepted_consent(engine, where.gateway_url, bank, KARI))
                    for bank in banks
                    for _ in range(BANK_THREADS // len(banks))
                ]
                threads = [
                    threading.Thread(
                        target=_fetch_until_stopped,
                        args=(where.gateway_url, bank, consent_id, answers),
                        daemon=True,
                    )
                    for bank, consent_id in consents
                ]
                for thread in threads:
                    thread.start()
                try:
                    assert answers.enough.wait(LOAD_DEADLINE_SECONDS), (
                        f"only {len(answers.received)} answers\n{_log_tail(where)}"
                    )
                    gateway.send_signal(signal.SIGKILL)
                    gateway.wait(timeout=10)
                finally:
                    answers.stop.set()
                    for thread in threads:
                        thread.join(timeout=15)
                assert not any(thread.is_alive() for thread in threads)
                assert answers.unexpected == []
                assert gateway.returncode == -signal.SIGKILL
            received = list(answers.received)
            assert len(received) >= ANSWERS_BEFORE_THE_KILL
            assert all(request_id for _, request_id in received)

            with gateway_process(where) as restarted:
                entries = _wait_until_sequenced(engine, restarted)
                audited = _success_reads(engine)
                missing = [answer for answer in received if answer not in audited]
                assert missing == [], f"{len(missing)} of {len(received)} answers lack an entry"

                verified = subprocess.run(
                    [str(BIN / "samtykke"), "audit", "verify"],
                    cwd=tmp_path,
                    env=where.environment,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert verified.returncode == 0, verified.stdout + verified.stderr
                assert f"OK: {entries} entries" in verified.stdout

                bank, consent_id = consents[0]
                with bank.client(where.gateway_url) as client:
                    answer = client.summert_skattegrunnlag(consent_id, KARI)
                assert answer["consentId"] == consent_id
                assert len(_success_reads(engine)) == len(audited) + 1
    finally:
        engine.dispose()
