"""Log lines are JSON, carry the request id, and never carry a national identity number."""

from __future__ import annotations

import json

import pytest
import structlog
from fastapi.testclient import TestClient

from gateway.logging import REDACTED, configure_logging, redact_identity_numbers


@pytest.mark.parametrize(
    "text",
    ["21818297804", "fnr=21818297804 and more", "218182 97804", "218182-97804", "x21818297804y"],
)
def test_identity_numbers_are_redacted(text: str) -> None:
    redacted = redact_identity_numbers(text)
    assert "97804" not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize("text", ["974760673", "2024-05-01", "123456789012", "amount 1234567"])
def test_other_numbers_are_kept(text: str) -> None:
    assert redact_identity_numbers(text) == text


def test_log_lines_are_json_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info")
    structlog.get_logger("test").info(
        "looked_up", person="21818297804", nested={"ids": ["21818297804"]}, number=21818297804
    )
    line = capsys.readouterr().out.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "looked_up"
    assert "21818297804" not in line
    assert record["person"] == REDACTED
    assert record["number"] == REDACTED


def test_request_log_names_the_route_not_the_path(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/people/21818297804", headers={"x-request-id": "req-logged-1"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    request_lines = [line for line in lines if line.get("event") == "request"]
    assert request_lines
    assert request_lines[-1]["request_id"] == "req-logged-1"
    assert request_lines[-1]["status"] == 404
    assert "21818297804" not in json.dumps(lines)
