"""Norwegian identifiers: organisation numbers and national identity numbers.

Organisation number: 9 digits; weights 3,2,7,6,5,4,3,2 on the first eight,
check digit = 11 - (sum mod 11), where 11 means 0 and 10 means "no valid
number has this base".

National identity number (fødselsnummer), 11 digits DDMMYYIIIKK: birth
date, individual number (which also tells the century) and two mod-11
check digits. A D-number (for people without a fødselsnummer) adds 4 to the
first digit; a synthetic test identity (Tenor, the test population) adds 80
to the month. A D-number may be synthetic too.

Error messages never repeat the number: it is personal data and messages
end up in logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

ORGANISATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
FIRST_CHECK_DIGIT_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_CHECK_DIGIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
D_NUMBER_DAY_OFFSET = 40
SYNTHETIC_MONTH_OFFSET = 80


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for `digits`, or None when no digit fits (remainder 1)."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def organisation_number_check_digit(base: str) -> int | None:
    """The ninth digit for an 8-digit base, or None when the base has no valid number."""
    if len(base) != 8 or not base.isascii() or not base.isdigit():
        raise ValueError("an organisation number base is 8 digits")
    return _mod11_check_digit(base, ORGANISATION_NUMBER_WEIGHTS)


def is_valid_organisation_number(value: str) -> bool:
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    return organisation_number_check_digit(value[:8]) == int(value[8])


class IdentityKind(StrEnum):
    FNR = "fnr"  # fødselsnummer
    DNR = "dnr"  # D-number


@dataclass(frozen=True)
class NationalIdentityNumber:
    """A parsed, valid national identity number. Its repr hides the number."""

    value: str = field(repr=False)
    kind: IdentityKind
    synthetic: bool
    birth_date: date


def _century(year_of_century: int, individual: int) -> int | None:
    """The century the individual number series assigns, or None for an unused range."""
    if individual <= 499:
        return 1900
    if individual <= 749 and year_of_century >= 54:
        return 1800
    if year_of_century <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def check_digits(first_nine: str) -> str | None:
    """Both check digits for the first nine digits, or None when none fit."""
    first = _mod11_check_digit(first_nine, FIRST_CHECK_DIGIT_WEIGHTS)
    if first is None:
        return None
    second = _mod11_check_digit(first_nine + str(first), SECOND_CHECK_DIGIT_WEIGHTS)
    if second is None:
        return None
    return f"{first}{second}"


def parse_national_identity_number(value: str) -> NationalIdentityNumber:
    """Parse a fødselsnummer or D-number, synthetic or not; ValueError when invalid."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        raise ValueError("a national identity number is 11 digits")
    if check_digits(value[:9]) != value[9:]:
        raise ValueError("the check digits of the national identity number are wrong")
    day, month, year_of_century = int(value[0:2]), int(value[2:4]), int(value[4:6])
    kind = IdentityKind.FNR
    if day > D_NUMBER_DAY_OFFSET:
        kind = IdentityKind.DNR
        day -= D_NUMBER_DAY_OFFSET
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    if synthetic:
        month -= SYNTHETIC_MONTH_OFFSET
    century = _century(year_of_century, int(value[6:9]))
    if century is None:
        raise ValueError("the individual number of the national identity number is not in use")
    try:
        birth_date = date(century + year_of_century, month, day)
    except ValueError:
        raise ValueError("the national identity number does not hold a valid date") from None
    return NationalIdentityNumber(
        value=value, kind=kind, synthetic=synthetic, birth_date=birth_date
    )


def is_valid_national_identity_number(value: str, *, allow_synthetic: bool = True) -> bool:
    try:
        parsed = parse_national_identity_number(value)
    except ValueError:
        return False
    return allow_synthetic or not parsed.synthetic


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
    """The `sequence`-th valid synthetic number for a birth date (0-based).

    Individual numbers whose check digits do not exist are skipped, so every
    sequence number names a distinct, valid identity. IndexError when the
    date has run out of numbers.
    """
    day = birth_date.day + (D_NUMBER_DAY_OFFSET if d_number else 0)
    prefix = f"{day:02d}{birth_date.month + SYNTHETIC_MONTH_OFFSET:02d}{birth_date.year % 100:02d}"
    remaining = sequence
    for individual in _individual_range(birth_date.year):
        first_nine = f"{prefix}{individual:03d}"
        digits = check_digits(first_nine)
        if digits is None:
            continue
        if remaining == 0:
            return first_nine + digits
        remaining -= 1
    raise IndexError("no more synthetic numbers for that birth date")


def organisation_number(base: str) -> str:
    """The valid organisation number for an 8-digit base; ValueError when none exists."""
    digit = organisation_number_check_digit(base)
    if digit is None:
        raise ValueError("no valid organisation number has that base")
    return f"{base}{digit}"
