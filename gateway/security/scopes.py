"""The OAuth scopes the gateway knows, and the claim that names a token's organisation."""

from __future__ import annotations

# Banks: create, read and withdraw consent requests, and read their event feed.
CONSENT_REQUESTS = "samtykke:consentrequests"
# Banks: fetch consented data. Tokens with it are consent-bound (authorization_details)
# and sender-constrained with DPoP.
DATA_READ = "samtykke:data"
# Agencies: query, export and verify the audit log.
AUDIT_READ = "audit:read"

BANK_SCOPES = frozenset({CONSENT_REQUESTS, DATA_READ})
AGENCY_SCOPES = frozenset({AUDIT_READ})

# Tokens name the organisation behind the client as Maskinporten does:
# {"consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:<orgnr>"}}.
CONSUMER_CLAIM = "consumer"
ISO6523_AUTHORITY = "iso6523-actorid-upis"
NORWEGIAN_ORGANISATION_PREFIX = "0192:"


def consumer_claim(organisation_number: str) -> dict[str, str]:
    return {
        "authority": ISO6523_AUTHORITY,
        "ID": NORWEGIAN_ORGANISATION_PREFIX + organisation_number,
    }


def organisation_number_of(claims: dict[str, object]) -> str | None:
    """The organisation number in a token's `consumer` claim, if it has a well-formed one."""
    consumer = claims.get(CONSUMER_CLAIM)
    if not isinstance(consumer, dict):
        return None
    identifier = consumer.get("ID")
    if not isinstance(identifier, str) or not identifier.startswith(NORWEGIAN_ORGANISATION_PREFIX):
        return None
    return identifier.removeprefix(NORWEGIAN_ORGANISATION_PREFIX)
