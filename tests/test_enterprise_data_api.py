"""A bank reads an enterprise's data under the enterprise's consent, end to end over real HTTP
with every mock registry running; a consent reads its own party's data and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from samtykke_client import SamtykkeClient, SamtykkeError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.audit.models import AuditEntry
from mock_registries.population import STRANDVIK_HAVBRUK, VIKOREN_GARD
from tests.enterprise_env import SLOW_MACHINE, EnterpriseWorld, enterprise_world, log_in_at

OLA, SOLVEIG = "02917900038", "21896600041"
ROUNDS = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"}
MONTHS = {"fraogmed": "2025-01", "tilogmed": "2025-06"}


@pytest.fixture
def world(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[EnterpriseWorld]:
    with enterprise_world(database_url, engine, tmp_path / "keys") as world:
        yield world


def _token(
    world: EnterpriseWorld,
    person: str,
    products: list[str],
    metadata: dict[str, str],
    enterprise: str | None,
) -> dict[str, Any]:
    """The code flow, answered yes on the consent page: the bank's token."""
    asking = {"from": f"urn:altinn:organization:identifier-no:{enterprise}"} if enterprise else {}
    asked = world.push(products, metadata, **asking)
    with httpx.Client(timeout=SLOW_MACHINE) as browser:
        page = log_in_at(browser, asked.url, person)
        assert page.status_code == 200, page.text
        answered = world.answer(browser, page, "accept")
    assert answered.status_code == 303, answered.text
    return world.token(asked, answered.headers["location"])


def _subjects(engine: Engine, consent_id: str) -> set[str | None]:
    with Session(engine) as session:
        return set(
            session.scalars(
                select(AuditEntry.subject).where(
                    AuditEntry.consent_id == consent_id, AuditEntry.event_type.like("data:%")
                )
            )
        )


def test_a_farms_subsidies_liens_and_owners_tax(world: EnterpriseWorld) -> None:
    products = [
        "ldir-samtykke-produksjonstilskudd",
        "brreg-samtykke-losore-rettsstiftelser-virksomhet",
        "ske-samtykke-sbl-summert-skattegrunnlag-enk",
    ]
    token = _token(world, SOLVEIG, products, {**ROUNDS, "inntektsaar": "2025"}, VIKOREN_GARD)
    [detail] = token["authorization_details"]

    subsidies = world.fetch(token, "/data/v1/produksjonstilskudd")
    assert subsidies.status_code == 200, subsidies.text
    data = subsidies.json()["data"]
    assert data["organisasjonsnummer"] == VIKOREN_GARD
    assert [s["telledato"] for s in data["soknader"]] == ["2025-03-01", "2025-10-01"]
    october = data["soknader"][1]
    assert sum(areal["dekar"] for areal in october["arealer"]) > 0
    assert {dyr["dyrekode"] for dyr in october["dyr"]} >= {"MELKEKYR"}
    assert october["vedtak"]["utbetaltBelop"] > 0
    # One round within the consented ones; a round outside them is refused.
    one = world.fetch(
        token,
        "/data/v1/produksjonstilskudd",
        fraogmedomgang="2025-10",
        tilogmedomgang="2025-10",
    )
    assert [s["telledato"] for s in one.json()["data"]["soknader"]] == ["2025-10-01"]
    wider = world.fetch(
        token,
        "/data/v1/produksjonstilskudd",
        fraogmedomgang="2024-10",
        tilogmedomgang="2025-10",
    )
    assert wider.status_code == 403
    assert wider.json()["code"] == "metadata-not-covered"

    liens = world.fetch(token, "/data/v1/rettsstiftelser-virksomhet")
    assert liens.status_code == 200, liens.text
    assert set(liens.json()["data"]) == {"antallRettsstiftelser", "rettsstiftelser"}

    tax = world.fetch(token, "/data/v1/summertskattegrunnlag-enk")
    assert tax.status_code == 200, tax.text
    # The ENK's tax base is its owner's: the person who consented as innehaver.
    assert tax.json()["data"]["personidentifikator"] == SOLVEIG
    assert tax.json()["data"]["inntektsaar"] == 2025

    bundle = world.fetch(token, "/data/v1/loan-application")
    assert bundle.status_code == 200, bundle.text
    assert bundle.json()["complete"] is True
    assert _subjects(world.engine, detail["id"]) == {VIKOREN_GARD}


def test_a_fish_farms_licences_and_biomass(world: EnterpriseWorld) -> None:
    products = ["fdir-akvakultur-tillatelser", "fdir-samtykke-akvakultur-biomasse"]
    token = _token(world, OLA, products, MONTHS, STRANDVIK_HAVBRUK)
    licences = world.fetch(token, "/data/v1/akvakultur/tillatelser")
    assert licences.status_code == 200, licences.text
    records = licences.json()["data"]["tillatelser"]
    assert records
    assert {r["license"]["openLegalEntityNr"] for r in records} == {STRANDVIK_HAVBRUK}
    assert all("liens" in r and "transfers" in r for r in records)
    biomass = world.fetch(token, "/data/v1/akvakultur/biomasse")
    assert biomass.status_code == 200, biomass.text
    data = biomass.json()["data"]
    assert data["organisasjonsnummer"] == STRANDVIK_HAVBRUK
    assert (data["fraOgMed"], data["tilOgMed"]) == ("2025-01", "2025-06")
    months = {m["maaned"] for site in data["lokaliteter"] for m in site["maaneder"]}
    assert months == {f"2025-0{n}" for n in range(1, 7)}


def test_an_enterprises_consent_never_reads_the_persons_own_data(
    world: EnterpriseWorld,
) -> None:
    token = _token(
        world, OLA, ["brreg-samtykke-losore-rettsstiftelser-virksomhet"], {}, STRANDVIK_HAVBRUK
    )
    for path in ("/data/v1/rettsstiftelser", "/data/v1/summertskattegrunnlag"):
        refused = world.fetch(token, path)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "product-not-covered"
    # Nor the owner's tax of an ENK, which only the innehaver's consent covers.
    refused = world.fetch(token, "/data/v1/summertskattegrunnlag-enk")
    assert refused.status_code == 403


def test_a_persons_consent_never_reads_an_enterprises_data(world: EnterpriseWorld) -> None:
    token = _token(world, OLA, ["brreg-samtykke-losore-rettsstiftelser"], {}, enterprise=None)
    [detail] = token["authorization_details"]
    assert detail["from"] == f"urn:altinn:person:identifier-no:{OLA}"
    own = world.fetch(token, "/data/v1/rettsstiftelser")
    assert own.status_code == 200, own.text
    for path in (
        "/data/v1/rettsstiftelser-virksomhet",
        "/data/v1/akvakultur/tillatelser",
        "/data/v1/akvakultur/biomasse",
        "/data/v1/produksjonstilskudd",
    ):
        refused = world.fetch(token, path)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "product-not-covered"
    assert _subjects(world.engine, detail["id"]) == {OLA}


def test_a_consent_for_one_enterprise_never_reads_another(world: EnterpriseWorld) -> None:
    farm = _token(
        world, SOLVEIG, ["brreg-samtykke-losore-rettsstiftelser-virksomhet"], {}, VIKOREN_GARD
    )
    fish = _token(
        world, OLA, ["brreg-samtykke-losore-rettsstiftelser-virksomhet"], {}, STRANDVIK_HAVBRUK
    )
    [farm_detail], [fish_detail] = farm["authorization_details"], fish["authorization_details"]
    for token in (farm, fish):
        assert world.fetch(token, "/data/v1/rettsstiftelser-virksomhet").status_code == 200
    assert _subjects(world.engine, farm_detail["id"]) == {VIKOREN_GARD}
    assert _subjects(world.engine, fish_detail["id"]) == {STRANDVIK_HAVBRUK}
    # A token asked for with one enterprise's consent and the other enterprise's name.
    oauth = world.oauth_client()
    token_url = world.metadata["token_endpoint"]
    crossed = oauth.request(
        "POST",
        token_url,
        data={
            "grant_type": "client_credentials",
            "scope": "samtykke:data",
            "authorization_details": json.dumps(
                [
                    {
                        "type": "urn:samtykke:consent",
                        "id": farm_detail["id"],
                        "from": f"urn:altinn:organization:identifier-no:{STRANDVIK_HAVBRUK}",
                    }
                ]
            ),
        },
        auth=oauth.client_auth(oauth.token_endpoint_auth_method),
        headers={"DPoP": world.bank.proof(url=token_url)},
        withhold_token=True,
    )
    oauth.close()
    assert crossed.status_code == 400, crossed.text
    assert "consent_other_person" in crossed.text


def test_the_client_library_reads_an_enterprises_data(world: EnterpriseWorld) -> None:
    token = _token(
        world,
        OLA,
        ["fdir-akvakultur-tillatelser", "fdir-samtykke-akvakultur-biomasse"],
        MONTHS,
        STRANDVIK_HAVBRUK,
    )
    [detail] = token["authorization_details"]
    with SamtykkeClient(
        world.gateway_url,
        client_id=world.bank.client_id,
        private_jwk=world.bank.key.as_dict(private=True),
    ) as client:
        licences = client.akvakultur_tillatelser(detail["id"], STRANDVIK_HAVBRUK)
        biomass = client.akvakultur_biomasse(
            detail["id"], STRANDVIK_HAVBRUK, fraogmed="2025-03", tilogmed="2025-04"
        )
        with pytest.raises(SamtykkeError) as refused:
            client.produksjonstilskudd(detail["id"], STRANDVIK_HAVBRUK, **ROUNDS)
    assert licences["data"]["tillatelser"]
    assert (biomass["data"]["fraOgMed"], biomass["data"]["tilOgMed"]) == ("2025-03", "2025-04")
    assert refused.value.code == "product-not-covered"
