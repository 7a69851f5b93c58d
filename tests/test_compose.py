"""docker-compose.yml is checked by reading it, since no Docker engine runs here."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gateway.settings import Settings

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
    # Every variable the gateway is given is one its settings read.
    fields = {f"SAMTYKKE_{name.upper()}" for name in Settings.model_fields}
    assert set(environment) <= fields


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
        ("SAMTYKKE_ISSUER_URL", "gateway"),
        ("SAMTYKKE_IDPORTEN_ISSUER_URL", "mocks"),
    ):
        parts = urlsplit(environment[variable])
        assert parts.hostname in {"localhost", "127.0.0.1"}, f"{variable}: {parts.hostname}"
        assert parts.port in _published_host_ports(services[service]), variable
