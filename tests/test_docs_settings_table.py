"""The README's configuration table is the one rendered from the settings class."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli.config import TABLE_END, TABLE_START, settings_table, with_settings_table
from gateway.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_has_not_drifted() -> None:
    committed = README.read_text(encoding="utf-8")
    assert committed == with_settings_table(committed), "run `make docs` and commit the result"


def test_every_setting_has_a_row_with_its_variable_and_description() -> None:
    table = settings_table()
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"| `SAMTYKKE_{name.upper()}` |" in table
        assert field.description in table


def test_rewriting_replaces_only_what_is_between_the_markers() -> None:
    document = f"before\n{TABLE_START}\nstale\n{TABLE_END}\nafter\n"
    rewritten = with_settings_table(document)
    assert rewritten.startswith(f"before\n{TABLE_START}\n\n| environment variable |")
    assert rewritten.endswith(f"\n{TABLE_END}\nafter\n")
    assert "stale" not in rewritten


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="substring not found"):
        with_settings_table("no table here\n")
