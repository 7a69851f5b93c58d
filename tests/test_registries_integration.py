"""The connectors against the mock registries running as real HTTP servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from joserfc import jwt

from connectors import brreg as brreg_connector
from connectors import skatteetaten as skatteetaten_connector
from connectors.brreg import BrregClient
from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    NoDataForPeriod,
    OrganisationNotFound,
    OrganisationRemoved,
    PersonNotFound,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from connectors.http import RegistryHttp, TokenProvider
from connectors.resilience import ResilienceSettings
from connectors.skatteetaten import SkatteetatenClient
from gateway.keys import KeyPurpose, KeyStore, generate_key
from gateway.registries import RegistryTokenSigner
from mock_registries import brreg, skatteetaten
from mock_registries.faults import FAULT_HEADER
from mock_registries.population import (
    BOLGEN,
    FJORDKYST,
    HAVBRIS,
    SKOGLY,
    TINDEVIK,
    Person,
    Population,
    Trait,
    build_population,
)
from mock_registries.settings import MockSettings
from tests.servers import running_server

FAST = ResilienceSettings(
    connect_timeout=2.0, read_timeout=5.0, deadline=10.0, max_attempts=2,
    backoff_base=0.01, backoff_max=0.01,
)  # fmt: skip


@pytest.fixture(scope="module")
def population() -> Population:
    return build_population(2025, 200)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return KeyStore(tmp_path_factory.mktemp("keys"))


@dataclass(frozen=True)
class Mocks:
    skatteetaten: str
    brreg: str


def _start(test_mode: bool, population: Population, keys: KeyStore) -> Iterator[Mocks]:
    settings = MockSettings(test_mode=test_mode, hang_limit_seconds=10)
    jwks = keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)
    with (
        running_server(
            skatteetaten.create_app(settings, population=population, gateway_jwks=jwks)
        ) as ske_url,
        running_server(brreg.create_app(settings, population=population, gateway_jwks=jwks)) as br,
    ):
        yield Mocks(ske_url, br)


@pytest.fixture(scope="module")
def mocks(population: Population, keys: KeyStore) -> Iterator[Mocks]:
    yield from _start(True, population, keys)


def _signer(keys: KeyStore, audience: str) -> RegistryTokenSigner:
    return RegistryTokenSigner(keys, issuer="http://gateway.test", audience=audience)


def _skatteetaten(
    mocks: Mocks,
    keys: KeyStore,
    *,
    fault: str | None = None,
    settings: ResilienceSettings = FAST,
    token_provider: TokenProvider | None = None,
) -> SkatteetatenClient:
    provider = token_provider or _signer(keys, skatteetaten_connector.AUDIENCE)
    http = RegistryHttp(
        "skatteetaten",
        mocks.skatteetaten,
        token_provider=provider,
        settings=settings,
        default_headers={FAULT_HEADER: fault} if fault else None,
    )
    return SkatteetatenClient(mocks.skatteetaten, provider, http=http)


def _brreg(mocks: Mocks, keys: KeyStore) -> BrregClient:
    return BrregClient(mocks.brreg, _signer(keys, brreg_connector.AUDIENCE), FAST)


def _named(population: Population, trait: Trait) -> Person:
    return next(p for p in population.named if p.has(trait))


def test_assessment_and_monthly_income_agree(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    kari = _named(population, Trait.ORDINARY)
    client = _skatteetaten(mocks, keys)
    grunnlag = client.summert_skattegrunnlag(kari.fnr, 2024)
    months = client.inntekt(kari.fnr, date(2024, 1, 1), date(2024, 12, 1))
    client.close()
    salary = grunnlag.beloep("samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt")
    paid = sum((i.beloep for o in months.oppgave_inntektsmottaker for i in o.inntekt), Decimal(0))
    assert salary is not None
    assert salary > 0
    assert paid == salary
    assert {o.kalendermaaned for o in months.oppgave_inntektsmottaker} == {
        f"2024-{m:02d}" for m in range(1, 13)
    }
    gross, debt, net = (
        grunnlag.beloep(n) or 0 for n in ("bruttoformue", "samletGjeld", "nettoformue")
    )
    assert net == max(0, gross - debt)
    assert {p.kategori for p in grunnlag.grunnlag} <= {
        "inntekt", "formue", "inntektsfradrag", "formuesfradrag",
    }  # fmt: skip


def test_latest_available_year_and_a_year_without_assessment(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    ingrid = _named(population, Trait.NO_ASSESSMENT_YET)
    client = _skatteetaten(mocks, keys)
    assert client.siste_tilgjengelige_periode(ingrid.fnr).siste_tilgjengelige_periode == 2023
    with pytest.raises(NoDataForPeriod) as raised:
        client.summert_skattegrunnlag(ingrid.fnr, 2024)
    client.close()
    assert raised.value.code == "SSG-008"
    assert raised.value.latest_available == 2023


def test_shielded_person_has_no_amounts(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    lars = _named(population, Trait.SHIELDED)
    client = _skatteetaten(mocks, keys)
    grunnlag = client.summert_skattegrunnlag(lars.fnr, 2024)
    client.close()
    assert grunnlag.skjermet
    assert grunnlag.grunnlag == []


def test_unknown_person_and_missing_a_ordningen_data(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    nils = _named(population, Trait.UNKNOWN_TO_TAX_ADMINISTRATION)
    solveig = _named(population, Trait.NO_A_ORDNINGEN)
    client = _skatteetaten(mocks, keys)
    with pytest.raises(PersonNotFound) as ssg:
        client.summert_skattegrunnlag(nils.fnr, 2024)
    with pytest.raises(PersonNotFound) as im:
        client.inntekt(nils.fnr, date(2025, 1, 1), date(2025, 3, 1))
    with pytest.raises(NoDataForPeriod) as no_months:
        client.inntekt(solveig.fnr, date(2025, 1, 1), date(2025, 3, 1))
    assert client.summert_skattegrunnlag(solveig.fnr, 2024).beloep(
        "samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt"
    )
    client.close()
    assert (ssg.value.code, im.value.code, no_months.value.code) == ("SSG-007", "IM-007", "IM-008")


def test_several_employers_report_every_month(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    ola = _named(population, Trait.SEVERAL_EMPLOYERS)
    client = _skatteetaten(mocks, keys)
    result = client.inntekt(ola.fnr, date(2025, 1, 1), date(2025, 1, 1))
    client.close()
    assert len({o.opplysningspliktig_id for o in result.oppgave_inntektsmottaker}) == 2


def test_organisations(mocks: Mocks, keys: KeyStore) -> None:
    client = _brreg(mocks, keys)
    bank = client.enhet(FJORDKYST)
    assert bank.is_bank
    assert bank.in_good_standing
    assert bank.naeringskode1 is not None
    assert bank.naeringskode1.kode.startswith("64.1")
    assert client.enhet(HAVBRIS).konkurs
    assert client.enhet(SKOGLY).under_avvikling
    bakery = client.enhet(BOLGEN)
    assert not bakery.is_bank
    assert bakery.in_good_standing
    with pytest.raises(OrganisationRemoved) as removed:
        client.enhet(TINDEVIK)
    assert removed.value.removed_on == date(2021, 3, 1)
    with pytest.raises(OrganisationNotFound):
        client.enhet("974760673")  # valid, but not in the synthetic register
    client.close()


def test_liens_and_debt_settlements(mocks: Mocks, keys: KeyStore, population: Population) -> None:
    client = _brreg(mocks, keys)
    settled = client.rettsstiftelser(_named(population, Trait.DEBT_SETTLEMENT).fnr)
    lien = client.rettsstiftelser(_named(population, Trait.LIEN).fnr)
    nothing = client.rettsstiftelser(_named(population, Trait.ORDINARY).fnr)
    client.close()
    assert settled.has_debt_settlement
    assert lien.antall_rettsstiftelser == 1
    assert not lien.has_debt_settlement
    assert lien.rettsstiftelser[0].type == "UTLEGGSPANT"
    assert nothing.antall_rettsstiftelser == 0
    assert nothing.rettsstiftelser == []


def _foreign_token(scope: str, *, audience: str, lifetime: int = 60, iat: int | None = None) -> str:
    key = generate_key("ES256")  # not the gateway's key
    now = iat if iat is not None else int(time.time())
    claims = {"iss": "x", "aud": audience, "scope": scope, "iat": now, "exp": now + lifetime,
              "jti": "j"}  # fmt: skip
    return jwt.encode({"alg": "ES256", "typ": "JWT", "kid": key.kid}, claims, key)


def _signed(keys: KeyStore, claims: dict[str, Any]) -> str:
    key = keys.signing_key(KeyPurpose.REGISTRY_CLIENT)
    return jwt.encode({"alg": "ES256", "typ": "JWT", "kid": key.kid}, claims, key)


def test_wrong_tokens_get_the_registrys_own_401_and_403(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    path = f"{mocks.skatteetaten}/api/formueinntekt/summertskattegrunnlag/oppgjoer/sbl/2024/{fnr}"
    now = int(time.time())
    good = {"iss": "g", "aud": skatteetaten_connector.AUDIENCE,
            "scope": "skatteetaten:summertskattegrunnlag", "iat": now, "exp": now + 60,
            "jti": "1"}  # fmt: skip
    cases = {
        None: (401, "SSG-004"),
        "Bearer not-a-jwt": (401, "SSG-004"),
        f"Bearer {_foreign_token(good['scope'], audience=good['aud'])}": (401, "SSG-004"),
        f"Bearer {_signed(keys, {**good, 'aud': 'https://elsewhere'})}": (401, "SSG-004"),
        f"Bearer {_signed(keys, {**good, 'iat': now - 600, 'exp': now - 500})}": (401, "SSG-004"),
        f"Bearer {_signed(keys, {**good, 'exp': now + 3600})}": (401, "SSG-004"),
        f"Bearer {_signed(keys, {**good, 'scope': 'skatteetaten:inntekt'})}": (403, "SSG-005"),
        f"Bearer {_signed(keys, good)}": (200, None),
    }
    for authorization, (status, kode) in cases.items():
        headers = {"Authorization": authorization} if authorization else {}
        response = httpx.get(path, headers=headers)
        assert response.status_code == status, authorization
        if kode:
            body = response.json()
            assert body["kode"] == kode
            assert set(body) == {"kode", "melding", "korrelasjonsid"}
            assert fnr not in body["melding"]

    losore = f"{mocks.brreg}/registerinfo/api/v1/rettsstiftelse/fnr/{fnr}"
    wrong_scope = _signed(keys, {**good, "aud": brreg_connector.AUDIENCE})
    response = httpx.get(losore, headers={"Authorization": f"Bearer {wrong_scope}"})
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"
    assert httpx.get(losore).status_code == 401


def test_connector_reports_rejected_credentials(
    mocks: Mocks, keys: KeyStore, population: Population
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    wrong_audience = _signer(keys, brreg_connector.AUDIENCE)
    client = _skatteetaten(mocks, keys, token_provider=wrong_audience)
    with pytest.raises(CredentialsRejected) as raised:
        client.summert_skattegrunnlag(fnr, 2024)
    client.close()
    assert raised.value.code == "SSG-004"
    assert raised.value.status == 401


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("status=503", UpstreamUnavailable),
        ("status=500", UpstreamUnavailable),
        ("malformed", MalformedResponse),
        ("drop", UpstreamUnavailable),
    ],
)
def test_injected_faults_reach_the_connector_as_their_exceptions(
    mocks: Mocks, keys: KeyStore, population: Population, fault: str, expected: type[Exception]
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    client = _skatteetaten(mocks, keys, fault=fault)
    with pytest.raises(expected):
        client.summert_skattegrunnlag(fnr, 2024)
    client.close()


@pytest.mark.parametrize("fault", ["timeout", "latency=5000"])
def test_a_registry_that_does_not_answer_in_time_is_a_timeout(
    mocks: Mocks, keys: KeyStore, population: Population, fault: str
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    impatient = ResilienceSettings(read_timeout=0.2, max_attempts=1)
    client = _skatteetaten(mocks, keys, fault=fault, settings=impatient)
    with pytest.raises(UpstreamTimeout):
        client.summert_skattegrunnlag(fnr, 2024)
    client.close()


def test_injected_status_uses_the_registrys_error_body(
    mocks: Mocks, population: Population
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    response = httpx.get(
        f"{mocks.skatteetaten}/api/innrapportert/inntektsmottaker/sbl/{fnr}/oppgave/inntekt",
        params={"fraOgMed": "2025-01", "tilOgMed": "2025-02"},
        headers={FAULT_HEADER: "status=503"},
    )
    assert response.status_code == 503
    assert response.json()["kode"] == "IM-002"


def test_the_fault_header_is_ignored_outside_test_mode(
    keys: KeyStore, population: Population
) -> None:
    fnr = _named(population, Trait.ORDINARY).fnr
    for mocks in _start(False, population, keys):
        client = _skatteetaten(mocks, keys, fault="status=503")
        assert client.summert_skattegrunnlag(fnr, 2024).inntektsaar == 2024
        client.close()


def test_a_run_wide_fault_applies_to_every_request(keys: KeyStore, population: Population) -> None:
    settings = MockSettings(fault="status=502")
    app = skatteetaten.create_app(
        settings, population=population, gateway_jwks=keys.public_jwks(KeyPurpose.REGISTRY_CLIENT)
    )
    fnr = _named(population, Trait.ORDINARY).fnr
    with running_server(app) as url:
        client = _skatteetaten(Mocks(url, url), keys)
        with pytest.raises(UpstreamUnavailable) as raised:
            client.summert_skattegrunnlag(fnr, 2024)
        client.close()
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert raised.value.status == 502
