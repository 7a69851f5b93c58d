"""`samtykke demo`'s plan: the services it starts, the lines it prints, the bank it registers.

Nothing here starts the services; the browser test runs them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gateway.cli import demo_bank
from gateway.cli.demo import (
    DEMO_BANK,
    ENTERPRISE_TEST_PERSONS,
    TEST_PERSON,
    demo_services,
    log_path,
    log_tail,
    logs_line,
    startup_lines,
)
from mock_registries.population import Trait, build_population


def test_the_bank_starts_last_and_is_printed_first_with_the_test_person() -> None:
    services = demo_services("admin-token")
    assert [service.name for service in services] == ["mock registries", "gateway", DEMO_BANK]
    bank = services[-1]
    assert bank.argv[1:] == ["-m", "examples.demo_bank"]
    assert bank.health_url == "http://127.0.0.1:8200/healthz"
    assert bank.before_start is not None  # registration happens once the gateway answers

    lines = startup_lines(services)
    assert lines[0] == "Demo bank — start a loan application: http://127.0.0.1:8200"
    assert lines[1] == "Log in as test person: Kari Fjellheim (14838500073)"
    urls = [url for service in services for url in service.urls.values()]
    assert lines[2] == "Demo bank — a loan to a farm or fish farm: http://127.0.0.1:8200/bedrift"
    assert lines[3:5] == [
        "  Agricultural loan: log in as Solveig Vikøren (21896600041) for VIKØREN GARD (911000008)",
        "  Aquaculture loan: log in as Ola Strandvik (02917900038) for STRANDVIK HAVBRUK AS "
        "(911001004)",
    ]
    assert len(lines) == len(urls) + 1 + len(ENTERPRISE_TEST_PERSONS)
    assert all(any(line.endswith(url) for line in lines) for url in urls)


def test_the_enterprise_test_persons_may_consent_for_their_enterprises() -> None:
    population = build_population(2025, 0)
    for _loan, name, number, enterprise, orgnr in ENTERPRISE_TEST_PERSONS:
        person = population.person(number)
        assert person is not None
        assert person.name == name
        organisation = population.organisations[orgnr]
        assert organisation.navn.startswith(enterprise)
        assert any(
            role.fnr == number and role.kode in {"INNH", "DAGL"} and not role.fratraadt
            for role in organisation.roller
        )


def test_the_test_person_is_an_ordinary_named_person_of_the_mocks() -> None:
    name, number = TEST_PERSON
    person = build_population(2025, 0).person(number)
    assert person is not None
    assert person.name == name
    assert person.has(Trait.ORDINARY)


def test_the_bank_makes_its_key_once_and_asks_for_its_registration(tmp_path: Path) -> None:
    env = {**os.environ, "DEMO_BANK_STATE_DIR": str(tmp_path), "DEMO_BANK_PORT": "8299"}
    body = demo_bank.registration_body(env)
    assert body["organisation_number"] == "910000004"
    assert body["redirect_uris"] == ["http://127.0.0.1:8200/return"]
    assert sorted(body["data_products"]) == [
        "brreg-samtykke-losore-rettsstiftelser",
        "brreg-samtykke-losore-rettsstiftelser-virksomhet",
        "brreg-samtykke-svar-gjeldsordning",
        "fdir-akvakultur-tillatelser",
        "fdir-samtykke-akvakultur-biomasse",
        "ldir-samtykke-produksjonstilskudd",
        "ske-samtykke-sbl-inntekt",
        "ske-samtykke-sbl-summert-skattegrunnlag",
        "ske-samtykke-svar-gjeldsgrad",
        "ske-samtykke-svar-inntekt-minst",
    ]
    (key,) = body["jwks"]["keys"]
    assert key["kty"] == "EC"
    assert "d" not in key  # the public half only
    private_key = tmp_path / "private-jwk.json"
    assert stat.S_IMODE(private_key.stat().st_mode) == 0o600
    # The key is made on the first run only.
    assert demo_bank.registration_body(env)["jwks"] == body["jwks"]


def test_each_service_logs_to_its_own_file_under_var_log(tmp_path: Path) -> None:
    """Request logs go to files, so the URL list stays on the screen."""
    services = demo_services("admin-token")
    paths = [log_path(service) for service in services]
    assert [str(path) for path in paths] == [
        "var/log/mock-registries.log",
        "var/log/gateway.log",
        "var/log/demo-bank.log",
    ]
    assert logs_line(services) == "Logs: " + ", ".join(str(path) for path in paths)
    log = tmp_path / "gateway.log"
    log.write_text("".join(f"line {n}\n" for n in range(30)), encoding="utf-8")
    assert log_tail(log, 3) == "line 27\nline 28\nline 29"
    assert log_tail(tmp_path / "missing.log") == ""
