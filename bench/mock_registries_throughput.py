"""How fast the mock Tax Administration answers, relative to its own trivial endpoint.

The mocks stand behind every gateway benchmark; if they were the
bottleneck, those benchmarks would measure the mocks. This one reports the
throughput of summert skattegrunnlag and A-ordningen income (token
verification, population lookup, model validation) as a ratio of the
throughput of `/healthz` on the same server, measured in the same run.

The server runs on core 0 and wrk on core 1 (taskset). Requests are
generated before the clock starts: a Lua script cycles through pre-built
paths of real persons with a pre-signed token. Each endpoint is run
several times, alternating, and the median is reported.

    .venv/bin/python bench/mock_registries_throughput.py [--runs 5] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.keys import KeyPurpose, KeyStore  # noqa: E402
from gateway.registries import RegistryTokenSigner  # noqa: E402
from mock_registries.population import build_population  # noqa: E402
from mock_registries.skatteetaten import AUDIENCE  # noqa: E402

SERVER = """
import json, sys, uvicorn
from mock_registries.skatteetaten import create_app
from mock_registries.settings import MockSettings
jwks = json.load(open(sys.argv[1]))
app = create_app(MockSettings(), gateway_jwks=jwks)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""

LUA = """
local paths = {paths}
local token = "{token}"
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, {{["Authorization"] = "Bearer " .. token}})
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wrk(url: str, script: Path, seconds: int) -> float:
    output = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", "-c16", f"-d{seconds}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match or "Non-2xx" in output:
        raise RuntimeError(f"wrk run failed or saw errors:\n{output}")
    return float(match.group(1))


def _script(directory: Path, name: str, paths: list[str], token: str) -> Path:
    lua = LUA.format(paths="{" + ", ".join(json.dumps(p) for p in paths) + "}", token=token)
    path = directory / f"{name}.lua"
    path.write_text(lua)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    arguments = parser.parse_args()
    command = [
        os.path.relpath(sys.executable),
        "bench/mock_registries_throughput.py",
        *sys.argv[1:],
    ]
    print(f"[bench/mock_registries_throughput.py] command: {shlex.join(command)}")
    print(f"load average at start: {_load_average()}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        keys = KeyStore(directory / "keys")
        jwks_file = directory / "jwks.json"
        jwks_file.write_text(json.dumps(keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            ["taskset", "-c", "0", sys.executable, "-c", SERVER, str(jwks_file), str(port)],
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:  # startup only; nothing is measured here
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

            population = build_population()
            persons = [p for p in population.persons.values() if len(p.assessed_years) == 5][:200]
            ssg = [
                f"/api/formueinntekt/summertskattegrunnlag/oppgjoer/sbl/2024/{p.fnr}"
                for p in persons
            ]
            im = [
                f"/api/innrapportert/inntektsmottaker/sbl/{p.fnr}/oppgave/inntekt"
                "?fraOgMed=2025-01&tilOgMed=2025-03"
                for p in persons
                if p.monthly_salaries(2025, 1)
            ]
            results: dict[str, list[float]] = {
                "healthz": [],
                "summertskattegrunnlag": [],
                "inntekt": [],
            }
            for _ in range(arguments.runs):
                # Fresh tokens per round: they live 60 s.
                signer = RegistryTokenSigner(keys, issuer="http://bench", audience=AUDIENCE)
                scripts = {
                    "healthz": _script(directory, "healthz", ["/healthz"], "unused"),
                    "summertskattegrunnlag": _script(
                        directory, "ssg", ssg, signer("skatteetaten:summertskattegrunnlag")
                    ),
                    "inntekt": _script(directory, "im", im, signer("skatteetaten:inntekt")),
                }
                for name, script in scripts.items():
                    results[name].append(_wrk(base, script, arguments.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)

    baseline = statistics.median(results["healthz"])
    print(f"healthz (baseline): {baseline:,.0f} req/s (median of {arguments.runs})")
    for name in ("summertskattegrunnlag", "inntekt"):
        print(f"{name}: {statistics.median(results[name]):,.0f} req/s")
    print(f"load average at end: {_load_average()}")
    for name in ("summertskattegrunnlag", "inntekt"):
        print(f"{name} ratio to healthz: {statistics.median(results[name]) / baseline:.2f}")


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
