"""Proof latency and full verification time on a log of a million entries (PostgreSQL).

Loads ENTRIES entries with COPY (the queue trigger fires for each), lets
the sequencer place them in batches, then times inclusion proofs for random
entries against the latest checkpoint (each one is also verified) and a
full `audit verify` of the whole log.

    .venv/bin/python bench/audit/large_log.py [--entries 1000000] [--proofs 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from datetime import UTC, datetime

import psycopg
from common import announce, fresh_postgres, load_average, new_signer, percentile, pin
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from consent.audit import merkle, proofs, repository
from consent.audit.sequencer import Sequencer
from consent.audit.stored import verify_database

COLUMNS = (
    "entry_id, occurred_at, event_type, actor_type, actor_id, outcome, subject, consent_id, "
    "data_product, correlation_id, details"
)


def _load(url: str, count: int) -> float:
    began = time.perf_counter()
    now = datetime.now(UTC)
    libpq_url = url.replace("postgresql+psycopg://", "postgresql://")
    with (
        psycopg.connect(libpq_url) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY audit_entries ({COLUMNS}) FROM STDIN") as copy,
    ):
        for n in range(count):
            copy.write_row(
                (
                    str(uuid.uuid4()),
                    now,
                    "data:summert-skattegrunnlag:read",
                    "bank",
                    "974760673",
                    "success",
                    f"{n % 10**11:011d}",
                    f"consent-{n // 4}",
                    "ske-samtykke-sbl-inntekt",
                    f"corr-{n}",
                    json.dumps({"inntektsaar": 2025, "status": 200}),
                )
            )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50_000)
    arguments = parser.parse_args()
    announce("bench/audit/large_log.py")
    pin(1)
    with fresh_postgres("samtykke_bench_large") as url:
        loaded = _load(url, arguments.entries)
        print(f"loaded {arguments.entries} entries in {loaded:.1f} s")
        engine = create_engine(url)
        signer = new_signer()
        began = time.perf_counter()
        placed = Sequencer(engine, signer, batch_size=arguments.batch).drain()
        elapsed = time.perf_counter() - began
        print(f"sequenced {placed} entries in {elapsed:.1f} s ({placed / elapsed:.0f}/s)")

        timings = []
        with Session(engine) as session:
            latest = repository.latest_checkpoint(session)
            assert latest is not None
            numbers = random.sample(range(latest.tree_size), arguments.proofs)
            for number in numbers:
                started = time.perf_counter()
                proof = proofs.inclusion_proof(session, number)
                timings.append(time.perf_counter() - started)
                merkle.verify_inclusion(
                    proof.leaf_hash, number, proof.tree_size, proof.hashes, latest.root_hash
                )
        median, p99 = statistics.median(timings) * 1000, percentile(timings, 0.99) * 1000
        print(
            f"inclusion proof, tree of {latest.tree_size}: median {median:.2f} ms, p99 {p99:.2f} ms"
        )

        jwks = {"keys": [signer.key.as_dict(private=False)]}
        with Session(engine) as session:
            began = time.perf_counter()
            report = verify_database(session, jwks)
            elapsed = time.perf_counter() - began
        print(f"audit verify: {report.summary()} in {elapsed:.1f} s")
        engine.dispose()
    # No comparison here, so no ratio: the figures above are absolute.
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
