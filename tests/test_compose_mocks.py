"""docker-compose.yml runs the mocks with settings they read, wired to the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from fastapi.testclient import TestClient

from gateway.registries import JWKS_PATH
from mock_registries import idporten
from mock_registries.population import build_population
from mock_registries.settings import MockSettings

ROOT = Path(__file__).resolve().parent.parent


def _services() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    return services


def test_the_mocks_are_given_only_settings_they_read() -> None:
    environment: dict[str, str] = _services()["mocks"]["environment"]
    fields = {f"SAMTYKKE_MOCKS_{name.upper()}" for name in MockSettings.model_fields}
    assert set(environment) <= fields


def test_the_mocks_fetch_the_gateways_keys_and_name_themselves_as_the_gateway_calls_them() -> None:
    services = _services()
    mocks: dict[str, str] = services["mocks"]["environment"]
    gateway: dict[str, str] = services["gateway"]["environment"]
    jwks = urlsplit(mocks["SAMTYKKE_MOCKS_GATEWAY_JWKS_URL"])
    assert jwks.hostname == "gateway"
    assert jwks.path == JWKS_PATH
    settings = _mock_settings(mocks)
    # ID-porten's issuer must be exactly what the gateway is told it is.
    assert gateway["SAMTYKKE_IDPORTEN_ISSUER_URL"] == settings.public_url(settings.idporten_port)
    # The registries are called by the gateway only: by service name, on the container port.
    for variable, port in (
        ("SAMTYKKE_SKATTEETATEN_BASE_URL", settings.skatteetaten_port),
        ("SAMTYKKE_BRREG_BASE_URL", settings.brreg_port),
        ("SAMTYKKE_LANDBRUK_BASE_URL", settings.landbruk_port),
        ("SAMTYKKE_FISKERI_BASE_URL", settings.fiskeri_port),
    ):
        assert gateway[variable] == f"http://mocks:{port}"
    published = {str(entry).split(":")[0] for entry in services["mocks"]["ports"]}
    for port in (settings.skatteetaten_port, settings.brreg_port, settings.idporten_port,
                 settings.landbruk_port, settings.fiskeri_port):  # fmt: skip
        assert str(port) in published


def _mock_settings(environment: dict[str, str]) -> MockSettings:
    fields = {
        name.removeprefix("SAMTYKKE_MOCKS_").lower(): value
        for name, value in environment.items()
        if name != "SAMTYKKE_MOCKS_GATEWAY_JWKS_URL"
    }
    return MockSettings(_env_file=None, **fields)  # type: ignore[call-arg]


def test_id_porten_sends_the_browser_to_the_host_and_the_gateway_to_the_service() -> None:
    services = _services()
    gateway: dict[str, str] = services["gateway"]["environment"]
    settings = _mock_settings(services["mocks"]["environment"])
    app = idporten.create_app(settings, population=build_population(settings.seed, 0))
    with TestClient(app) as client:
        discovery = client.get("/.well-known/openid-configuration").json()

    # The ID token's issuer is what the gateway checks it against.
    assert discovery["issuer"] == gateway["SAMTYKKE_IDPORTEN_ISSUER_URL"]
    # The browser follows the authorization endpoint: localhost, a port the mocks publish.
    published = {str(mapping).split(":")[0] for mapping in services["mocks"]["ports"]}
    browser = urlsplit(discovery["authorization_endpoint"])
    assert browser.hostname == "localhost"
    assert str(browser.port) in published
    # The gateway reads the discovery document and calls the other endpoints in the network.
    metadata = urlsplit(gateway["SAMTYKKE_IDPORTEN_METADATA_URL"])
    assert (metadata.hostname, metadata.port) == ("mocks", settings.idporten_port)
    assert metadata.path == "/.well-known/openid-configuration"
    for endpoint in ("token_endpoint", "userinfo_endpoint", "jwks_uri"):
        parts = urlsplit(discovery[endpoint])
        assert (parts.hostname, parts.port) == ("mocks", settings.idporten_port), endpoint
    # ID-porten sends the browser back to the gateway's public callback.
    assert f"{gateway['SAMTYKKE_ISSUER_URL']}/citizen/login/callback" in (
        settings.idporten_redirect_uris
    )
