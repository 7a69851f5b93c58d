"""The mock registries check identifiers with their own code; it must agree with the domain's."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent import identifiers as domain
from mock_registries import identifiers as mocks

digits = st.text(alphabet="0123456789", min_size=1, max_size=12)
valid_birth_dates = st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31))


def _domain_parse(value: str) -> bool | None:
    try:
        return domain.parse_national_identity_number(value).synthetic
    except ValueError:
        return None


def _mock_parse(value: str) -> bool | None:
    try:
        return mocks.parse_national_identity_number(value).synthetic
    except ValueError:
        return None


@given(digits)
def test_organisation_numbers_agree(value: str) -> None:
    assert mocks.is_valid_organisation_number(value) == domain.is_valid_organisation_number(value)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_generated_organisation_numbers_agree(base: str) -> None:
    try:
        expected: str | None = domain.organisation_number(base)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match="no valid organisation number"):
            mocks.organisation_number(base)
    else:
        assert mocks.organisation_number(base) == expected


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_national_identity_numbers_agree(value: str) -> None:
    assert _mock_parse(value) == _domain_parse(value)


@given(valid_birth_dates, st.integers(min_value=0, max_value=60), st.booleans())
def test_synthetic_numbers_agree_and_parse(birth: date, sequence: int, d_number: bool) -> None:
    made = mocks.synthetic_national_identity_number(birth, sequence, d_number=d_number)
    assert made == domain.synthetic_national_identity_number(birth, sequence, d_number=d_number)
    assert _domain_parse(made) is True


def test_the_mock_hides_the_number_and_refuses_bad_ones() -> None:
    assert "21818297804" not in repr(mocks.parse_national_identity_number("21818297804"))
    for bad in ("21818297805", "2181829780x", "21818297"):
        with pytest.raises(ValueError, match="national identity number") as raised:
            mocks.parse_national_identity_number(bad)
        assert bad not in str(raised.value)
