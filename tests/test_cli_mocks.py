"""`samtykke mocks serve` and the mocks in `samtykke demo`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.cli import mocks as mocks_cli
from gateway.cli.demo import demo_services

runner = CliRunner()


def test_help_lists_the_mocks_group() -> None:
    result = runner.invoke(app, ["mocks", "--help"])
    assert result.exit_code == 0
    assert "serve" in result.output


def test_mocks_serve_runs_the_mock_package_as_its_own_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []

    def fake_run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[bytes]:
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 3)

    monkeypatch.setattr(mocks_cli.subprocess, "run", fake_run)
    result = runner.invoke(app, ["mocks", "serve", "--host", "127.0.0.2"])
    assert result.exit_code == 3  # the child's status is passed on
    assert seen == [[sys.executable, "-m", "mock_registries", "serve", "--host", "127.0.0.2"]]


def test_the_demo_starts_the_mocks_before_the_gateway() -> None:
    names = [service.name for service in demo_services()]
    assert names.index("mock registries") < names.index("gateway")
    mocks = demo_services()[names.index("mock registries")]
    assert mocks.argv[1:] == ["-m", "mock_registries", "serve"]
    assert mocks.health_url.endswith("/healthz")
