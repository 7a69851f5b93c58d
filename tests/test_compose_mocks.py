"""docker-compose.yml runs the mocks with settings they read, wired to the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gateway.registries import JWKS_PATH
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
    settings = MockSettings(public_host=mocks["SAMTYKKE_MOCKS_PUBLIC_HOST"])
    # ID-porten's issuer must be exactly what the gateway is told it is.
    assert gateway["SAMTYKKE_IDPORTEN_ISSUER_URL"] == settings.public_url(settings.idporten_port)
    assert gateway["SAMTYKKE_SKATTEETATEN_BASE_URL"] == settings.public_url(
        settings.skatteetaten_port
    )
    assert gateway["SAMTYKKE_BRREG_BASE_URL"] == settings.public_url(settings.brreg_port)
    assert gateway["SAMTYKKE_LANDBRUK_BASE_URL"] == settings.public_url(settings.landbruk_port)
    assert gateway["SAMTYKKE_FISKERI_BASE_URL"] == settings.public_url(settings.fiskeri_port)
    published = {entry.split(":")[0] for entry in services["mocks"]["ports"]}
    for port in (settings.skatteetaten_port, settings.brreg_port, settings.idporten_port,
                 settings.landbruk_port, settings.fiskeri_port):  # fmt: skip
        assert str(port) in published
