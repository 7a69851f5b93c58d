"""`/healthz` of the gateway against a bare FastAPI app under the same uvicorn flags.

Each server runs alone on core 0 (`taskset`), wrk on core 1. The rounds
interleave the two (bare first in odd rounds, gateway first in even ones),
each round starting its server afresh: a warm-up, then one measured wrk run.
Reported per server: the median rps and p99 over the rounds, CPU per request
(user + system time of the server process during the measured run, divided
by the requests answered) and resident memory after the run; the ratio of
each round's pair. The last line is the ratio of the medians, gateway / bare.

    .venv/bin/python -m bench.healthz.run     # --rounds 3 --seconds 10 --warmup 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from bench.audit.common import fresh_postgres
from bench.harness import (
    PlannedRequest,
    announce,
    free_port,
    load_average,
    process_cpu_seconds,
    process_rss_mib,
    server,
    write_requests,
    wrk,
)
from gateway.keys import KeyStore

PYTHON = sys.executable
APPS = {
    "bare": "bench.healthz.app:create_bare_app",
    "gateway": "gateway.app:create_app",
}


def uvicorn_argv(factory: str, port: int) -> list[str]:
    """The same server flags for both apps."""
    return [
        PYTHON, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--http", "httptools", "--loop", "uvloop",
    ]  # fmt: skip


def measure_once(
    name: str, env: dict[str, str], run_dir: Path, requests: Path, *, seconds: int, warmup: int
) -> dict[str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = uvicorn_argv(APPS[name], port)
    with server(argv, f"{base}/healthz", env=env, log=run_dir / f"{name}.log") as process:
        wrk(base, requests, seconds=warmup)
        cpu_before = process_cpu_seconds(process.pid)
        result = wrk(base, requests, seconds=seconds)
        cpu = process_cpu_seconds(process.pid) - cpu_before
        rss = process_rss_mib(process.pid)
    if result.non2xx or result.socket_errors:
        raise RuntimeError(f"{name}: {result.non2xx} non-2xx, {result.socket_errors} errors")
    return {
        "rps": result.rps_ok,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "cpu_us_per_request": 1e6 * cpu / max(result.requests, 1),
        "rss_mib": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    announce("bench.healthz.run")

    run_dir = Path(__file__).resolve().parents[1] / "results" / "healthz"
    run_dir.mkdir(parents=True, exist_ok=True)
    requests = run_dir / "healthz.txt"
    write_requests(requests, [PlannedRequest("GET", "/healthz", {})])
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in APPS}
    with fresh_postgres("samtykke_bench_healthz") as url:
        KeyStore(run_dir / "keys")
        gateway_env = {
            "SAMTYKKE_DATABASE_URL": url,
            "SAMTYKKE_ISSUER_URL": "http://127.0.0.1:8000",
            "SAMTYKKE_KEY_DIR": str(run_dir / "keys"),
            "SAMTYKKE_MODE": "test",
            "SAMTYKKE_LOG_LEVEL": "warning",
            # As deployed: the audit sequencer and the push worker run as processes of
            # their own (`samtykke sequencer`, `samtykke push-worker`), not in the one that
            # serves requests; test mode alone would start both in here.
            "SAMTYKKE_AUDIT_SEQUENCER_THREAD": "false",
            "SAMTYKKE_PUSH_WORKER_IN_GATEWAY": "false",
        }
        for round_number in range(1, args.rounds + 1):
            order = list(APPS) if round_number % 2 else list(reversed(APPS))
            for name in order:
                figures = measure_once(
                    name, gateway_env, run_dir, requests, seconds=args.seconds, warmup=args.warmup
                )
                rounds[name].append(figures)
                line = {"round": round_number, "app": name, "load": load_average(), **figures}
                print(json.dumps({k: round(v, 2) if isinstance(v, float) else v
                                  for k, v in line.items()}), flush=True)  # fmt: skip

    medians = {
        name: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for name, results in rounds.items()
    }
    (run_dir / "result.json").write_text(json.dumps({"rounds": rounds, "medians": medians}))
    for name, m in medians.items():
        print(
            f"{name:8} rps={m['rps']:.0f} p50={m['p50_ms']:.2f}ms p99={m['p99_ms']:.2f}ms "
            f"cpu/request={m['cpu_us_per_request']:.0f}us rss={m['rss_mib']:.0f}MiB"
        )
    paired = [g["rps"] / b["rps"] for g, b in zip(rounds["gateway"], rounds["bare"], strict=True)]
    print("per-round ratios gateway/bare: " + ", ".join(f"{value:.2f}" for value in paired))
    print(f"load average at end: {load_average()}")
    ratio = medians["gateway"]["rps"] / medians["bare"]["rps"]
    print(f"healthz ratio gateway/bare={ratio:.3f} (goal >= 0.8, {args.rounds} rounds, medians)")


if __name__ == "__main__":
    main()
