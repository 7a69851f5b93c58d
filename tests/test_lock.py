"""The lock files pin what pyproject.toml asks for, so installs from them are the project's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s;\\]+)", re.MULTILINE)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked(path: Path) -> dict[str, str]:
    text = path.read_text()
    assert "--hash=sha256:" in text
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(text)}


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"runtime": project["dependencies"], "dev": project["optional-dependencies"]["dev"]}


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("requirements.lock", ["runtime"]), ("requirements-dev.lock", ["runtime", "dev"])],
)
def test_every_dependency_is_locked_at_its_pinned_version(lock: str, groups: list[str]) -> None:
    locked = _locked(ROOT / lock)
    project = _project()
    for requirement in (r for group in groups for r in project[group]):
        name = _name(requirement)
        assert name in locked, f"{name} is not in {lock}: run `make lock`"
        pinned = re.search(r"==([^\s;]+)", requirement)
        if pinned:
            assert locked[name] == pinned.group(1), f"{name} in {lock}: run `make lock`"


def test_the_client_librarys_dependencies_are_in_the_dev_lock() -> None:
    client = tomllib.loads((ROOT / "client" / "pyproject.toml").read_text())["project"]
    locked = _locked(ROOT / "requirements-dev.lock")
    assert {_name(r) for r in client["dependencies"]} <= set(locked)


def _direct(path: Path) -> set[str]:
    """The packages a lock says pyproject.toml asked for (uv's `# via` notes)."""
    direct: set[str] = set()
    current = ""
    for line in path.read_text().splitlines():
        pinned = PIN.match(line)
        if pinned:
            current = pinned.group(1).lower().replace("_", "-")
        elif "samtykke (pyproject.toml)" in line:
            direct.add(current)
    return direct


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("requirements.lock", ["runtime"]), ("requirements-dev.lock", ["runtime", "dev"])],
)
def test_nothing_is_locked_for_a_dependency_that_is_gone(lock: str, groups: list[str]) -> None:
    project = _project()
    asked = {_name(r) for group in groups for r in project[group]}
    direct = _direct(ROOT / lock)
    assert direct, "the lock names nothing as asked for by pyproject.toml"
    assert direct <= asked, f"{sorted(direct - asked)} in {lock}: run `make lock`"
