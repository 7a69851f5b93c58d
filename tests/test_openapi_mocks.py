"""The committed OpenAPI documents of the mock registries match what they serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_registries.apps import OPENAPI_DOCUMENTS, render_openapi

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(OPENAPI_DOCUMENTS))
def test_mock_document_has_not_drifted(name: str) -> None:
    committed = (ROOT / OPENAPI_DOCUMENTS[name]).read_text(encoding="utf-8")
    assert committed == render_openapi(name), "run `make openapi` and commit the result"


def test_mock_documents_use_the_real_paths_and_field_names() -> None:
    skatteetaten = render_openapi("skatteetaten")
    for fragment in (
        "/api/formueinntekt/summertskattegrunnlag/{stadie}/{rettighetspakke}/{inntektsaar}/",
        "/api/innrapportert/inntektsmottaker/{rettighetspakke}/{personidentifikator}/oppgave/inntekt",
        '"tekniskNavn"', '"oppgaveInntektsmottaker"', '"utloeserArbeidsgiveravgift"',
    ):  # fmt: skip
        assert fragment in skatteetaten
    brreg = render_openapi("brreg")
    for fragment in ('"/enhetsregisteret/api/enheter/{organisasjonsnummer}"',
                     '"underTvangsavviklingEllerTvangsopplosning"', '"antallRettsstiftelser"',
                     '"rolleinnehaverType"', '"gjeldsordningsperiodeFraDato"'):  # fmt: skip
        assert fragment in brreg


def test_the_enterprise_registries_use_the_real_paths_and_say_what_is_modelled() -> None:
    brreg = render_openapi("brreg")
    for fragment in ('"/enhetsregisteret/api/enheter/{organisasjonsnummer}/roller"',
                     '"/enhetsregisteret/autorisert-api/enheter/{organisasjonsnummer}/roller"',
                     '"/registerinfo/api/v1/rettsstiftelse/orgnr/{orgnr}"',
                     '"rollegrupper"', '"fratraadt"', '"avregistrert"',
                     '"fodselsnummer"'):  # fmt: skip
        assert fragment in brreg
    fiskeri = render_openapi("fiskeri")
    for fragment in ('"/pub-aqua/api/v1/licenses/{license_nr}/transfers"',
                     '"/pub-aqua/api/v1/entities/sites-by-entity-nr/{entity_nr}"',
                     '"openLegalEntityNr"', '"grantInformation"', '"productionStageValue"',
                     '"range"', '"beholdningKg"', "modelled"):  # fmt: skip
        assert fragment in fiskeri
    landbruk = render_openapi("landbruk")
    for fragment in ('"telledato"', '"dekar"', '"utbetaltBelop"', "modelled",
                     "No public API specification"):  # fmt: skip
        assert fragment in landbruk
