"""samtykke-client is a distribution of its own: it installs into a clean environment with
nothing of the gateway, and its own tests pass there against a running gateway."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from consent.storage.database import create_database_engine
from gateway.audit.sequencing import create_sequencer
from gateway.clients.organisations import Organisation
from gateway.keys import KeyStore
from tests.data_api_env import DataWorld, data_world
from tests.databases import migrated_database

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "client"
# Installing two small packages and their dependencies; generous for a loaded machine.
INSTALL_TIMEOUT_SECONDS = 300
TEST_BANK, TEST_AGENCY = "910002007", "910006002"
ADMIN_TOKEN = "client-distribution-tests"


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new environment with only samtykke-client (from ./client) and pytest in it."""
    where = tmp_path_factory.mktemp("bank-venv")
    venv.EnvBuilder(with_pip=True).create(where / "venv")
    python = where / "venv" / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(CLIENT), "pytest"],
        check=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
        cwd=where,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    return python


def _run(python: Path, code: str, cwd: Path) -> str:
    # Run outside the repository, so nothing of it is importable by path.
    result = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_client_installs_without_any_gateway_code(clean_venv: Path, tmp_path: Path) -> None:
    out = _run(
        clean_venv,
        "import importlib, importlib.metadata as m, importlib.util as u, pkgutil\n"
        "import samtykke_client\n"
        "for info in pkgutil.walk_packages(samtykke_client.__path__, 'samtykke_client.'):\n"
        "    importlib.import_module(info.name)\n"
        "ours = ['gateway', 'consent', 'connectors', 'mock_registries', 'examples', 'samtykke']\n"
        "print(sorted(name for name in ours if u.find_spec(name) is not None))\n"
        "print(sorted(r.split(';')[0].split('>')[0].split('<')[0].split('=')[0].strip()\n"
        "             for r in m.requires('samtykke-client') if 'extra' not in r))\n"
        "print(m.version('samtykke-client') == samtykke_client.__version__)\n"
        "print(samtykke_client.__file__)\n",
        tmp_path,
    )
    importable, requirements, versions_agree, location = out.splitlines()
    assert importable == "[]"
    assert requirements == "['httpx', 'joserfc']"
    assert versions_agree == "True"
    assert "site-packages" in location
    assert (Path(location).parent / "py.typed").is_file()


def test_the_sanity_check_sees_a_module_that_is_there(clean_venv: Path, tmp_path: Path) -> None:
    # The check above would pass vacuously if find_spec could not see anything.
    assert _run(clean_venv, "import importlib.util as u; print(u.find_spec('httpx') is not None)",
                tmp_path).strip() == "True"  # fmt: skip


@contextmanager
def _engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DataWorld]:
    # The client sees the gateway over HTTP only: one database backend is enough here.
    with (
        migrated_database("sqlite", tmp_path) as database_url,
        _engine(database_url) as engine,
        data_world(
            database_url, engine, tmp_path / "keys", monkeypatch, admin_token=ADMIN_TOKEN
        ) as world,
    ):
        world.lookup.add(Organisation(TEST_BANK, "VIDDA SPAREBANK", naeringskode1="64.190"))
        world.lookup.add(Organisation(TEST_AGENCY, "BØLGEN BAKERI AS", naeringskode1="10.710"))
        # The audit log's first entries (the world's bank) under a signed checkpoint, so the
        # agency tests have a tree to prove against without waiting for the sequencer.
        settings = world.app.state.settings
        create_sequencer(engine, KeyStore(tmp_path / "keys"), settings).drain()
        yield world


def test_the_clients_own_tests_pass_against_a_running_gateway(
    clean_venv: Path, world: DataWorld, tmp_path: Path
) -> None:
    result = subprocess.run(
        [clean_venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(CLIENT / "tests")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={
            **{key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
            "SAMTYKKE_GATEWAY_URL": world.gateway_url,
            "SAMTYKKE_ADMIN_TOKEN": ADMIN_TOKEN,
            "SAMTYKKE_TEST_BANK": TEST_BANK,
            "SAMTYKKE_TEST_AGENCY": TEST_AGENCY,
        },
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert sys.executable != str(clean_venv)
