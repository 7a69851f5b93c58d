"""The committed OpenAPI documents match what the code serves."""

from __future__ import annotations

from pathlib import Path

from gateway.cli.openapi import GATEWAY_DOCUMENT, render_gateway_document

ROOT = Path(__file__).resolve().parent.parent


def test_gateway_document_has_not_drifted() -> None:
    committed = (ROOT / GATEWAY_DOCUMENT).read_text(encoding="utf-8")
    assert committed == render_gateway_document(), "run `make openapi` and commit the result"
