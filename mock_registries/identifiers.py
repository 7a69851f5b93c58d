"""The registries' own check of Norwegian identifiers, as the real registries have theirs.

The mocks play the outside world, so they do not borrow the gateway's domain code:
this module answers only what the mocks ask (is this number valid, is it a synthetic
test identity) and makes the numbers of the synthetic population. A test checks that
it agrees with the gateway's consent.identifiers on every number.

Organisation number: 9 digits, mod-11 check digit with weights 3,2,7,6,5,4,3,2.
National identity number: DDMMYYIIIKK, two mod-11 check digits; a D-number adds 40 to
the day, a synthetic test identity (Tenor) adds 80 to the month. Error messages never
repeat the number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ORGANISATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
FIRST_CHECK_DIGIT_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_CHECK_DIGIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
D_NUMBER_DAY_OFFSET = 40
SYNTHETIC_MONTH_OFFSET = 80


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit of `digits`, or None when no digit fits."""
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def _digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def is_valid_organisation_number(value: str) -> bool:
    return _digits(value, 9) and _mod11(value[:8], ORGANISATION_NUMBER_WEIGHTS) == int(value[8])


def organisation_number(base: str) -> str:
    """The valid organisation number for an 8-digit base; ValueError when none exists."""
    if not _digits(base, 8):
        raise ValueError("an organisation number base is 8 digits")
    digit = _mod11(base, ORGANISATION_NUMBER_WEIGHTS)
    if digit is None:
        raise ValueError("no valid organisation number has that base")
    return f"{base}{digit}"


def _check_digits(first_nine: str) -> str | None:
    first = _mod11(first_nine, FIRST_CHECK_DIGIT_WEIGHTS)
    if first is None:
        return None
    second = _mod11(first_nine + str(first), SECOND_CHECK_DIGIT_WEIGHTS)
    return None if second is None else f"{first}{second}"


def _century(year_of_century: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year_of_century >= 54:
        return 1800
    if year_of_century <= 39:
        return 2000
    return 1900 if individual >= 900 else None


@dataclass(frozen=True)
class PersonIdentifier:
    """A valid national identity number; its repr hides the number."""

    value: str = field(repr=False)
    synthetic: bool


def parse_national_identity_number(value: str) -> PersonIdentifier:
    """A fødselsnummer or D-number, synthetic or not; ValueError when invalid."""
    if not _digits(value, 11):
        raise ValueError("a national identity number is 11 digits")
    if _check_digits(value[:9]) != value[9:]:
        raise ValueError("the check digits of the national identity number are wrong")
    day, month, year_of_century = int(value[0:2]), int(value[2:4]), int(value[4:6])
    day -= D_NUMBER_DAY_OFFSET if day > D_NUMBER_DAY_OFFSET else 0
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    month -= SYNTHETIC_MONTH_OFFSET if synthetic else 0
    century = _century(year_of_century, int(value[6:9]))
    if century is None:
        raise ValueError("the individual number of the national identity number is not in use")
    try:
        date(century + year_of_century, month, day)
    except ValueError:
        raise ValueError("the national identity number does not hold a valid date") from None
    return PersonIdentifier(value=value, synthetic=synthetic)


def _individual_range(birth_year: int) -> range:
    if 1900 <= birth_year <= 1999:
        return range(0, 500)
    if 2000 <= birth_year <= 2039:
        return range(500, 1000)
    if 1854 <= birth_year <= 1899:
        return range(500, 750)
    raise ValueError("no individual numbers exist for that birth year")


def synthetic_national_identity_number(
    birth_date: date, sequence: int, *, d_number: bool = False
) -> str:
    """The `sequence`-th valid synthetic number for a birth date (0-based); IndexError past
    the last one. Individual numbers without valid check digits are skipped."""
    day = birth_date.day + (D_NUMBER_DAY_OFFSET if d_number else 0)
    prefix = f"{day:02d}{birth_date.month + SYNTHETIC_MONTH_OFFSET:02d}{birth_date.year % 100:02d}"
    remaining = sequence
    for individual in _individual_range(birth_date.year):
        digits = _check_digits(f"{prefix}{individual:03d}")
        if digits is None:
            continue
        if remaining == 0:
            return f"{prefix}{individual:03d}{digits}"
        remaining -= 1
    raise IndexError("no more synthetic numbers for that birth date")
