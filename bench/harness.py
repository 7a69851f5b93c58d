"""Shared benchmark machinery: pinned servers, pre-generated requests, wrk, medians.

The server under test runs on core 0 and the load tool on core 1
(`taskset`), so the two do not compete. Every figure is a ratio against a
baseline measured in the same run, because the machine is noisy; each
measurement is repeated and the median reported.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPLAY_SCRIPT = BENCH_DIR / "replay.lua"
SERVER_CPU = os.environ.get("BENCH_SERVER_CPU", "0")
CLIENT_CPU = os.environ.get("BENCH_CLIENT_CPU", "1")
UNIT_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: str = ""

    def line(self) -> str:
        headers = UNIT_SEPARATOR.join(f"{name}: {value}" for name, value in self.headers.items())
        for part in (self.path, headers, self.body):
            if "\t" in part or "\n" in part:
                raise ValueError("a planned request must fit on one line")
        return "\t".join((self.method, self.path, headers, self.body))


@dataclass(frozen=True)
class WrkResult:
    requests: int
    ok: int
    non2xx: int
    socket_errors: int
    rps_ok: float
    p50_ms: float
    p99_ms: float
    wrapped: int


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def announce(module: str) -> None:
    """Every bench starts by saying how it was called and how busy the machine is."""
    python = os.path.relpath(sys.executable)
    print(f"[{module}] command: {shlex.join([python, '-m', module, *sys.argv[1:]])}", flush=True)
    print(f"[{module}] load average at start: {load_average()}", flush=True)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_requests(path: Path, requests: Iterable[PlannedRequest]) -> int:
    count = 0
    with path.open("w") as file:
        for request in requests:
            file.write(request.line() + "\n")
            count += 1
    return count


def pinned(cpu: str, argv: Sequence[str]) -> list[str]:
    if shutil.which("taskset") is None:
        return list(argv)
    return ["taskset", "-c", cpu, *argv]


@contextmanager
def server(
    argv: Sequence[str],
    health_url: str,
    *,
    env: Mapping[str, str],
    cpu: str = SERVER_CPU,
    log: Path,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server pinned to `cpu`, wait until `health_url` answers, stop it after."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            pinned(cpu, argv), env={**os.environ, **env}, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited; see {log}")
            try:
                if httpx.get(health_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{health_url} did not answer; see {log}")
            time.sleep(0.1)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wrk(
    base_url: str, requests_file: Path, *, seconds: int, connections: int = 32, threads: int = 1
) -> WrkResult:
    argv = pinned(
        CLIENT_CPU,
        [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(REPLAY_SCRIPT), base_url, "--", str(requests_file), str(threads),
        ],
    )  # fmt: skip
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return WrkResult(
        requests=data["requests"],
        ok=data["ok"],
        non2xx=data["non2xx"],
        socket_errors=data["socket_errors"],
        rps_ok=data["rps_ok"],
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        wrapped=data["wrapped"],
    )


def median_result(results: Sequence[WrkResult]) -> WrkResult:
    """The run with the median rate (its own latencies, not a mix of runs)."""
    ordered = sorted(results, key=lambda result: result.rps_ok)
    return ordered[len(ordered) // 2]


def summary(name: str, results: Sequence[WrkResult]) -> dict[str, object]:
    chosen = median_result(results)
    return {
        "name": name,
        "runs_rps": [round(result.rps_ok, 1) for result in results],
        "median_rps": round(statistics.median(result.rps_ok for result in results), 1),
        "p50_ms": chosen.p50_ms,
        "p99_ms": chosen.p99_ms,
        "non2xx": sum(result.non2xx for result in results),
        "wrapped": sum(result.wrapped for result in results),
    }
