"""`samtykke demo`: the whole system on one machine, on the embedded SQLite default.

Starts every service as a child process, waits until each answers, prints
the URLs to open, and stops them all on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

import httpx
import typer

from consent.storage.migrate import upgrade_database
from gateway.cli.mocks import serve_argv
from gateway.settings import get_settings

STARTUP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    health_url: str
    urls: dict[str, str] = field(default_factory=dict)


def demo_services() -> list[Service]:
    settings = get_settings()
    gateway = settings.issuer_url.rstrip("/")
    idporten = settings.idporten_issuer_url.rstrip("/")
    brreg = settings.brreg_base_url.rstrip("/")
    return [
        Service(
            name="mock registries",
            argv=serve_argv(),
            health_url=f"{idporten}/healthz",
            urls={
                "Test persons (ID-porten)": f"{idporten}/test-persons",
                "A bank in Enhetsregisteret": f"{brreg}/enhetsregisteret/api/enheter/910000004",
            },
        ),
        Service(
            name="gateway",
            argv=[sys.executable, "-m", "gateway", "serve"],
            health_url=f"{gateway}/healthz",
            urls={
                "Gateway health": f"{gateway}/healthz",
                "Gateway API documentation": f"{gateway}/docs",
            },
        ),
    ]


def _wait_until_healthy(service: Service, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{service.name} exited with status {process.returncode}")
        try:
            if httpx.get(service.health_url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{service.name} did not answer {service.health_url} in time")


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def demo() -> None:
    """Run the whole system on this machine until Ctrl-C, and print the URLs to open.

    Migrates the SQLite database, then starts the mock registries and the gateway.
    """
    settings = get_settings()
    env = {**os.environ, "SAMTYKKE_MODE": "demo", "SAMTYKKE_DATABASE_URL": settings.database_url}
    upgrade_database(settings.database_url)
    services = demo_services()
    processes: list[subprocess.Popen[bytes]] = []

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        for service in services:
            process = subprocess.Popen(service.argv, env=env)  # noqa: S603  (fixed argv)
            processes.append(process)
            _wait_until_healthy(service, process)
        typer.echo("")
        typer.echo("Samtykke is running. Open:")
        for service in services:
            for label, url in service.urls.items():
                typer.echo(f"  {label:<28} {url}")
        typer.echo("Press Ctrl-C to stop everything.")
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        typer.echo("A service stopped; stopping the rest.", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nStopping…")
    finally:
        _stop_all(processes)
