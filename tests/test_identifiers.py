"""Identifier validators, checked against independent rules and known numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.identifiers import (
    IdentityKind,
    check_digits,
    is_valid_national_identity_number,
    is_valid_organisation_number,
    organisation_number,
    parse_national_identity_number,
    synthetic_national_identity_number,
)

# Known numbers: the Tax Administration's published synthetic example and the
# Brønnøysund Register Centre's own organisation number.
KNOWN_SYNTHETIC = "21818297804"
KNOWN_ORGANISATION = "974760673"


def _reference_check(digits: str, weights: list[int]) -> int:
    # Written independently of the module under test, straight from the rule.
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return (11 - remainder) % 11  # 11 -> 0; 10 stays 10 (invalid)


def _reference_fnr_valid(value: str) -> bool:
    k1 = _reference_check(value[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = _reference_check(value[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k1 != 10 and k2 != 10 and value[9] == str(k1) and value[10] == str(k2)


def test_known_numbers() -> None:
    parsed = parse_national_identity_number(KNOWN_SYNTHETIC)
    assert parsed.synthetic
    assert parsed.kind is IdentityKind.FNR
    assert parsed.birth_date == date(1982, 1, 21)
    assert is_valid_organisation_number(KNOWN_ORGANISATION)
    assert not is_valid_organisation_number("974760674")
    assert not is_valid_national_identity_number(KNOWN_SYNTHETIC, allow_synthetic=False)


def test_error_messages_never_repeat_the_number() -> None:
    for bad in ("21818297805", "3213829780x", "00000000000", "21818297"):
        with pytest.raises(ValueError, match=r"national identity number") as raised:
            parse_national_identity_number(bad)
        assert bad not in str(raised.value)
    assert KNOWN_SYNTHETIC not in repr(parse_national_identity_number(KNOWN_SYNTHETIC))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_organisation_number_matches_the_rule(value: str) -> None:
    expected = _reference_check(value[:8], [3, 2, 7, 6, 5, 4, 3, 2])
    assert is_valid_organisation_number(value) == (expected != 10 and value[8] == str(expected))


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_generated_organisation_numbers_are_valid(base: str) -> None:
    try:
        number = organisation_number(base)
    except ValueError:
        assert _reference_check(base, [3, 2, 7, 6, 5, 4, 3, 2]) == 10
        return
    assert is_valid_organisation_number(number)


@given(st.text(min_size=0, max_size=12))
def test_anything_but_digits_of_the_right_length_is_refused(value: str) -> None:
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        assert not is_valid_organisation_number(value)
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        assert not is_valid_national_identity_number(value)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digits_follow_the_rule(value: str) -> None:
    if not _reference_fnr_valid(value):
        assert not is_valid_national_identity_number(value)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2039, 12, 31)),
    st.integers(min_value=0, max_value=200),
    st.booleans(),
)
def test_synthetic_numbers_round_trip(birth_date: date, sequence: int, d_number: bool) -> None:
    value = synthetic_national_identity_number(birth_date, sequence, d_number=d_number)
    assert _reference_fnr_valid(value)
    assert int(value[2:4]) > 80
    parsed = parse_national_identity_number(value)
    assert parsed.synthetic
    assert parsed.birth_date == birth_date
    assert parsed.kind is (IdentityKind.DNR if d_number else IdentityKind.FNR)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2039, 12, 31)), st.booleans())
def test_real_numbers_are_not_synthetic(birth_date: date, d_number: bool) -> None:
    synthetic = synthetic_national_identity_number(birth_date, 0, d_number=d_number)
    # Take the month offset away and recompute the check digits: a real-form number.
    first_nine = synthetic[:2] + f"{birth_date.month:02d}" + synthetic[4:9]
    digits = check_digits(first_nine)
    if digits is None:
        return
    parsed = parse_national_identity_number(first_nine + digits)
    assert not parsed.synthetic
    assert parsed.birth_date == birth_date
    assert parsed.kind is (IdentityKind.DNR if d_number else IdentityKind.FNR)
    assert is_valid_national_identity_number(first_nine + digits, allow_synthetic=False)
    assert not is_valid_national_identity_number(synthetic, allow_synthetic=False)


def test_impossible_dates_are_refused() -> None:

    first_nine = "310282" + "123"  # 31 February
    digits = check_digits(first_nine)
    assert digits is not None
    with pytest.raises(ValueError, match="valid date"):
        parse_national_identity_number(first_nine + digits)
