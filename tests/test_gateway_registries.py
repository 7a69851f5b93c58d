"""The gateway's registry clients: lifespan, tokens, published keys, and a real round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from connectors import fiskeri as fiskeri_connector
from connectors import landbruk as landbruk_connector
from connectors import skatteetaten as skatteetaten_connector
from gateway.app import create_app
from gateway.keys import KeyPurpose, KeyStore
from gateway.registries import (
    JWKS_PATH,
    REFRESH_MARGIN_SECONDS,
    TOKEN_LIFETIME_SECONDS,
    Registries,
    RegistryTokenSigner,
)
from gateway.settings import Settings
from mock_registries import brreg, fiskeri, landbruk, skatteetaten
from mock_registries.population import (
    FJORDKYST,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
    Trait,
    build_population,
)
from mock_registries.settings import MockSettings
from tests.servers import bound_socket, running_server


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_tokens_carry_the_claims_the_registries_check(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    signer = RegistryTokenSigner(keys, issuer="http://gw", audience="https://api.skatteetaten.no")
    token = jwt.decode(
        signer("skatteetaten:inntekt"),
        KeySet.import_key_set(keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)),  # type: ignore[arg-type]
        ["ES256"],
    )
    assert token.header["typ"] == "JWT"
    claims = token.claims
    assert claims["iss"] == "http://gw"
    assert claims["aud"] == "https://api.skatteetaten.no"
    assert claims["scope"] == "skatteetaten:inntekt"
    assert 0 < claims["exp"] - claims["iat"] <= 120
    assert claims["jti"]


def test_tokens_are_cached_per_scope_until_shortly_before_expiry(tmp_path: Path) -> None:
    clock = Clock()
    signer = RegistryTokenSigner(KeyStore(tmp_path), issuer="i", audience="a", clock=clock)
    first = signer("s1")
    assert signer("s1") == first
    assert signer("s2") != first
    clock.now += TOKEN_LIFETIME_SECONDS - REFRESH_MARGIN_SECONDS - 1
    assert signer("s1") == first
    clock.now += 1
    assert signer("s1") != first


def test_the_public_keys_are_published(client: TestClient, app: FastAPI) -> None:
    response = client.get(JWKS_PATH)
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys == app.state.keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)["keys"]
    assert all("d" not in key for key in keys)


def test_the_lifespan_builds_the_clients_and_closes_them(app: FastAPI) -> None:
    with TestClient(app):
        registries = app.state.registries
        assert isinstance(registries, Registries)
        assert not registries.skatteetaten.http._client.is_closed
    assert registries.skatteetaten.http._client.is_closed
    assert registries.brreg.http._client.is_closed
    assert registries.landbruk.http._client.is_closed
    assert registries.fiskeri.http._client.is_closed


def test_the_gateway_reaches_the_mocks_which_fetch_its_keys(settings: Settings) -> None:
    population = build_population(2025, 20)
    sockets = {name: bound_socket() for name in ("gateway", "skatteetaten", "brreg")}
    urls = {name: "http://{}:{}".format(*s.getsockname()[:2]) for name, s in sockets.items()}
    gateway_settings = settings.model_copy(
        update={
            "issuer_url": urls["gateway"],
            "skatteetaten_base_url": urls["skatteetaten"],
            "brreg_base_url": urls["brreg"],
        }
    )
    mock_settings = MockSettings(gateway_jwks_url=urls["gateway"] + JWKS_PATH)
    gateway = create_app(gateway_settings)
    kari = next(p for p in population.named if p.has(Trait.ORDINARY))
    debtor = next(p for p in population.named if p.has(Trait.DEBT_SETTLEMENT))
    with (
        running_server(gateway, sock=sockets["gateway"]),
        running_server(
            skatteetaten.create_app(mock_settings, population=population),
            sock=sockets["skatteetaten"],
        ),
        running_server(
            brreg.create_app(mock_settings, population=population), sock=sockets["brreg"]
        ),
    ):
        # The first answer means the gateway's lifespan has run and its clients exist.
        assert httpx.get(urls["gateway"] + JWKS_PATH).status_code == 200
        registries: Registries = gateway.state.registries
        grunnlag = registries.skatteetaten.summert_skattegrunnlag(kari.fnr, 2024)
        assert grunnlag.inntektsaar == 2024
        assert registries.brreg.rettsstiftelser(debtor.fnr).has_debt_settlement
        assert registries.brreg.enhet(FJORDKYST).is_bank
    assert skatteetaten_connector.AUDIENCE == skatteetaten.AUDIENCE


def test_the_gateways_enterprise_clients_reach_the_mocks_which_fetch_its_keys(
    settings: Settings,
) -> None:
    population = build_population(2025, 0)
    names = ("gateway", "brreg", "landbruk", "fiskeri")
    sockets = {name: bound_socket() for name in names}
    urls = {name: "http://{}:{}".format(*s.getsockname()[:2]) for name, s in sockets.items()}
    gateway = create_app(
        settings.model_copy(
            update={
                "issuer_url": urls["gateway"],
                "brreg_base_url": urls["brreg"],
                "landbruk_base_url": urls["landbruk"],
                "fiskeri_base_url": urls["fiskeri"],
            }
        )
    )
    mock_settings = MockSettings(gateway_jwks_url=urls["gateway"] + JWKS_PATH)
    solveig = next(p for p in population.named if p.name == "Solveig Vikøren")
    with (
        running_server(gateway, sock=sockets["gateway"]),
        running_server(
            brreg.create_app(mock_settings, population=population), sock=sockets["brreg"]
        ),
        running_server(
            landbruk.create_app(mock_settings, population=population), sock=sockets["landbruk"]
        ),
        running_server(
            fiskeri.create_app(mock_settings, population=population), sock=sockets["fiskeri"]
        ),
    ):
        assert httpx.get(urls["gateway"] + JWKS_PATH).status_code == 200
        registries: Registries = gateway.state.registries
        role = registries.brreg.roller(VIKOREN_GARD).authority_of(solveig.fnr)
        assert role is not None
        assert role.kode == "INNH"
        assert registries.landbruk.soknad(VIKOREN_GARD, date(2025, 10, 1)).dekar_totalt > 0
        biomasse = registries.fiskeri.biomasse(
            STRANDVIK_HAVBRUK, date(2025, 1, 1), date(2025, 3, 1)
        )
        assert len(biomasse.lokaliteter) == 2
    assert landbruk_connector.AUDIENCE == landbruk.AUDIENCE
    assert fiskeri_connector.AUDIENCE == fiskeri.AUDIENCE
