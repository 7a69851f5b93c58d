"""Two gateway processes on two cores against one process on one core, one PostgreSQL.

The production shape: the gateways serve requests only (no sequencer
thread, no push worker in them); `samtykke sequencer` runs as its own
process. Each gateway process is pinned to a core of its own (`taskset`):
"one" is one process on core 0, "two" is one on core 0 and one on core 1.
Two wrk processes drive the load in both shapes, 16 connections each, with
no core of their own (they share the cores with the gateways, PostgreSQL,
the mock registries and the sequencer): against one gateway both send to
its port; against two, each sends to one (the load split is in the load
generator, so no proxy stands in between).

Two requests are measured:

- `checkpoint`: `GET /audit/v1/checkpoints/latest` with an agency's bearer
  token: the token's signature, its standing read from the database, one
  primary-key read;
- `fetch`: `GET /data/v1/summertskattegrunnlag`, the consented fetch of
  `bench.data_api.run` (DPoP proof with its jti recorded, quota, consent,
  one call to the Skatteetaten mock, audit record before the answer).

Rounds alternate the shapes ("one" first in odd rounds); every round starts
its gateways afresh, warms up 3 s, then measures each request for
`--seconds`. Per shape and request: requests per second (the two wrk runs
added), the gateways' CPU per request (user + system time of the gateway
processes over the run, divided by the requests answered), PostgreSQL's CPU
per request, each gateway's resident memory, and how busy both cores were.
After all rounds the audit entries written by the fetches are read back:
the lag from each entry to the signing of the first checkpoint including it
(p50/p99/max), i.e. the sequencing lag while the fetch load ran.

    .venv/bin/python -m bench.scale_out.run   # --rounds 3 --seconds 10 --requests 6000
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samtykke_client.proofs import DPoPKey
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bench.data_api.run import (
    drop_database,
    fresh_database,
    plan_requests,
    set_up_bank_and_consent,
)
from bench.harness import (
    REPLAY_SCRIPT,
    PlannedRequest,
    announce,
    free_port,
    load_average,
    pinned,
    process_cpu_seconds,
    process_rss_mib,
    server,
    write_requests,
)
from consent.audit.canonical import as_utc
from consent.audit.models import AuditCheckpoint, AuditEntry, AuditLeaf, AuditPending
from gateway.clients import service as client_service
from gateway.clients.organisations import InMemoryOrganisationLookup, Organisation
from gateway.clients.schemas import ClientRegistration
from gateway.keys import KeyPurpose, KeyStore
from gateway.security.access_tokens import issue_access_token
from mock_registries.population import Trait, build_population

PYTHON = sys.executable
BIN = Path(sys.executable).parent
AGENCY = "974760673"
CHECKPOINT_PATH = "/audit/v1/checkpoints/latest"
CONNECTIONS_PER_WRK = 16
JWKS_FILE = "registry-client-jwks.json"
# The gateways' two cores, and the cores of everything else (wrk, the mock registries, the
# sequencer); on this 2-core machine they are the same two. PostgreSQL is not pinned.
GATEWAY_CPUS = os.environ.get("BENCH_GATEWAY_CPUS", "0,1").split(",")[:2]
OTHER_CPUS = os.environ.get("BENCH_OTHER_CPUS", "0,1")
SHAPES = {"one": GATEWAY_CPUS[:1], "two": GATEWAY_CPUS}


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def register_agency(url: str) -> str:
    engine = create_engine(url)
    key = DPoPKey().key
    key.ensure_kid()
    with Session(engine) as session:
        client = client_service.register(
            session,
            InMemoryOrganisationLookup([Organisation(AGENCY, "Tilsynet")]),
            ClientRegistration(
                kind="agency",
                organisation_number=AGENCY,
                name="Tilsynet",
                jwks={"keys": [key.as_dict(private=False)]},
            ),
            registered_by="bench",
        )
        session.commit()
        client_id = client.client_id
    engine.dispose()
    return client_id


def postgres_pids(url: str) -> list[int]:
    """The server processes of this database's connections (the machine's PostgreSQL is
    shared: other databases' backends come and go and are not counted)."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        own = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        result = [pid for pid in pids if pid != own]
    engine.dispose()
    return result


def cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            found[pid] = process_cpu_seconds(pid)
        except (OSError, ValueError):
            continue
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += process_cpu_seconds(pid)
        except (OSError, ValueError):
            continue  # a backend that ended in between
    return total


def machine_busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def run_wrks(targets: Sequence[tuple[str, Path]], seconds: int) -> dict[str, float]:
    """One wrk per (base URL, request file) at once, on OTHER_CPUS; totals."""
    argvs = [
        [
            "wrk", "-t1", f"-c{CONNECTIONS_PER_WRK}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(REPLAY_SCRIPT), base, "--", str(file), "1",
        ]
        for base, file in targets
    ]  # fmt: skip
    processes = [
        subprocess.Popen(pinned(OTHER_CPUS, argv), stdout=subprocess.PIPE, text=True)
        for argv in argvs
    ]
    results = []
    for process in processes:
        output, _ = process.communicate()
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
    return {
        "requests": sum(r["requests"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "non2xx": sum(r["non2xx"] for r in results),
        "socket_errors": sum(r["socket_errors"] for r in results),
        "rps": sum(r["rps_ok"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
        "wrapped": sum(r["wrapped"] for r in results),
    }


@contextmanager
def background(
    argv: Sequence[str], *, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process without a port (the sequencer), on OTHER_CPUS, stopped with SIGTERM after."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            pinned(OTHER_CPUS, argv),
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def gateways(shape: str, env: dict[str, str], run_dir: Path) -> Iterator[list[tuple[str, int]]]:
    """The shape's gateway processes, each on its core; yields (base URL, pid) of each."""
    with ExitStack() as stack:
        started = []
        for cpu in SHAPES[shape]:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            argv = [
                PYTHON, "-m", "uvicorn", "--factory", "gateway.app:create_app",
                "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                "--log-level", "warning", "--http", "httptools", "--loop", "uvloop",
            ]  # fmt: skip
            process = stack.enter_context(
                server(
                    argv,
                    f"{base}/healthz",
                    env=env,
                    cpu=cpu,
                    log=run_dir / f"gateway-{shape}-{cpu}.log",
                )
            )
            started.append((base, process.pid))
        yield started


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    url: str,
    name: str,
    bases: Sequence[str],
    files: Sequence[Path],
    gateway_pids: Sequence[int],
    *,
    seconds: int,
    mocks_pid: int,
    sequencer_pid: int,
    profile_dir: Path | None = None,
) -> dict[str, float]:
    # Two wrk: against one gateway both at its port, against two one each.
    targets = [(bases[n % len(bases)], files[n]) for n in range(2)]
    pg = postgres_pids(url)
    gateway_before, pg_before = cpu_seconds(gateway_pids), cpu_by_pid(pg)
    mocks_before, sequencer_before = cpu_seconds([mocks_pid]), cpu_seconds([sequencer_pid])
    wrk_before = children_cpu_seconds()  # the wrk runs are the only children reaped meanwhile
    busy_before, total_before = machine_busy_jiffies()
    profilers = [] if profile_dir is None else [
        subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--nonblocking", "--rate", "50",
             "--duration", str(seconds), "--format", "raw",
             "--output", str(profile_dir / f"{name.replace(' ', '-')}-{n}.txt"),
             "--pid", str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for n, pid in enumerate(gateway_pids)
    ]  # fmt: skip
    began = time.monotonic()
    result = run_wrks(targets, seconds)
    elapsed = time.monotonic() - began
    busy_after, total_after = machine_busy_jiffies()
    gateway_cpu = cpu_seconds(gateway_pids) - gateway_before
    # Backends there before and after only: one that ended took its CPU time with it, and
    # one that began meanwhile is missed, so this is a lower bound.
    pg_after = cpu_by_pid(list(pg_before))
    pg_cpu = sum(pg_after[pid] - pg_before[pid] for pid in pg_after)
    wrk_cpu = children_cpu_seconds() - wrk_before
    mocks_cpu = cpu_seconds([mocks_pid]) - mocks_before
    sequencer_cpu = cpu_seconds([sequencer_pid]) - sequencer_before
    for profiler in profilers:  # after the CPU figures: py-spy's own CPU is not counted
        profiler.wait()
    # The checkpoint read is one request replayed: wrapping is expected there.
    if result["non2xx"] or result["socket_errors"] or (result["wrapped"] and "fetch" in name):
        print(f"  {name}: {result}", flush=True)
    requests = max(result["requests"], 1)
    return {
        "rps": result["rps"],
        "p99_ms": result["p99_ms"],
        "non2xx": result["non2xx"],
        "gateway_cpu_ms_per_request": 1000 * gateway_cpu / requests,
        "postgres_cpu_ms_per_request": 1000 * pg_cpu / requests,
        "wrk_cpu_ms_per_request": 1000 * wrk_cpu / requests,
        "mocks_cpu_ms_per_request": 1000 * mocks_cpu / requests,
        "sequencer_cpu_ms_per_request": 1000 * sequencer_cpu / requests,
        # Cores' worth of CPU the gateways got: at most 1 for "one", 2 for "two".
        "gateway_cores": gateway_cpu / elapsed,
        "rps_per_gateway_core": result["rps"] / max(gateway_cpu / elapsed, 1e-9),
        "gateway_rss_mib": max(process_rss_mib(pid) for pid in gateway_pids),
        "machine_busy": (busy_after - busy_before) / max(total_after - total_before, 1),
    }


def sequencing_lags(url: str, since: datetime) -> tuple[list[float], int]:
    """Seconds from each entry appended since `since` to the first checkpoint holding it;
    and how many such entries are still unsequenced."""
    engine = create_engine(url)
    with Session(engine) as session:
        checkpoints = session.execute(
            select(AuditCheckpoint.tree_size, AuditCheckpoint.signed_at).order_by(
                AuditCheckpoint.tree_size
            )
        ).all()
        leaves = session.execute(
            select(AuditLeaf.sequence_number, AuditEntry.occurred_at)
            .join(AuditEntry, AuditEntry.id == AuditLeaf.entry_pk)
            .where(AuditEntry.occurred_at >= since)
        ).all()
        pending = session.scalar(select(func.count()).select_from(AuditPending)) or 0
    engine.dispose()
    sizes = [size for size, _ in checkpoints]
    lags = [
        (as_utc(checkpoints[bisect.bisect_right(sizes, number)][1]) - as_utc(at)).total_seconds()
        for number, at in leaves
    ]
    return lags, pending


def plan_checkpoint_reads(url: str, keys: KeyStore, issuer: str, file: Path) -> Path:
    """A registered agency's bearer token (no DPoP) reading the latest checkpoint."""
    token, _ = issue_access_token(
        keys, issuer=issuer, client_id=register_agency(url), scopes=["audit:read"],
        lifetime_seconds=7200,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    write_requests(file, [PlannedRequest("GET", CHECKPOINT_PATH, headers)])
    return file


def write_registry_jwks(keys: KeyStore, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / JWKS_FILE).write_text(json.dumps(keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)))
    return folder


def mock_environment(ports: Sequence[int]) -> dict[str, str]:
    """The mock registries on `ports`, checking the gateways' registry tokens."""
    return {
        "SAMTYKKE_MOCKS_SKATTEETATEN_PORT": str(ports[0]),
        "SAMTYKKE_MOCKS_BRREG_PORT": str(ports[1]),
        "SAMTYKKE_MOCKS_IDPORTEN_PORT": str(ports[2]),
        "SAMTYKKE_MOCKS_LANDBRUK_PORT": str(ports[3]),
        "SAMTYKKE_MOCKS_FISKERI_PORT": str(ports[4]),
        # The gateways come and go on fresh ports; their shared key is served from a file.
        "SAMTYKKE_MOCKS_GATEWAY_JWKS_URL": f"http://127.0.0.1:{ports[5]}/{JWKS_FILE}",
        "SAMTYKKE_MOCKS_POPULATION_SIZE": "0",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--requests", type=int, default=6000, help="fetches per wrk file")
    parser.add_argument("--only", choices=["checkpoint", "fetch"], default=None)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy each gateway during the measured runs"
    )
    args = parser.parse_args()
    announce("bench.scale_out.run")
    requests_to_measure = [args.only] if args.only else ["checkpoint", "fetch"]

    run_dir = Path(__file__).resolve().parents[1] / "results" / "scale_out"
    run_dir.mkdir(parents=True, exist_ok=True)
    person = next(p.fnr for p in build_population(2025, 0).named if p.has(Trait.ORDINARY))
    name, url = fresh_database()
    ports = [free_port() for _ in range(6)]
    issuer = "http://127.0.0.1:8000"  # the public name; tokens and proofs are made for it
    keys = KeyStore(run_dir / "keys")
    bank_client, consent_id = set_up_bank_and_consent(url, person)
    jwks_dir = write_registry_jwks(keys, run_dir / "jwks")
    checkpoint_file = plan_checkpoint_reads(url, keys, issuer, run_dir / "checkpoint.txt")
    mock_env = mock_environment(ports)
    env = {
        "SAMTYKKE_DATABASE_URL": url,
        "SAMTYKKE_ISSUER_URL": issuer,
        "SAMTYKKE_KEY_DIR": str(run_dir / "keys"),
        "SAMTYKKE_MODE": "test",  # the mock's synthetic identities; otherwise as production:
        "SAMTYKKE_AUDIT_SEQUENCER_THREAD": "false",
        "SAMTYKKE_PUSH_WORKER_IN_GATEWAY": "false",
        "SAMTYKKE_LOG_LEVEL": "warning",
        "SAMTYKKE_SKATTEETATEN_BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "SAMTYKKE_BRREG_BASE_URL": f"http://127.0.0.1:{ports[1]}",
        "SAMTYKKE_LANDBRUK_BASE_URL": f"http://127.0.0.1:{ports[3]}",
        "SAMTYKKE_FISKERI_BASE_URL": f"http://127.0.0.1:{ports[4]}",
        "SAMTYKKE_BANK_REQUESTS_PER_MINUTE": "100000000",
    }
    rounds: dict[str, dict[str, list[dict[str, float]]]] = {
        request: {shape: [] for shape in SHAPES} for request in requests_to_measure
    }
    began = datetime.now(UTC)
    lags: list[float] = []
    pending = 0
    try:
        with (
            server(
                [
                    PYTHON,
                    "-m",
                    "http.server",
                    "--bind",
                    "127.0.0.1",
                    "--directory",
                    str(jwks_dir),
                    str(ports[5]),
                ],
                f"http://127.0.0.1:{ports[5]}/{JWKS_FILE}",
                env={},
                cpu=OTHER_CPUS,
                log=run_dir / "jwks.log",
            ),  # fmt: skip
            server(
                [PYTHON, "-m", "mock_registries", "serve"],
                f"http://127.0.0.1:{ports[0]}/healthz",
                env=mock_env,
                cpu=OTHER_CPUS,
                log=run_dir / "mocks.log",
            ) as mocks,
            background(
                [str(BIN / "samtykke"), "sequencer"],
                env={**env, "SAMTYKKE_LOG_LEVEL": "info"},
                log=run_dir / "sequencer.log",
            ) as sequencer,
        ):
            for round_number in range(1, args.rounds + 1):
                order = list(SHAPES) if round_number % 2 else list(reversed(SHAPES))
                for shape in order:
                    files: dict[str, list[Path]] = {"checkpoint": [checkpoint_file] * 2}
                    if "fetch" in requests_to_measure:
                        # Two measured and one warm-up; a proof's jti is accepted once.
                        files["fetch"] = [
                            run_dir / f"fetch-{shape}-{round_number}-{n}.txt" for n in range(3)
                        ]
                        for file in files["fetch"]:
                            plan_requests(
                                file, args.requests, keys=keys, issuer=issuer,
                                client_id=bank_client, consent_id=consent_id, person=person,
                            )  # fmt: skip
                    with gateways(shape, env, run_dir) as started:
                        bases = [base for base, _ in started]
                        pids = [pid for _, pid in started]
                        warm = files["fetch"][2:] if "fetch" in files else [checkpoint_file]
                        run_wrks([(bases[0], warm[0])], args.warmup)
                        for request in requests_to_measure:
                            figures = measure(
                                url, f"{request} {shape}", bases, files[request][:2], pids,
                                seconds=args.seconds, mocks_pid=mocks.pid,
                                sequencer_pid=sequencer.pid,
                                profile_dir=run_dir if args.profile else None,
                            )  # fmt: skip
                            rounds[request][shape].append(figures)
                            line = {"round": round_number, "request": request, "shape": shape,
                                    "load": load_average(), **figures}  # fmt: skip
                            print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                                              for k, v in line.items()}), flush=True)  # fmt: skip
            if "fetch" in requests_to_measure:
                lags, pending = sequencing_lags(url, began - timedelta(seconds=1))
    finally:
        drop_database(name)

    (run_dir / "result.json").write_text(json.dumps(rounds))
    report(rounds, lags, pending, args.rounds)


def report(
    rounds: dict[str, dict[str, list[dict[str, float]]]],
    lags: list[float],
    pending: int,
    round_count: int,
) -> None:
    ratios = {}
    for request, shapes in rounds.items():
        medians = {
            shape: {key: statistics.median(r[key] for r in results) for key in results[0]}
            for shape, results in shapes.items()
        }
        for shape, m in medians.items():
            runs = ", ".join(f"{r['rps']:.0f}" for r in shapes[shape])
            print(
                f"{request:10} {shape}: rps={m['rps']:.0f} (runs {runs}) p99={m['p99_ms']:.0f}ms "
                f"gateway cpu/request={m['gateway_cpu_ms_per_request']:.2f}ms "
                f"postgres cpu/request={m['postgres_cpu_ms_per_request']:.2f}ms "
                f"wrk cpu/request={m['wrk_cpu_ms_per_request']:.2f}ms "
                f"mocks cpu/request={m['mocks_cpu_ms_per_request']:.2f}ms "
                f"sequencer cpu/request={m['sequencer_cpu_ms_per_request']:.2f}ms "
                f"gateway rss={m['gateway_rss_mib']:.0f}MiB gateway cores={m['gateway_cores']:.2f} "
                f"rps per gateway core={m['rps_per_gateway_core']:.0f} "
                f"machine busy={m['machine_busy']:.0%}"
            )
        ratios[request] = medians["two"]["rps"] / max(medians["one"]["rps"], 1e-9)
        per_core = medians["two"]["rps_per_gateway_core"] / medians["one"]["rps_per_gateway_core"]
        print(f"{request:10} rps per gateway core, two/one = {per_core:.2f} (1.0: no slowdown)")
    if lags:
        print(
            f"sequencing lag during the fetch runs (samtykke sequencer, own process): "
            f"{len(lags)} entries, p50 {percentile(lags, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(lags, 0.99) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms, "
            f"{pending} still queued at the end"
        )
    print(f"load average at end: {load_average()}")
    for request, ratio in ratios.items():
        print(f"{request} ratio two/one = {ratio:.2f} (goal >= 1.8, {round_count} rounds, medians)")


if __name__ == "__main__":
    main()
