"""CPU time per token request, in process: steadier than rps on a shared machine.

    .venv/bin/python -m bench.oauth.cpu [--requests 2000] [--concurrency 8] [--rounds 5]

Sets up what `run.sh` sets up (a fresh PostgreSQL database, a bank, an
accepted consent, pre-generated requests), builds the gateway app as served,
runs its lifespan, and sends the requests straight into the ASGI app (no
sockets, no HTTP parsing: a minimal ASGI caller), `--concurrency` at a time.
Reports the process's CPU time (all threads, `time.process_time`) per answered
request for each round, and the minimum: the least the machine's neighbours
added. The ASGI caller itself costs a few microseconds per request.
The settings are the bench's: `SAMTYKKE_AUDIT_SEQUENCER_THREAD` and the rest
come from the environment as for `run.sh`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from gateway.app import create_app

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ISSUER = "http://127.0.0.1:8400"


async def _call(app: Any, body: bytes, proof: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/oauth/token",
        "raw_path": b"/oauth/token",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8400"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"dpop", proof.encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8400),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _pregenerate(run: Path, count: int) -> list[str]:
    """Fresh requests for one round (a DPoP proof is accepted for 60 s after its iat)."""
    out = run / "requests.txt"
    subprocess.run(
        [sys.executable, "-m", "bench.oauth.pregen", str(run), str(count), str(out), ISSUER],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return [line for line in out.read_text().splitlines() if line]


async def _rounds(app: Any, run: Path, rounds: int, per_round: int, conc: int) -> list[float]:
    results: list[float] = []
    async with app.router.lifespan_context(app):
        for number in range(rounds + 1):  # the first round warms up
            batch = _pregenerate(run, per_round)
            queue = list(reversed(batch))
            failures = 0

            async def worker(queue: list[str]) -> None:
                nonlocal failures
                while queue:
                    body, proof = queue.pop().split("\t")
                    if await _call(app, body.encode(), proof) != 200:
                        failures += 1

            started = time.process_time()
            await asyncio.gather(*(worker(queue) for _ in range(conc)))
            spent = time.process_time() - started
            if failures:
                raise SystemExit(f"{failures} requests were not answered 200")
            if number:
                results.append(1000 * spent / len(batch))
                print(f"round {number}: {results[-1]:.3f} ms CPU per token", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    name = f"samtykke_cpu_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            run = Path(folder)
            python = sys.executable
            subprocess.run(
                [python, "-m", "bench.oauth.setup_bench", url, str(run)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            os.environ.update(
                SAMTYKKE_DATABASE_URL=url,
                SAMTYKKE_ISSUER_URL=ISSUER,
                SAMTYKKE_KEY_DIR=str(run / "keys"),
                SAMTYKKE_LOG_LEVEL="warning",
                SAMTYKKE_MODE="test",
            )
            app = create_app()
            results = asyncio.run(_rounds(app, run, args.rounds, args.requests, args.concurrency))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(
        f"CPU per token: min {min(results):.3f} ms, median {statistics.median(results):.3f} ms "
        f"({args.rounds} rounds of {args.requests}, concurrency {args.concurrency}); "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
