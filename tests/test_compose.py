"""docker-compose.yml is checked by reading it, since no Docker engine runs here."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gateway.settings import DeploymentMode, Settings

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_service_has_a_build_context_or_image() -> None:
    for name, service in _compose()["services"].items():
        assert "build" in service or "image" in service, name
        build = service.get("build")
        if isinstance(build, str):
            assert (ROOT / build / "Dockerfile").is_file(), name


def test_published_ports_do_not_clash() -> None:
    host_ports: list[str] = []
    for service in _compose()["services"].values():
        for mapping in service.get("ports", []):
            host_ports.append(str(mapping).rsplit(":", 1)[0])
    assert len(host_ports) == len(set(host_ports)), host_ports


def test_dependencies_name_existing_services() -> None:
    services = _compose()["services"]
    for service in services.values():
        for dependency in service.get("depends_on", {}):
            assert dependency in services


def test_gateway_reaches_other_services_by_name() -> None:
    services = _compose()["services"]
    environment: dict[str, str] = services["gateway"]["environment"]
    internal = {
        "SAMTYKKE_DATABASE_URL",
        "SAMTYKKE_SKATTEETATEN_BASE_URL",
        "SAMTYKKE_BRREG_BASE_URL",
        "SAMTYKKE_IDPORTEN_METADATA_URL",
    }
    for variable in internal:
        host = urlsplit(environment[variable]).hostname
        assert host in services, f"{variable} points at {host}, not a compose service"
        assert host != "gateway"


# The services that run Samtykke itself, and what each must run.
SAMTYKKE_SERVICES = {
    "migrate": "samtykke db upgrade && samtykke keys create",
    "gateway": "samtykke serve",
    "sequencer": "samtykke sequencer",
    "push-worker": "samtykke push-worker",
}


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    if isinstance(command, str):
        return command
    if command[:2] == ["sh", "-c"]:
        return str(command[2])
    return shlex.join(command)


def _settings(service: dict[str, Any]) -> Settings:
    """The settings the service's processes read (nothing from a .env file: the image has none)."""
    environment: dict[str, str] = service["environment"]
    fields = {f"SAMTYKKE_{name.upper()}" for name in Settings.model_fields}
    assert set(environment) <= fields, set(environment) - fields
    values = {name.removeprefix("SAMTYKKE_").lower(): value for name, value in environment.items()}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_each_samtykke_service_runs_its_command_with_settings_it_reads() -> None:
    services = _compose()["services"]
    for name, command in SAMTYKKE_SERVICES.items():
        assert _command(services[name]).startswith(command), name
        _settings(services[name])
    # Migrations are the migrate service's job alone.
    for name in SAMTYKKE_SERVICES.keys() - {"migrate"}:
        assert "db upgrade" not in _command(services[name]), name


def test_the_gateways_leave_sequencing_and_pushing_to_their_services() -> None:
    services = _compose()["services"]
    gateway = _settings(services["gateway"])
    assert not gateway.runs_audit_sequencer
    assert not gateway.runs_push_worker
    # Whatever the mode says: production turns both off, demo and test need it said.
    for mode in DeploymentMode:
        settings = gateway.model_copy(update={"mode": mode})
        assert not settings.runs_audit_sequencer, mode
        assert not settings.runs_push_worker, mode


def test_every_process_shares_the_database_the_issuer_and_the_keys() -> None:
    compose = _compose()
    services = compose["services"]
    shared = ("mode", "database_url", "issuer_url", "key_dir")
    reference = _settings(services["gateway"])
    for name in SAMTYKKE_SERVICES:
        settings = _settings(services[name])
        for field in shared:
            assert getattr(settings, field) == getattr(reference, field), (name, field)
        # One named volume holds the key folder for all of them, so every replica signs
        # with the same keys and the sequencer with the checkpoint key they publish.
        volumes = (str(volume).split(":") for volume in services[name]["volumes"])
        mounts = {target: source for source, target, *_ in volumes}
        assert mounts.get(str(settings.key_dir)) == "keys", name
    assert "keys" in compose["volumes"]


def test_the_processes_start_after_the_migrations_finished() -> None:
    services = _compose()["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SAMTYKKE_SERVICES.keys() - {"migrate"}:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def _proxy_config() -> str:
    proxy = _compose()["services"]["proxy"]
    for volume in proxy["volumes"]:
        source, target = str(volume).split(":")[:2]
        if target == "/etc/nginx/conf.d/default.conf":
            return (ROOT / source).read_text()
    raise AssertionError("the proxy mounts no configuration")


def test_several_gateway_replicas_serve_behind_the_proxy() -> None:
    services = _compose()["services"]
    gateway, proxy = services["gateway"], services["proxy"]
    assert gateway["deploy"]["replicas"] >= 2
    # Replicas cannot share a published port: only the proxy publishes one.
    assert "ports" not in gateway
    assert proxy["depends_on"]["gateway"]["condition"] == "service_healthy"
    command = gateway["command"]
    gateway_port = int(command[command.index("--port") + 1])
    config = _proxy_config()
    upstreams = dict(re.findall(r"upstream\s+(\S+)\s*\{([^}]*)\}", config))
    passes = re.findall(r"proxy_pass\s+http://([^/;\s]+)", config)
    assert passes, "the proxy passes nothing on"
    for upstream in passes:
        servers = re.findall(r"^\s*server\s+([^\s;]+)", upstreams[upstream], re.MULTILINE)
        # By service name: Docker's DNS answers it with every replica.
        assert servers == [f"gateway:{gateway_port}"], servers
    # The port the proxy listens on is the one it publishes.
    listens = {int(port) for port in re.findall(r"^\s*listen\s+(\d+)", config, re.MULTILINE)}
    container_ports = {int(str(mapping).rsplit(":", 1)[-1]) for mapping in proxy["ports"]}
    assert listens == container_ports


def test_services_point_at_published_ports_of_their_peers() -> None:
    services = _compose()["services"]
    environment: dict[str, str] = services["gateway"]["environment"]
    for variable in ("SAMTYKKE_SKATTEETATEN_BASE_URL", "SAMTYKKE_BRREG_BASE_URL"):
        parts = urlsplit(environment[variable])
        assert parts.hostname is not None
        container_ports = {
            str(mapping).rsplit(":", 1)[-1] for mapping in services[parts.hostname]["ports"]
        }
        assert str(parts.port) in container_ports


def _published_host_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(mapping).rsplit(":", 2)[-2]) for mapping in service.get("ports", [])}


def test_urls_a_browser_is_sent_to_are_reachable_from_the_host() -> None:
    # The citizen's browser runs on the host: it knows localhost and the published ports,
    # not the compose network's service names.
    services = _compose()["services"]
    environment: dict[str, str] = services["gateway"]["environment"]
    for variable, service in (
        ("SAMTYKKE_ISSUER_URL", "proxy"),
        ("SAMTYKKE_IDPORTEN_ISSUER_URL", "mocks"),
    ):
        parts = urlsplit(environment[variable])
        assert parts.hostname in {"localhost", "127.0.0.1"}, f"{variable}: {parts.hostname}"
        assert parts.port in _published_host_ports(services[service]), variable
