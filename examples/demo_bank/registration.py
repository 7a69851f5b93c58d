"""What the bank asks the gateway's administrator to register: its keys, return URL and products."""

from __future__ import annotations

from typing import Any

from samtykke_client import public_jwks

from examples.demo_bank import enterprise, precheck, products
from examples.demo_bank.keys import load_or_create_private_jwk
from examples.demo_bank.settings import BankSettings


def registration_request(settings: BankSettings) -> dict[str, Any]:
    """The admin API's registration body; generates the bank's key on first use."""
    return {
        "organisation_number": settings.organisation_number,
        "name": settings.name,
        "jwks": public_jwks(load_or_create_private_jwk(settings.state_dir)),
        "redirect_uris": [settings.redirect_url],
        "data_products": [*products.ALL, *precheck.QUESTIONS, *enterprise.PRODUCTS],
    }
