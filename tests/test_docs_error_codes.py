"""The documents list every stable error code the gateway can answer with.

Codes are collected from the code itself, so a new code without a line in
docs/ fails this test:

- problem+json codes (RFC 9457 `code`): string literals given to
  `ProblemError`, `ConsentError`, `MetadataError` and their helpers, codes
  written next to an HTTP status in a table (`404: ("not-found", …)`,
  `(Kind, 503, "registry-unavailable", …)`), and the domain's code tables
  (transition refusals, policy refusal reasons);
- OAuth errors (RFC 6749 `error`): the `error` of every Authlib error class
  the gateway's OAuth modules use, and the `consent_error` reasons.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest
from authlib.oauth2.base import OAuth2Error

from consent.consents.states import REFUSAL_CODES
from consent.policy import RefusalReason

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

_CODE = r'"([a-z]+(?:-[a-z]+)*)"'
_PROBLEM_PATTERNS = [
    # ProblemError(403, "party-mismatch", …), ConsentError("expired", …), _invalid("…", …)
    re.compile(
        r"\b(?:ProblemError|ConsentError|MetadataError|_invalid|_refused|AuditedRefusal)\(\s*"
        r"(?:[45]\d\d,\s*)?" + _CODE
    ),
    # a status and a code side by side in a table: 404: ("not-found", …) or 503, "…"
    re.compile(r"\b[45]\d\d\s*[,:]\s*\(?\s*" + _CODE),
]


def _python_sources(*packages: str) -> list[Path]:
    return [path for package in packages for path in sorted((ROOT / package).rglob("*.py"))]


def problem_codes() -> set[str]:
    codes: set[str] = set()
    for path in _python_sources("gateway", "consent"):
        text = path.read_text(encoding="utf-8")
        for pattern in _PROBLEM_PATTERNS:
            codes.update(pattern.findall(text))
    codes.update(REFUSAL_CODES.values())
    codes.update(reason.value for reason in RefusalReason)
    return codes


def _oauth_modules() -> list[ModuleType]:
    try:
        package = importlib.import_module("gateway.oauth")
    except ModuleNotFoundError:
        return []
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix="gateway.oauth.")
    ]


def oauth_errors() -> set[str]:
    errors: set[str] = set()
    for module in _oauth_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, OAuth2Error) and value.error:
                errors.add(str(value.error))
        refusals = getattr(module, "REFUSALS", None)
        if isinstance(refusals, dict):
            errors.update(str(reason) for reason in refusals)
    return errors


def documented_codes() -> set[str]:
    """Codes written in backticks in the first cell of a table row of docs/*.md."""
    codes: set[str] = set()
    for path in DOCS.glob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\|\s*`([a-z_-]+)`", line)
            if match:
                codes.add(match.group(1))
    return codes


def test_the_scan_finds_codes_of_every_kind() -> None:
    # Guards the scanner: had a pattern stopped matching, the test below would pass vacuously.
    found = problem_codes()
    assert {"not-found", "party-mismatch", "invalid-metadata", "cannot-revoke"} <= found
    assert {"bad-request", "database-unavailable", "proof-unavailable"} <= found


@pytest.mark.parametrize(("kind", "collect"), [("problem", problem_codes), ("oauth", oauth_errors)])
def test_every_error_code_is_documented(kind: str, collect: object) -> None:
    assert callable(collect)
    missing = sorted(set(collect()) - documented_codes())
    assert not missing, f"{kind} codes with no row in a docs/*.md table: {missing}"
