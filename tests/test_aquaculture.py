"""The aquaculture register (pub-aqua) and biomass reports: mock and connector, over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    NoDataForPeriod,
    OrganisationNotFound,
    RequestRejected,
    UpstreamUnavailable,
)
from connectors.fiskeri import FiskeriClient
from connectors.http import RegistryHttp
from connectors.resilience import ResilienceSettings
from gateway.keys import KeyPurpose, KeyStore
from gateway.registries import RegistryTokenSigner
from mock_registries import fiskeri
from mock_registries.faults import FAULT_HEADER
from mock_registries.population import (
    FJORDKYST,
    NESHEIM_SJOMAT,
    NORDLYS,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
    build_population,
)
from mock_registries.production import BIOMASS_MONTHS, SITES, biomass_months
from mock_registries.settings import MockSettings
from tests.servers import running_server

FAST = ResilienceSettings(
    connect_timeout=2.0, read_timeout=5.0, deadline=10.0, max_attempts=2,
    backoff_base=0.01, backoff_max=0.01,
)  # fmt: skip


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return KeyStore(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def url(keys: KeyStore) -> Iterator[str]:
    app = fiskeri.create_app(
        MockSettings(test_mode=True),
        population=build_population(2025, 10),
        gateway_jwks=keys.public_jwks(KeyPurpose.REGISTRY_CLIENT),
    )
    with running_server(app) as base:
        yield base


def _client(url: str, keys: KeyStore, *, audience: str = fiskeri.AUDIENCE,
            fault: str | None = None) -> FiskeriClient:  # fmt: skip
    signer = RegistryTokenSigner(keys, issuer="http://gateway.test", audience=audience)
    http = RegistryHttp(
        "fiskeridirektoratet", url, token_provider=signer, settings=FAST,
        default_headers={FAULT_HEADER: fault} if fault else None,
    )  # fmt: skip
    return FiskeriClient(url, signer, http=http)


@pytest.fixture
def client(url: str, keys: KeyStore) -> Iterator[FiskeriClient]:
    connector = _client(url, keys)
    yield connector
    connector.close()


def test_licences_of_a_salmon_farm_with_capacity_placement_grant_and_sites(
    client: FiskeriClient,
) -> None:
    licences = client.licenses(STRANDVIK_HAVBRUK)
    assert [lic.license_nr for lic in licences] == ["H-BJ-0041", "H-BJ-0042"]
    first = licences[0]
    assert first.legal_entity_name == "STRANDVIK HAVBRUK AS"
    assert first.capacity is not None
    assert (first.capacity.current, first.capacity.unit, first.capacity.type) == (780, "TN", "MTB")
    assert first.placement is not None
    assert first.placement.prod_area_code == 3
    assert first.grant_information is not None
    assert first.grant_information.granted_time is not None
    assert {c.site_nr for c in first.connections} == {13245, 13266}
    assert client.license("H-BJ-0042") == licences[1]


def test_a_bought_licence_shows_its_transfer_and_both_mortgagees(client: FiskeriClient) -> None:
    bought, granted = (
        next(r for r in client.licence_records(STRANDVIK_HAVBRUK) if r.license.license_nr == nr)
        for nr in ("H-BJ-0042", "H-BJ-0041")
    )
    assert [t.identity_nr for t in bought.transfers] == [STRANDVIK_HAVBRUK]
    assert bought.transfers[0].journal_date == date(2017, 2, 14)
    assert bought.license.grant_information is not None
    assert bought.license.grant_information.legal_entity_name == "VESTHAV OPPDRETT AS"
    assert [lien.identity_nr for lien in bought.liens] == [FJORDKYST, NORDLYS]
    assert granted.transfers == []
    assert [lien.official_name for lien in granted.liens] == ["FJORDKYST SPAREBANK"]


def test_sites_and_an_enterprise_without_licences(client: FiskeriClient) -> None:
    sites = client.sites(STRANDVIK_HAVBRUK)
    assert [s.site_nr for s in sites] == [13245, 13266]
    assert sites[0].placement is not None
    assert sites[0].placement.municipality_name == "Bjørnafjorden"
    assert client.site(21507).name == "NESHEIMSVIKA"
    entity = client.entity(NESHEIM_SJOMAT)
    assert entity is not None
    assert (entity.name, entity.type_value) == ("NESHEIM SJØMAT AS", "LimitedLiabilityCompany")
    assert client.entity(VIKOREN_GARD) is None
    assert client.licenses(VIKOREN_GARD) == []
    assert client.sites(VIKOREN_GARD) == []
    with pytest.raises(RequestRejected):
        client.license("H-XX-9999")
    with pytest.raises(RequestRejected):
        client.license("../sites/13245")


def test_range_paging_is_the_registers(url: str) -> None:
    licences = f"{url}/pub-aqua/api/v1/licenses"
    assert len(httpx.get(licences, headers={"range": "0-99"}).json()) == 3
    assert [lic["licenseNr"] for lic in httpx.get(licences, headers={"range": "1-1"}).json()] == [
        "H-BJ-0042"
    ]
    assert httpx.get(licences, headers={"range": "5-9"}).json() == []
    too_wide = httpx.get(licences, headers={"range": "0-100"})
    assert too_wide.status_code == 400
    assert set(too_wide.json()) == {"timestamp", "status", "error", "message", "path"}
    assert httpx.get(licences, headers={"range": "nine"}).status_code == 400
    entities = httpx.get(f"{url}/pub-aqua/api/v1/entities", params={"entity-nr": NESHEIM_SJOMAT})
    assert entities.json() == [{"openLegalEntityNr": NESHEIM_SJOMAT, "name": "NESHEIM SJØMAT AS",
                                "typeValue": "LimitedLiabilityCompany"}]  # fmt: skip
    overview = httpx.get(
        f"{url}/pub-aqua/api/v1/licenses-overview", params={"legal-entity-nr": NESHEIM_SJOMAT}
    ).json()
    assert [o["licenseNr"] for o in overview] == ["M-OR-0007"]


def test_biomass_reports_per_site_and_month_carry_over(client: FiskeriClient) -> None:
    biomasse = client.biomasse(STRANDVIK_HAVBRUK, date(2025, 1, 1), date(2025, 12, 1))
    assert [site.lokalitetsnummer for site in biomasse.lokaliteter] == [13245, 13266]
    for site in biomasse.lokaliteter:
        months = site.maaneder
        assert [m.maaned for m in months] == [f"2025-{n:02d}" for n in range(1, 13)]
        for before, after in itertools.pairwise(months):
            assert after.beholdning_antall == (
                before.beholdning_antall + after.utsatt_antall
                - after.slaktet_antall - after.dodfisk_antall
            )  # fmt: skip
    assert any(m.utsatt_antall for s in biomasse.lokaliteter for m in s.maaneder)
    assert any(m.slaktet_kg for s in biomasse.lokaliteter for m in s.maaneder)
    assert biomasse.beholdning_kg("2025-06") > 0


def test_biomass_errors_map_to_the_connectors_outcomes(url: str, keys: KeyStore) -> None:
    client = _client(url, keys)
    with pytest.raises(OrganisationNotFound) as no_sites:
        client.biomasse(VIKOREN_GARD, date(2025, 1, 1), date(2025, 2, 1))
    assert no_sites.value.code == "BIO-007"
    with pytest.raises(NoDataForPeriod) as too_early:
        client.biomasse(STRANDVIK_HAVBRUK, date(2020, 1, 1), date(2020, 6, 1))
    assert too_early.value.code == "BIO-008"
    with pytest.raises(RequestRejected) as backwards:
        client.biomasse(STRANDVIK_HAVBRUK, date(2025, 6, 1), date(2025, 1, 1))
    assert backwards.value.code == "BIO-006"
    client.close()
    stranger = _client(url, keys, audience="https://data.brreg.no")
    with pytest.raises(CredentialsRejected) as refused:
        stranger.biomasse(STRANDVIK_HAVBRUK, date(2025, 1, 1), date(2025, 2, 1))
    stranger.close()
    assert refused.value.code == "BIO-004"
    assert httpx.get(f"{url}/akvakultur/api/v1/ukjent").json()["kode"] == "BIO-003"


@pytest.mark.parametrize(
    ("fault", "expected"), [("status=503", UpstreamUnavailable), ("malformed", MalformedResponse)]
)
def test_injected_faults_reach_the_connector(
    url: str, keys: KeyStore, fault: str, expected: type[Exception]
) -> None:
    client = _client(url, keys, fault=fault)
    with pytest.raises(expected):
        client.licenses(STRANDVIK_HAVBRUK)
    with pytest.raises(expected):
        client.biomasse(STRANDVIK_HAVBRUK, date(2025, 1, 1), date(2025, 2, 1))
    client.close()


def test_the_biomass_series_is_fixed_and_never_negative() -> None:
    for site in SITES.values():
        months = biomass_months(site)
        assert months == biomass_months(site)
        assert (months[0].year, months[0].month) == BIOMASS_MONTHS[0]
        assert (months[-1].year, months[-1].month) == BIOMASS_MONTHS[1]
        assert all(m.stock_count >= 0 and m.stock_kg >= 0 for m in months)
