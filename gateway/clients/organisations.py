"""Looking up the organisation behind a client in the Central Coordinating Register.

The gateway depends only on this protocol; the Brønnøysund connector is
adapted to it, and tests use a small in-memory register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# NACE 64.1 (monetary intermediation: banks) and 64.9 (other financial services: lenders).
FINANCIAL_INSTITUTION_NACE_PREFIXES = ("64.1", "64.9")


@dataclass(frozen=True)
class Organisation:
    """The fields of an Enhetsregisteret entry that decide whether it may be a client."""

    organisasjonsnummer: str
    navn: str
    naeringskode1: str | None = None  # naeringskode1.kode, e.g. "64.190"
    slettet: bool = False  # 410 Gone: removed from the register
    konkurs: bool = False
    underAvvikling: bool = False  # noqa: N815  (the register's field name)
    underTvangsavviklingEllerTvangsopplosning: bool = False  # noqa: N815

    @property
    def is_financial_institution(self) -> bool:
        code = self.naeringskode1 or ""
        return code.startswith(FINANCIAL_INSTITUTION_NACE_PREFIXES)


class OrganisationLookupUnavailableError(Exception):
    """The register could not be asked; nothing is decided."""


class OrganisationLookup(Protocol):
    def find(self, organisation_number: str) -> Organisation | None:
        """The organisation, or None when the number was never registered.

        Raises OrganisationLookupUnavailableError when the register does not answer.
        """
        ...


class InMemoryOrganisationLookup:
    """A fixed register, for tests and the demo."""

    def __init__(self, organisations: list[Organisation]) -> None:
        self._organisations = {org.organisasjonsnummer: org for org in organisations}

    def find(self, organisation_number: str) -> Organisation | None:
        return self._organisations.get(organisation_number)
