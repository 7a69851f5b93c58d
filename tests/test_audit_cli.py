"""`samtykke audit ...`: sequence, verify (online and offline), export and proof."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from consent.storage.database import create_database_engine
from gateway.cli import app
from gateway.settings import get_settings
from tests.audit_support import append_events, tamper

runner = CliRunner()


@pytest.fixture
def cli_engine(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    monkeypatch.setenv("SAMTYKKE_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("SAMTYKKE_KEY_DIR", str(tmp_path / "keys"))
    get_settings.cache_clear()
    engine = create_database_engine(fresh_database_url, pool_size=1)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    return result.exit_code, result.output


def test_verify_export_and_proof(cli_engine: Engine, tmp_path: Path) -> None:
    ids = append_events(cli_engine, 12)
    assert _run("audit", "sequence") == (0, "sequenced 12 entries\n")
    code, output = _run("audit", "verify")
    assert code == 0, output
    assert "OK: 12 entries and 1 checkpoints verified" in output

    bundle = tmp_path / "bundle"
    assert _run("audit", "export", "--bundle", str(bundle))[0] == 0
    code, output = _run("audit", "verify", "--offline", str(bundle))
    assert code == 0, output
    # The export recorded itself; it waits for the next round, outside this bundle.
    assert "OK: 12 entries" in output

    table = tmp_path / "log.csv"
    assert _run("audit", "export", "--format", "csv", "--output", str(table))[0] == 0
    with table.open(encoding="utf-8") as rows:
        assert [row["entryId"] for row in csv.DictReader(rows)] == ids

    code, output = _run("audit", "proof", ids[4])
    assert code == 0, output
    proof = json.loads(output)
    assert (proof["sequenceNumber"], proof["treeSize"]) == (4, 12)
    assert _run("audit", "proof", "99")[0] == 1


def test_verify_names_the_first_bad_entry(cli_engine: Engine) -> None:
    append_events(cli_engine, 6)
    assert _run("audit", "sequence")[0] == 0
    tamper(
        cli_engine,
        "UPDATE audit_entries SET actor_id = '000000000' WHERE entry_id IN "
        "(SELECT e.entry_id FROM audit_entries e JOIN audit_leaves l ON l.entry_pk = e.id "
        "WHERE l.sequence_number = 3)",
    )
    code, output = _run("audit", "verify")
    assert code == 1
    assert "FAILED at entry #3" in output
