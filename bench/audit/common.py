"""Shared set-up for the audit benchmarks: a fresh migrated PostgreSQL database and a signer."""

from __future__ import annotations

import os
import shlex
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consent.audit.checkpoints import CheckpointSigner
from consent.storage.migrate import upgrade_database
from gateway.keys import generate_key

ADMIN_URL = os.environ.get(
    "SAMTYKKE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def fresh_postgres(prefix: str, *, keep: bool = False) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def new_signer() -> CheckpointSigner:
    return CheckpointSigner(generate_key("Ed25519"), "Ed25519")


def pin(cpu: int) -> None:
    """Keep this process on one core, away from the other side of the measurement."""
    if cpu < os.cpu_count():  # type: ignore[operator]
        os.sched_setaffinity(0, {cpu})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def announce(script: str) -> None:
    """Every bench starts by saying how it was called and how busy the machine is."""
    python = os.path.relpath(sys.executable)
    print(f"[{script}] command: {shlex.join([python, script, *sys.argv[1:]])}", flush=True)
    print(f"[{script}] load average at start: {load_average()}", flush=True)
