"""End-to-end consented fetches per second against the same server's /healthz (PostgreSQL).

One consented fetch is: access-token and DPoP-proof verification (the proof's
jti recorded), the consent read from the database and checked, the bank's
quota, one Skatteetaten call (summert skattegrunnlag, over HTTP to the mock,
with a signed registry token), the answer cut to the catalogue's fields and an
audit record, committed before the answer.

The gateway (one uvicorn process) and the mock registries (one process, they
are part of the end-to-end path) share core 0; wrk runs on core 1 and replays
pre-generated requests: one long-lived DPoP-bound data token, one fresh DPoP
proof per request. Three runs of each, medians; then the audit log is grown
to ten million entries and the consent table to a million, and the same is
measured again.

    .venv/bin/python -m bench.data_api.run [--seconds 10] [--runs 3] [--skip-large]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samtykke_client.proofs import DPoPKey
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.harness import (
    PlannedRequest,
    announce,
    free_port,
    load_average,
    process_cpu_seconds,
    process_rss_mib,
    server,
    summary,
    write_requests,
    wrk,
)
from consent.catalogue import PRODUCTS
from consent.consents import lifecycle
from consent.consents.lifecycle import RequestedRight
from consent.storage.migrate import upgrade_database
from gateway.clients import service as client_service
from gateway.clients.organisations import InMemoryOrganisationLookup, Organisation
from gateway.clients.schemas import ClientRegistration
from gateway.keys import KeyStore
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import DATA_READ, consumer_claim
from mock_registries.population import Trait, build_population

ADMIN_URL = os.environ.get(
    "SAMTYKKE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BANK = "984851006"
PATH = "/data/v1/summertskattegrunnlag"
PYTHON = str(Path(sys.executable))
AUDIT_ENTRIES = 10_000_000
CONSENTS = 1_000_000

# Old reads by a thousand banks of a hundred billion made-up persons, four per consent.
GROW_AUDIT_ENTRIES = """
INSERT INTO audit_entries (entry_id, occurred_at, event_type, actor_type, actor_id, outcome,
                           subject, consent_id, data_product, correlation_id, details)
SELECT md5(n::text)::uuid::text, now() - (n || ' seconds')::interval,
       'data:summertskattegrunnlag:read', 'bank', '9' || lpad((n % 1000)::text, 8, '0'),
       'success', lpad((n % 100000000000)::text, 11, '0'), md5((n / 4)::text)::uuid::text,
       'ske-samtykke-sbl-summert-skattegrunnlag', md5(('c' || n)::text),
       '{"metadata": {"inntektsaar": "2025"}}'
FROM generate_series(:first, :last) AS n
"""
# Consents in every state, of a thousand banks.
GROW_CONSENTS = """
INSERT INTO consents (id, status, person, bank_organisation_number, client_id, valid_to,
                      one_time, consent_rights, request_message, redirect_url,
                      request_fingerprint, created_at, request_expires_at, accepted_at,
                      updated_at)
SELECT md5(('consent' || n)::text)::uuid::text,
       (ARRAY['accepted', 'revoked', 'expired', 'used', 'created'])[1 + n % 5],
       lpad((n % 100000000000)::text, 11, '0'), '9' || lpad((n % 1000)::text, 8, '0'),
       'bench-client', now() + interval '30 days', n % 3 = 0,
       '[{"action": ["consent"], "resource": [{"type": "urn:altinn:resource",
          "value": "ske-samtykke-sbl-summert-skattegrunnlag"}],
          "metadata": {"inntektsaar": "2025"}}]',
       '{"nb": "Lånesøknad"}', 'https://bank.example/return', repeat('0', 64), now(),
       now() + interval '1 day', now(), now()
FROM generate_series(1, :count) AS n
"""


def fresh_database() -> tuple[str, str]:
    name = f"samtykke_bench_data_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    return name, url


def drop_database(name: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def set_up_bank_and_consent(url: str, person: str) -> tuple[str, str]:
    """A registered bank and a consent the person accepted; returns (client id, consent id)."""
    engine = create_engine(url)
    lookup = InMemoryOrganisationLookup(
        [Organisation(BANK, "Benkbanken ASA", naeringskode1="64.190")]
    )
    now = datetime.now(UTC)
    bank_key = DPoPKey().key  # only its public half is registered; the bench mints its token
    bank_key.ensure_kid()
    with Session(engine) as session:
        client = client_service.register(
            session,
            lookup,
            ClientRegistration(
                kind="bank",
                organisation_number=BANK,
                name="Benkbanken ASA",
                jwks={"keys": [bank_key.as_dict(private=False)]},
                redirect_uris=["https://bank.example/return"],
                data_products=list(PRODUCTS),
            ),
            registered_by="bench",
        )
        consent = lifecycle.create(
            session,
            consent_id=str(uuid.uuid4()),
            person=person,
            bank_organisation_number=BANK,
            client_id=client.client_id,
            valid_to=now + timedelta(days=30),
            rights=[
                RequestedRight("ske-samtykke-sbl-summert-skattegrunnlag", {"inntektsaar": "2025"})
            ],
            request_message={"nb": "Lånesøknad"},
            redirect_url="https://bank.example/return",
            one_time=False,
            request_fingerprint="0" * 64,
            answer_within=timedelta(days=1),
            now=now,
        )
        lifecycle.accept(session, consent, person=person, now=now)
        session.commit()
        ids = (client.client_id, consent.id)
    engine.dispose()
    return ids


def plan_requests(
    path: Path, count: int, *, keys: KeyStore, issuer: str, client_id: str, consent_id: str,
    person: str,
) -> None:  # fmt: skip
    dpop = DPoPKey()
    token, _ = issue_access_token(
        keys,
        issuer=issuer,
        client_id=client_id,
        scopes=[DATA_READ],
        lifetime_seconds=3600,  # long-lived for the benchmark; production tokens live minutes
        confirmation_jkt=dpop.thumbprint,
        extra_claims={
            "consumer": consumer_claim(BANK),
            "authorization_details": [
                {
                    "type": "urn:samtykke:consent",
                    "id": consent_id,
                    "from": f"urn:altinn:person:identifier-no:{person}",
                }
            ],
        },
    )
    url = issuer + PATH
    write_requests(
        path,
        (
            PlannedRequest(
                "GET",
                PATH,
                {
                    "Authorization": f"DPoP {token}",
                    "DPoP": dpop.proof("GET", url, access_token=token),
                },
            )
            for _ in range(count)
        ),
    )


def grow(url: str, audit_entries: int, consents: int) -> float:
    """Bulk-load old audit entries and consents with generate_series.

    The audit entries are loaded with triggers off (session_replication_role =
    replica), so they are not queued for the sequencer: the table and its
    indexes are as large as ten million entries make them, which is what the
    request path writes into, and the sequencer keeps placing only new entries.
    """
    began = time.perf_counter()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("SET session_replication_role = replica"))
        step = 1_000_000
        for start in range(0, audit_entries, step):
            connection.execute(
                text(GROW_AUDIT_ENTRIES),
                {"first": start + 1, "last": min(start + step, audit_entries)},
            )
        connection.execute(text(GROW_CONSENTS), {"count": consents})
        connection.execute(text("SET session_replication_role = DEFAULT"))
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - began


def measure(
    base_url: str,
    plan: Callable[[Path], None],
    run_dir: Path,
    *,
    seconds: int,
    runs: int,
    gateway_pid: int,
) -> tuple[dict[str, object], dict[str, object]]:
    """Warm up, then `runs` fetch runs and `runs` /healthz runs on the same server.

    Every wrk run replays a file of its own: a proof's jti is accepted once.
    The fetch summary carries the gateway process's CPU per fetch (user +
    system over the fetch runs, divided by the requests answered) and its
    resident memory after them.
    """
    files = [run_dir / f"fetch-{n}.txt" for n in range(runs + 1)]
    for file in files:
        plan(file)
    wrk(base_url, files[0], seconds=3)  # warm-up: connection pools, caches, the page cache
    cpu_before = process_cpu_seconds(gateway_pid)
    fetches = [wrk(base_url, file, seconds=seconds) for file in files[1:]]
    cpu = process_cpu_seconds(gateway_pid) - cpu_before
    fetch_summary = summary("consented fetch", fetches)
    fetch_summary["gateway_cpu_ms_per_request"] = round(
        1000 * cpu / max(sum(result.requests for result in fetches), 1), 3
    )
    fetch_summary["gateway_rss_mib"] = round(process_rss_mib(gateway_pid), 1)
    health_requests = run_dir / "healthz.txt"
    write_requests(health_requests, [PlannedRequest("GET", "/healthz", {})])
    healthz = [wrk(base_url, health_requests, seconds=seconds) for _ in range(runs)]
    return fetch_summary, summary("/healthz", healthz)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=8_000, help="pre-generated per wrk run")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    announce("bench.data_api.run")

    run_dir = Path(__file__).resolve().parents[1] / "results" / "data_api"
    run_dir.mkdir(parents=True, exist_ok=True)
    person = next(p.fnr for p in build_population(2025, 0).named if p.has(Trait.ORDINARY))
    name, url = fresh_database()
    gateway_port, ske_port, brreg_port, idporten_port, landbruk_port, fiskeri_port = (
        free_port() for _ in range(6)
    )
    issuer = f"http://127.0.0.1:{gateway_port}"
    keys = KeyStore(run_dir / "keys")
    client_id, consent_id = set_up_bank_and_consent(url, person)
    mock_env = {
        "SAMTYKKE_MOCKS_SKATTEETATEN_PORT": str(ske_port),
        "SAMTYKKE_MOCKS_BRREG_PORT": str(brreg_port),
        "SAMTYKKE_MOCKS_IDPORTEN_PORT": str(idporten_port),
        "SAMTYKKE_MOCKS_LANDBRUK_PORT": str(landbruk_port),
        "SAMTYKKE_MOCKS_FISKERI_PORT": str(fiskeri_port),
        "SAMTYKKE_MOCKS_GATEWAY_JWKS_URL": f"{issuer}/.well-known/registry-client-jwks.json",
        "SAMTYKKE_MOCKS_POPULATION_SIZE": "0",
    }
    gateway_env = {
        "SAMTYKKE_DATABASE_URL": url,
        "SAMTYKKE_ISSUER_URL": issuer,
        "SAMTYKKE_KEY_DIR": str(run_dir / "keys"),
        "SAMTYKKE_MODE": "test",
        "SAMTYKKE_LOG_LEVEL": "warning",
        "SAMTYKKE_SKATTEETATEN_BASE_URL": f"http://127.0.0.1:{ske_port}",
        "SAMTYKKE_BRREG_BASE_URL": f"http://127.0.0.1:{brreg_port}",
        "SAMTYKKE_LANDBRUK_BASE_URL": f"http://127.0.0.1:{landbruk_port}",
        "SAMTYKKE_FISKERI_BASE_URL": f"http://127.0.0.1:{fiskeri_port}",
        # The quota is measured as a database update per request, but must not refuse.
        "SAMTYKKE_BANK_REQUESTS_PER_MINUTE": "100000000",
    }
    gateway_argv = [
        PYTHON, "-m", "uvicorn", "--factory", "gateway.app:create_app", "--host", "127.0.0.1",
        "--port", str(gateway_port), "--no-access-log", "--log-level", "warning",
        "--http", "httptools", "--loop", "uvloop",
    ]  # fmt: skip
    results: dict[str, object] = {"database": "postgresql", "seconds": args.seconds}
    fetch_rates: dict[str, float] = {}
    try:
        with (
            server(
                [PYTHON, "-m", "mock_registries", "serve"],
                f"http://127.0.0.1:{ske_port}/healthz",
                env=mock_env,
                log=run_dir / "mocks.log",
            ),
            server(
                gateway_argv, f"{issuer}/healthz", env=gateway_env, log=run_dir / "gateway.log"
            ) as gateway,
        ):
            phases = [("empty", 0, 0)]
            if not args.skip_large:
                phases.append(("grown", AUDIT_ENTRIES, CONSENTS))
            for phase, audit_entries, consents in phases:
                if audit_entries:
                    results[f"{phase}_load_seconds"] = round(grow(url, audit_entries, consents), 1)

                def plan(path: Path) -> None:
                    plan_requests(
                        path, args.requests, keys=keys, issuer=issuer, client_id=client_id,
                        consent_id=consent_id, person=person,
                    )  # fmt: skip

                fetch, healthz = measure(
                    issuer, plan, run_dir, seconds=args.seconds, runs=args.runs,
                    gateway_pid=gateway.pid,
                )  # fmt: skip
                rate = float(str(fetch["median_rps"]))
                fetch_rates[phase] = rate
                results[phase] = {
                    "fetch": fetch,
                    "healthz": healthz,
                    "ratio": round(rate / float(str(healthz["median_rps"])), 3),
                }
                print(json.dumps({phase: results[phase]}), flush=True)
        if "grown" in fetch_rates:
            results["grown_vs_empty"] = round(fetch_rates["grown"] / fetch_rates["empty"], 3)
    finally:
        if not args.keep:
            drop_database(name)
    print(json.dumps(results, indent=2))
    print(f"load average at end: {load_average()}")
    if "grown_vs_empty" in results:
        print(f"grown/empty fetch ratio={results['grown_vs_empty']} (goal >= 0.9)")
    ratios = ", ".join(
        f"{phase} {results[phase]['ratio']}"  # type: ignore[index]
        for phase in fetch_rates
    )
    print(f"fetch/healthz ratio: {ratios} (goal >= 0.25)")


if __name__ == "__main__":
    main()
