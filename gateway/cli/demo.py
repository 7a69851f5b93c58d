"""`samtykke demo`: the whole system on one machine, on the embedded SQLite default.

Starts every service as a child process with its log in var/log/, waits
until each answers, prints the URLs to open (no log line scrolls them away),
and stops them all on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx
import typer

from consent.storage.migrate import upgrade_database
from gateway.cli import demo_bank
from gateway.cli.mocks import serve_argv
from gateway.settings import get_settings

STARTUP_TIMEOUT_SECONDS = 30.0
# Each service's JSON log lines go to a file here, so the terminal keeps the URLs in view.
LOG_DIR = Path("var/log")
LOG_TAIL_LINES = 20
DEMO_BANK = "demo bank"
# An ordinary named person of the mock population: one employer, a mortgage, every month on record.
TEST_PERSON = ("Kari Fjellheim", "14838500073")
# The loans to enterprises: (loan, person, national identity number, enterprise, orgnr); each
# person holds a role in Enhetsregisteret that lets them consent for the enterprise.
ENTERPRISE_TEST_PERSONS = (
    ("Agricultural loan", "Solveig Vikøren", "21896600041", "VIKØREN GARD", "911000008"),
    ("Aquaculture loan", "Ola Strandvik", "02917900038", "STRANDVIK HAVBRUK AS", "911001004"),
)


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    health_url: str
    urls: dict[str, str] = field(default_factory=dict)
    # Run just before the service starts; returns environment variables for it.
    before_start: Callable[[dict[str, str]], dict[str, str]] | None = None


def _register_demo_bank(admin_token: str) -> Callable[[dict[str, str]], dict[str, str]]:
    def register(env: dict[str, str]) -> dict[str, str]:
        body = demo_bank.registration_body(env)
        gateway_url = get_settings().issuer_url
        client_id = demo_bank.ensure_registered(gateway_url, admin_token, body)
        demo_bank.ensure_push_endpoint(
            gateway_url, admin_token, client_id, demo_bank.BANK_EVENTS_URL
        )
        return {"DEMO_BANK_CLIENT_ID": client_id}

    return register


def demo_services(admin_token: str = "") -> list[Service]:
    """Started in this order: the bank is registered once the gateway and the mocks answer."""
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
                "My consents (citizen)": f"{gateway}/citizen/consents",
            },
        ),
        Service(
            name=DEMO_BANK,
            argv=demo_bank.bank_argv(),
            health_url=f"{demo_bank.BANK_URL}/healthz",
            urls={
                "Demo bank — start a loan application": demo_bank.BANK_URL,
                "Demo bank — a loan to a farm or fish farm": f"{demo_bank.BANK_URL}/bedrift",
            },
            before_start=_register_demo_bank(admin_token),
        ),
    ]


def startup_lines(services: list[Service]) -> list[str]:
    """One line per URL, the demo bank's first, and the test persons to log in as."""
    ordered = sorted(services, key=lambda service: service.name != DEMO_BANK)
    lines = [f"{label}: {url}" for service in ordered for label, url in service.urls.items()]
    name, number = TEST_PERSON
    enterprises = [
        f"  {loan}: log in as {person} ({fnr}) for {enterprise} ({orgnr})"
        for loan, person, fnr, enterprise, orgnr in ENTERPRISE_TEST_PERSONS
    ]
    return [
        *lines[:1],
        f"Log in as test person: {name} ({number})",
        *lines[1:2],
        *enterprises,
        *lines[2:],
    ]


def log_path(service: Service, log_dir: Path = LOG_DIR) -> Path:
    return log_dir / (service.name.replace(" ", "-") + ".log")


def logs_line(services: list[Service], log_dir: Path = LOG_DIR) -> str:
    return "Logs: " + ", ".join(str(log_path(service, log_dir)) for service in services)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The end of a service's log, to show why it did not start."""
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


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
    # The demo registers its bank through the admin API, so the gateway needs an admin token.
    admin_token = (
        settings.admin_token.get_secret_value() if settings.admin_token else secrets.token_urlsafe()
    )
    env = {
        **os.environ,
        "SAMTYKKE_MODE": "demo",
        "SAMTYKKE_DATABASE_URL": settings.database_url,
        "SAMTYKKE_ADMIN_TOKEN": admin_token,
        "DEMO_BANK_GATEWAY_URL": settings.issuer_url,
    }
    upgrade_database(settings.database_url)
    services = demo_services(admin_token)
    processes: list[subprocess.Popen[bytes]] = []
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    starting: Service | None = None

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        for service in services:
            starting = service
            typer.echo(f"Starting the {service.name}…")
            extra = service.before_start(env) if service.before_start else {}
            with log_path(service).open("ab") as log:
                process = subprocess.Popen(  # noqa: S603
                    service.argv, env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT
                )
            processes.append(process)
            _wait_until_healthy(service, process)
        starting = None
        typer.echo("")
        typer.echo("Samtykke is running. Open:")
        for line in startup_lines(services):
            typer.echo(f"  {line}")
        typer.echo(logs_line(services))
        typer.echo("Press Ctrl-C to stop everything.")
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        typer.echo("A service stopped; stopping the rest.", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nStopping…")
    except (RuntimeError, httpx.HTTPError, subprocess.CalledProcessError) as error:
        typer.echo(f"The demo could not start: {error}", err=True)
        if starting is not None:
            typer.echo(
                f"The end of {log_path(starting)}:\n{log_tail(log_path(starting))}", err=True
            )
        raise typer.Exit(1) from error
    finally:
        _stop_all(processes)
