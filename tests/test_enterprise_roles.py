"""Enterprise roles: the synthetic enterprises, the mock's roles endpoints, the roles connector.

The connector runs against the mock Enhetsregisteret as a real HTTP server; each
authority case the consent check relies on has its enterprise and test person.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from joserfc import jwt

from connectors import brreg as brreg_connector
from connectors.brreg import AUTHORITY_ROLE_CODES, BrregClient
from connectors.errors import (
    CredentialsRejected,
    OrganisationNotFound,
    OrganisationRemoved,
    RequestRejected,
)
from connectors.resilience import ResilienceSettings
from consent.identifiers import is_valid_organisation_number
from gateway.keys import KeyPurpose, KeyStore
from gateway.registries import RegistryTokenSigner
from mock_registries import brreg
from mock_registries.population import (
    DALBY_KORN,
    FJORD_REVISJON,
    FJORDKYST,
    HAUGLAND_FJORFE,
    NESHEIM_SJOMAT,
    STRANDVIK_HAVBRUK,
    TINDEVIK,
    UNREGISTERED_ORGANISATION,
    VIKOREN_GARD,
    Person,
    Population,
    build_population,
)
from mock_registries.settings import MockSettings
from tests.servers import running_server

ENTERPRISES = (VIKOREN_GARD, STRANDVIK_HAVBRUK, HAUGLAND_FJORFE, NESHEIM_SJOMAT, DALBY_KORN)
FAST = ResilienceSettings(connect_timeout=2.0, read_timeout=5.0, deadline=10.0, max_attempts=1)


@pytest.fixture(scope="module")
def population() -> Population:
    return build_population(2025, 50)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return KeyStore(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def brreg_url(population: Population, keys: KeyStore) -> Iterator[str]:
    app = brreg.create_app(
        MockSettings(),
        population=population,
        gateway_jwks=keys.public_jwks(KeyPurpose.REGISTRY_CLIENT),
    )
    with running_server(app) as url:
        yield url


@pytest.fixture
def client(brreg_url: str, keys: KeyStore) -> Iterator[BrregClient]:
    signer = RegistryTokenSigner(keys, issuer="http://gateway.test", audience=brreg.AUDIENCE)
    connector = BrregClient(brreg_url, signer, FAST)
    yield connector
    connector.close()


def _person(population: Population, name: str) -> Person:
    return next(p for p in population.named if p.name == name)


def _token(keys: KeyStore, scope: str) -> str:
    key = keys.signing_key(KeyPurpose.REGISTRY_CLIENT)
    now = int(time.time())
    claims = {"iss": "g", "aud": brreg.AUDIENCE, "scope": scope, "iat": now, "exp": now + 60,
              "jti": f"j-{scope}"}  # fmt: skip
    return jwt.encode({"alg": "ES256", "typ": "JWT", "kid": key.kid}, claims, key)


def test_the_enterprises_are_valid_the_same_for_every_seed_and_held_by_named_persons() -> None:
    small, other = build_population(2025, 10), build_population(99, 10)
    named = {p.fnr for p in small.named}
    for orgnr in ENTERPRISES:
        assert is_valid_organisation_number(orgnr)
        enterprise = small.organisations[orgnr]
        assert enterprise == other.organisations[orgnr]
        assert enterprise.roller
        assert {holding.fnr for holding in enterprise.roller if holding.fnr} <= named
    assert small.organisations[VIKOREN_GARD].organisasjonsform[0] == "ENK"
    assert small.organisations[NESHEIM_SJOMAT].konkurs
    assert small.organisations[DALBY_KORN].under_avvikling
    assert any(h.fratraadt for h in small.organisations[HAUGLAND_FJORFE].roller)


def test_the_readme_names_the_enterprises() -> None:
    readme = (Path(__file__).resolve().parent.parent / "mock_registries" / "README.md").read_text()
    population = build_population(2025, 0)
    for orgnr in ENTERPRISES:
        assert f"| `{orgnr}` | {population.organisations[orgnr].navn} |" in readme


def test_open_roles_name_people_without_their_numbers(
    brreg_url: str, population: Population
) -> None:
    answer = httpx.get(f"{brreg_url}/enhetsregisteret/api/enheter/{STRANDVIK_HAVBRUK}/roller")
    assert _person(population, "Ola Strandvik").fnr not in answer.text
    body = answer.json()
    groups = {g["type"]["kode"]: g for g in body["rollegrupper"]}
    assert set(groups) == {"DAGL", "STYR", "REVI"}
    (auditor,) = groups["REVI"]["roller"]
    assert "person" not in auditor
    assert auditor["enhet"]["organisasjonsnummer"] == FJORD_REVISJON
    assert auditor["enhet"]["navn"] == ["FJORD REVISJON AS"]
    board = [
        (r["type"]["kode"], r["person"]["navn"]["etternavn"]) for r in groups["STYR"]["roller"]
    ]
    assert board == [("LEDE", "Skoglund"), ("MEDL", "Fjellheim")]
    manager = groups["DAGL"]["roller"][0]
    assert manager["type"] == {"kode": "DAGL", "beskrivelse": "Daglig leder/ adm.direktør"}
    assert manager["person"]["fodselsdato"] == "1979-11-02"
    assert manager["fratraadt"] is False
    assert manager["avregistrert"] is False
    assert "fodselsnummer" not in manager["person"]


def test_authorised_roles_need_the_roles_scope_and_add_the_numbers(
    brreg_url: str, keys: KeyStore, population: Population
) -> None:
    path = f"{brreg_url}/enhetsregisteret/autorisert-api/enheter/{VIKOREN_GARD}/roller"
    assert httpx.get(path).status_code == 401
    wrong = httpx.get(path, headers={"Authorization": f"Bearer {_token(keys, 'brreg:losore')}"})
    assert wrong.status_code == 403
    assert wrong.json()["error"] == "Forbidden"
    right = httpx.get(path, headers={"Authorization": f"Bearer {_token(keys, brreg.SCOPE_ROLLER)}"})
    assert right.status_code == 200
    (group,) = right.json()["rollegrupper"]
    assert group["type"]["kode"] == "INNH"
    solveig = _person(population, "Solveig Vikøren")
    assert group["roller"][0]["person"]["fodselsnummer"] == solveig.fnr


def test_roles_of_unknown_removed_and_invalid_organisations(brreg_url: str) -> None:
    base = f"{brreg_url}/enhetsregisteret/api/enheter"
    assert httpx.get(f"{base}/{TINDEVIK}/roller").json()["slettedato"] == "2021-03-01"
    assert httpx.get(f"{base}/999999998/roller").status_code == 400  # check digit wrong
    unknown = httpx.get(f"{base}/{UNREGISTERED_ORGANISATION}/roller")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "Not Found"
    banks = httpx.get(f"{base}/{FJORDKYST}/roller").json()
    assert banks == {"rollegrupper": []}


@pytest.mark.parametrize(
    ("orgnr", "name", "authority"),
    [(VIKOREN_GARD, "Solveig Vikøren", "INNH"),
     (STRANDVIK_HAVBRUK, "Ola Strandvik", "DAGL"),
     (STRANDVIK_HAVBRUK, "Jon Skoglund", "LEDE"),
     (STRANDVIK_HAVBRUK, "Kari Fjellheim", None),  # a board member: no authority
     (HAUGLAND_FJORFE, "Ingrid Haugland", None),  # her role has ended
     (HAUGLAND_FJORFE, "Lars Bergset", "DAGL"),
     (VIKOREN_GARD, "Ola Strandvik", None)],  # no role at all
)  # fmt: skip
def test_the_connector_finds_who_may_act_for_each_enterprise(
    client: BrregClient, population: Population, orgnr: str, name: str, authority: str | None
) -> None:
    fnr = _person(population, name).fnr
    roller = client.roller(orgnr)
    role = roller.authority_of(fnr)
    assert (role.kode if role else None) == authority
    if role is not None:
        assert role.person is not None
        assert role.person.navn.fullt_navn == name
        assert role.kode in AUTHORITY_ROLE_CODES


def test_a_role_held_by_an_organisation_gives_no_person_authority(client: BrregClient) -> None:
    roller = client.roller(STRANDVIK_HAVBRUK)
    (auditor,) = [r for r in roller.alle if r.kode == "REVI"]
    assert auditor.person is None
    assert auditor.enhet is not None
    assert auditor.enhet.organisasjonsnummer == FJORD_REVISJON
    assert not auditor.gives_authority


def test_an_ended_role_is_listed_but_gives_no_authority(
    client: BrregClient, population: Population
) -> None:
    ingrid = _person(population, "Ingrid Haugland").fnr
    (ended,) = client.roller(HAUGLAND_FJORFE).roles_of(ingrid)
    assert ended.kode == "DAGL"
    assert ended.fratraadt
    assert not ended.gives_authority


def test_bankrupt_and_wound_up_enterprises_list_roles_but_are_not_in_good_standing(
    client: BrregClient, population: Population
) -> None:
    for orgnr, name in ((NESHEIM_SJOMAT, "Astrid Nesheim"), (DALBY_KORN, "Per Dalby")):
        assert client.roller(orgnr).authority_of(_person(population, name).fnr) is not None
        assert not client.enhet(orgnr).in_good_standing
    assert client.enhet(NESHEIM_SJOMAT).konkurs
    assert client.enhet(DALBY_KORN).under_avvikling
    assert client.enhet(STRANDVIK_HAVBRUK).in_good_standing


def test_the_connector_maps_unknown_removed_and_invalid_organisations(
    client: BrregClient,
) -> None:
    with pytest.raises(OrganisationNotFound):
        client.roller(UNREGISTERED_ORGANISATION)
    with pytest.raises(OrganisationRemoved) as removed:
        client.roller(TINDEVIK)
    assert removed.value.removed_on == date(2021, 3, 1)
    with pytest.raises(RequestRejected):
        client.roller("999999998")


def test_the_connector_reports_a_token_without_the_roles_scope(
    brreg_url: str, keys: KeyStore
) -> None:
    signer = RegistryTokenSigner(keys, issuer="http://gateway.test", audience="https://elsewhere")
    connector = BrregClient(brreg_url, signer, FAST)
    with pytest.raises(CredentialsRejected) as raised:
        connector.roller(VIKOREN_GARD)
    connector.close()
    assert raised.value.status == 401
    assert brreg_connector.SCOPE_ROLLER == brreg.SCOPE_ROLLER


def test_charges_on_an_enterprise_and_none_of_its_owners_own(
    client: BrregClient, population: Population
) -> None:
    farm = client.rettsstiftelser_orgnr(VIKOREN_GARD)
    assert farm.antall_rettsstiftelser == 1
    (charge,) = farm.rettsstiftelser
    assert charge.type == "DRIFTSTILBEHOERSPANT"
    debtor, creditor = charge.roller
    assert (debtor.rolleinnehaver_type, debtor.identifikator) == ("VIRKSOMHET", VIKOREN_GARD)
    assert creditor.navn == "VIDDA SPAREBANK"
    assert [r.type for r in client.rettsstiftelser_orgnr(STRANDVIK_HAVBRUK).rettsstiftelser] == [
        "VARELAGERPANT",
        "FACTORINGPANT",
    ]
    assert client.rettsstiftelser_orgnr(HAUGLAND_FJORFE).antall_rettsstiftelser == 0
    owner = _person(population, "Solveig Vikøren").fnr
    assert client.rettsstiftelser(owner).antall_rettsstiftelser == 0
    with pytest.raises(RequestRejected):
        client.rettsstiftelser_orgnr("999999998")
