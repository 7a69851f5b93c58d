"""Both languages say the same things: a missing translation would break a page."""

from __future__ import annotations

from consent.consents.states import ConsentStatus
from gateway.citizen.texts import TEXTS


def test_every_text_exists_in_both_languages() -> None:
    assert set(TEXTS["nb"]) == set(TEXTS["en"])


def test_every_status_and_event_has_words() -> None:
    for status in ConsentStatus:
        assert f"status_{status.value}" in TEXTS["nb"]
        assert f"event_{status.value}" in TEXTS["nb"]
