"""Production subsidies: the modelled Landbruksdirektoratet mock and its connector, over HTTP."""

from __future__ import annotations

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
from connectors.http import RegistryHttp
from connectors.landbruk import LandbrukClient, counting_dates
from connectors.resilience import ResilienceSettings
from gateway.keys import KeyPurpose, KeyStore
from gateway.registries import RegistryTokenSigner
from mock_registries import landbruk
from mock_registries.faults import FAULT_HEADER
from mock_registries.population import (
    DALBY_KORN,
    HAUGLAND_FJORFE,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
    build_population,
)
from mock_registries.production import ANIMAL_RATE, AREA_RATE, FARMS, subsidy_rounds
from mock_registries.settings import MockSettings
from tests.servers import running_server

FAST = ResilienceSettings(
    connect_timeout=2.0, read_timeout=5.0, deadline=10.0, max_attempts=2,
    backoff_base=0.01, backoff_max=0.01,
)  # fmt: skip
SOKNADER = "/produksjonstilskudd/api/v1/foretak/{}/soknader"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return KeyStore(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def url(keys: KeyStore) -> Iterator[str]:
    app = landbruk.create_app(
        MockSettings(test_mode=True),
        population=build_population(2025, 10),
        gateway_jwks=keys.public_jwks(KeyPurpose.REGISTRY_CLIENT),
    )
    with running_server(app) as base:
        yield base


def _client(url: str, keys: KeyStore, *, audience: str = landbruk.AUDIENCE,
            fault: str | None = None) -> LandbrukClient:  # fmt: skip
    signer = RegistryTokenSigner(keys, issuer="http://gateway.test", audience=audience)
    http = RegistryHttp(
        "landbruksdirektoratet", url, token_provider=signer, settings=FAST,
        default_headers={FAULT_HEADER: fault} if fault else None,
    )  # fmt: skip
    return LandbrukClient(url, signer, http=http)


@pytest.fixture
def client(url: str, keys: KeyStore) -> Iterator[LandbrukClient]:
    connector = _client(url, keys)
    yield connector
    connector.close()


def test_the_rounds_are_listed_newest_first_and_the_newest_is_not_decided(
    client: LandbrukClient,
) -> None:
    rounds = client.soknader(VIKOREN_GARD)
    assert rounds.foretaksnavn == "VIKØREN GARD Solveig Vikøren"
    dates = [r.telledato for r in rounds.soknader]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == date(2026, 10, 1)
    assert {(d.month, d.day) for d in dates} == {(3, 1), (10, 1)}
    assert rounds.soknader[0].status == "UNDER_BEHANDLING"
    assert {r.status for r in rounds.soknader[1:]} == {"UTBETALT"}
    assert client.soknad(VIKOREN_GARD, date(2026, 10, 1)).vedtak is None


def test_an_october_round_states_areas_animals_and_a_subsidy_that_agrees_with_them(
    client: LandbrukClient,
) -> None:
    soknad = client.soknad(VIKOREN_GARD, date(2025, 10, 1))
    areas = {a.vekstkode: a.dekar for a in soknad.arealer}
    animals = {d.dyrekode: d.antall for d in soknad.dyr}
    assert areas == {"ENG": 420, "BYGG": 180, "HAVRE": 90, "BEITE": 60}
    assert soknad.dekar_totalt == 750
    assert animals["MELKEKYR"] > 0
    assert soknad.vedtak is not None
    expected = sum(AREA_RATE[c] * n for c, n in areas.items()) + sum(
        ANIMAL_RATE[k] * n for k, n in animals.items()
    )
    assert soknad.vedtak.innvilget_belop == expected
    assert soknad.vedtak.utbetalt_belop == expected - soknad.vedtak.avkorting_belop
    assert soknad.vedtak.valuta == "NOK"
    assert soknad.soknadsfrist is not None
    assert soknad.vedtak.vedtaksdato > soknad.soknadsfrist


def test_a_march_round_counts_animals_only(client: LandbrukClient) -> None:
    soknad = client.soknad(VIKOREN_GARD, date(2025, 3, 1))
    assert soknad.arealer == []
    assert {d.dyrekode for d in soknad.dyr} == {"MELKEKYR", "ANDRE_STORFE"}
    assert soknad.vedtak is not None  # half a year of the animal rates
    assert (
        soknad.vedtak.innvilget_belop
        == sum(ANIMAL_RATE[d.dyrekode] * d.antall for d in soknad.dyr) // 2
    )


def test_the_newest_rounds_and_one_enterprise_never_answers_for_another(
    client: LandbrukClient,
) -> None:
    newest = client.siste_soknader(HAUGLAND_FJORFE, 2)
    assert [s.telledato for s in newest] == [date(2026, 10, 1), date(2026, 3, 1)]
    assert {s.organisasjonsnummer for s in newest} == {HAUGLAND_FJORFE}
    assert {d.dyrekode for s in newest for d in s.dyr} == {"VERPEHONS"}


def test_the_connector_maps_the_registrys_codes(client: LandbrukClient) -> None:
    with pytest.raises(OrganisationNotFound) as not_a_farm:
        client.soknader(STRANDVIK_HAVBRUK)
    assert not_a_farm.value.code == "PT-007"
    with pytest.raises(NoDataForPeriod) as no_round:
        client.soknad(DALBY_KORN, date(2026, 3, 1))  # wound up before it applied
    assert no_round.value.code == "PT-008"
    with pytest.raises(RequestRejected):
        client.soknad(VIKOREN_GARD, date(2025, 4, 1))
    with pytest.raises(RequestRejected):
        client.soknader("911000009")


def test_a_token_for_another_registry_is_refused(url: str, keys: KeyStore) -> None:
    connector = _client(url, keys, audience="https://api.skatteetaten.no")
    with pytest.raises(CredentialsRejected) as raised:
        connector.soknader(VIKOREN_GARD)
    connector.close()
    assert raised.value.code == "PT-004"


def test_the_mocks_own_error_bodies(url: str) -> None:
    answer = httpx.get(url + SOKNADER.format(VIKOREN_GARD))
    assert answer.status_code == 401
    assert set(answer.json()) == {"kode", "melding", "korrelasjonsid"}
    assert answer.json()["kode"] == "PT-004"
    assert httpx.get(f"{url}/produksjonstilskudd/api/v1/ukjent").json()["kode"] == "PT-003"


@pytest.mark.parametrize(
    ("fault", "expected", "code"),
    [("status=503", UpstreamUnavailable, "PT-002"), ("malformed", MalformedResponse, None)],
)
def test_injected_faults_reach_the_connector(
    url: str, keys: KeyStore, fault: str, expected: type[Exception], code: str | None
) -> None:
    connector = _client(url, keys, fault=fault)
    with pytest.raises(expected) as raised:
        connector.soknader(VIKOREN_GARD)
    connector.close()
    assert getattr(raised.value, "code", None) == code


def test_the_farm_data_is_fixed_and_the_rounds_follow_the_counting_dates() -> None:
    for farm in FARMS.values():
        rounds = subsidy_rounds(farm)
        assert rounds == subsidy_rounds(farm)
        assert [r.telledato for r in rounds] == counting_dates(
            rounds[0].telledato, rounds[-1].telledato
        )
        assert all(r.soknadsfrist.day == 15 for r in rounds)
    assert counting_dates(date(2025, 2, 1), date(2025, 12, 31)) == [
        date(2025, 3, 1), date(2025, 10, 1),
    ]  # fmt: skip
