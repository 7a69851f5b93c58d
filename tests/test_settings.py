"""Settings come from SAMTYKKE_ variables, and .env.example names every one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import DeploymentMode, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"SAMTYKKE_{name.upper()}=" in text, name


def test_settings_read_the_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMTYKKE_MODE", "production")
    monkeypatch.setenv("SAMTYKKE_BRREG_BASE_URL", "http://brreg.internal:9000")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.mode is DeploymentMode.PRODUCTION
    assert settings.brreg_base_url == "http://brreg.internal:9000"
    assert not settings.accepts_synthetic_identities


def test_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMTYKKE_MODE", "chaos")
    with pytest.raises(ValueError, match="mode"):
        Settings(_env_file=None)  # type: ignore[call-arg]
