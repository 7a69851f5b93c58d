"""May this person consent on behalf of this organisation, now?

The rule mirrors who Altinn 3 grants the access packages for agriculture and
aquaculture (``urn:altinn:accesspackage:jordbruk``, ``...:akvakultur``): a
person listed in Enhetsregisteret in one of :data:`AUTHORISING_ROLES`, whose
role has not ended (``fratraadt``) or been deregistered, in an organisation
that is registered, not bankrupt and not being wound up. The gateway reads
the organisation and its roles from the registry when the person answers and
asks :func:`authority`; nothing here does any I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# Daglig leder, styrets leder, innehaver, deltakere med delt/solidarisk ansvar,
# komplementar, bestyrende reder, norsk representant for utenlandsk enhet, bostyrer.
AUTHORISING_ROLES: frozenset[str] = frozenset(
    {"DAGL", "LEDE", "INNH", "DTPR", "DTSO", "KOMP", "BEST", "REPR", "BOBE"}
)
# When a person holds several authorising roles, the receipt names the first of these.
_ROLE_PREFERENCE = ("INNH", "DAGL", "LEDE", "DTPR", "DTSO", "KOMP", "BEST", "REPR", "BOBE")


@dataclass(frozen=True)
class Organisation:
    """What Enhetsregisteret says of the organisation; None stands for "unknown to it"."""

    organisation_number: str
    name: str
    removed: bool = False  # slettet: gone from the register
    bankrupt: bool = False  # konkurs
    being_wound_up: bool = False  # under avvikling, or tvangsavvikling/tvangsoppløsning


@dataclass(frozen=True)
class HeldRole:
    """One role in the organisation held by a natural person, as the authorised API lists it."""

    code: str  # DAGL, LEDE, MEDL, ...
    national_identity_number: str | None
    resigned: bool = False  # fratraadt
    deregistered: bool = False  # avregistrert


class AuthorityRefusalReason(StrEnum):
    ORGANISATION_UNKNOWN = "organisation-unknown"
    ORGANISATION_REMOVED = "organisation-removed"
    ORGANISATION_BANKRUPT = "organisation-bankrupt"
    ORGANISATION_BEING_WOUND_UP = "organisation-being-wound-up"
    ROLE_ENDED = "role-ended"  # held an authorising role, no longer
    NO_AUTHORITY = "no-authority"  # no role, or only roles that give no authority


@dataclass(frozen=True)
class Authority:
    """The person may consent for the organisation, by virtue of `role`."""

    organisation_number: str
    organisation_name: str
    role: str

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class AuthorityRefusal:
    reason: AuthorityRefusalReason

    def __bool__(self) -> bool:
        return False


def authority(
    person: str, organisation: Organisation | None, roles: Sequence[HeldRole]
) -> Authority | AuthorityRefusal:
    if organisation is None:
        return AuthorityRefusal(AuthorityRefusalReason.ORGANISATION_UNKNOWN)
    if organisation.removed:
        return AuthorityRefusal(AuthorityRefusalReason.ORGANISATION_REMOVED)
    if organisation.bankrupt:
        return AuthorityRefusal(AuthorityRefusalReason.ORGANISATION_BANKRUPT)
    if organisation.being_wound_up:
        return AuthorityRefusal(AuthorityRefusalReason.ORGANISATION_BEING_WOUND_UP)
    own = [
        role
        for role in roles
        if role.national_identity_number == person and role.code in AUTHORISING_ROLES
    ]
    current = {role.code for role in own if not role.resigned and not role.deregistered}
    if not current:
        reason = AuthorityRefusalReason.ROLE_ENDED if own else AuthorityRefusalReason.NO_AUTHORITY
        return AuthorityRefusal(reason)
    role = next(code for code in _ROLE_PREFERENCE if code in current)
    return Authority(organisation.organisation_number, organisation.name, role)


# The roles' names, as the receipt and the pages say them.
ROLE_NAMES: dict[str, dict[str, str]] = {
    "DAGL": {"nb": "daglig leder", "en": "chief executive officer"},
    "LEDE": {"nb": "styrets leder", "en": "chair of the board"},
    "INNH": {"nb": "innehaver", "en": "proprietor"},
    "DTPR": {"nb": "deltaker med proratarisk ansvar", "en": "partner with pro rata liability"},
    "DTSO": {"nb": "deltaker med solidarisk ansvar", "en": "partner with joint liability"},
    "KOMP": {"nb": "komplementar", "en": "general partner"},
    "BEST": {"nb": "bestyrende reder", "en": "managing shipowner"},
    "REPR": {"nb": "norsk representant", "en": "Norwegian representative"},
    "BOBE": {"nb": "bostyrer", "en": "estate administrator"},
}


def role_name(code: str, language: str) -> str:
    names = ROLE_NAMES.get(code)
    if names is None:
        return code
    return names.get(language, names["en"])


def on_behalf_of(name: str, organisation_number: str, role: str, language: str) -> str:
    """ "on behalf of NAME (orgnr), as ROLE", in bokmål or English."""
    if language == "en":
        return f"on behalf of {name} ({organisation_number}), as {role_name(role, 'en')}"
    return f"på vegne av {name} ({organisation_number}), som {role_name(role, 'nb')}"
