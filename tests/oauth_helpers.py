"""Building blocks for authorization-server tests: banks with keys, assertions, proofs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jws, jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey
from sqlalchemy import Engine

from consent.catalogue import SUMMERT_SKATTEGRUNNLAG
from consent.clients.models import Client
from consent.storage.database import create_session_factory
from gateway.clients import service
from gateway.clients.organisations import InMemoryOrganisationLookup, Organisation
from gateway.clients.schemas import ClientRegistration
from gateway.oauth.consents import ConsentView

ISSUER = "http://testserver"
TOKEN_URL = ISSUER + "/oauth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PERSON = "21818297804"  # a synthetic identity number
OTHER_PERSON = "01848297890"

BANK_ORG = "984851006"
OTHER_BANK_ORG = "937885644"
AGENCY_ORG = "974760673"

ORGANISATIONS = InMemoryOrganisationLookup(
    [
        Organisation(BANK_ORG, "Fjordbanken ASA", naeringskode1="64.190"),
        Organisation(OTHER_BANK_ORG, "Nordlys Kreditt AS", naeringskode1="64.920"),
        Organisation(AGENCY_ORG, "Skatteetaten", naeringskode1="84.110"),
        Organisation("914778271", "Borte AS", naeringskode1="64.190", slettet=True),
        Organisation("995568217", "Konkursbo Bank AS", naeringskode1="64.190", konkurs=True),
        Organisation("971526920", "Avvikling Bank AS", naeringskode1="64.190", underAvvikling=True),
        Organisation(
            "916209118",
            "Tvang Bank AS",
            naeringskode1="64.190",
            underTvangsavviklingEllerTvangsopplosning=True,
        ),
        Organisation("923609016", "Oljeselskapet ASA", naeringskode1="06.100"),
    ]
)


def new_key(algorithm: str = "ES256") -> ECKey | OKPKey | RSAKey:
    key: ECKey | OKPKey | RSAKey
    if algorithm == "EdDSA":
        key = OKPKey.generate_key("Ed25519", private=True)
    elif algorithm == "PS256":
        key = RSAKey.generate_key(2048, private=True)
    else:
        key = ECKey.generate_key("P-256", private=True)
    key.ensure_kid()
    return key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made_jwt(header: dict[str, Any], claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A JWT no library would make: unsigned (alg none) or HMAC-signed with `hmac_key`."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if hmac_key is None:
        return signing_input + "."
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def public_jwks(*keys: ECKey | OKPKey | RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


@dataclass
class Bank:
    client_id: str
    key: ECKey | OKPKey | RSAKey
    algorithm: str = "ES256"
    organisation_number: str = BANK_ORG
    dpop_key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", private=True))

    def assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": ISSUER,
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        header = {"alg": self.algorithm, "kid": str(self.key.kid)}
        payload = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(header, payload, self.key, algorithms=[self.algorithm])

    def proof(
        self,
        method: str = "POST",
        url: str = TOKEN_URL,
        *,
        access_token: str | None = None,
        key: ECKey | None = None,
        **overrides: Any,
    ) -> str:
        key = key or self.dpop_key
        claims: dict[str, Any] = {
            "htm": method,
            "htu": url,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
        }
        if access_token is not None:
            digest = hashlib.sha256(access_token.encode()).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        claims.update(overrides)
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
        return jws.serialize_compact(header, json.dumps(claims).encode(), key)

    def token_form(self, **fields: str) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.assertion(),
            **fields,
        }

    @property
    def jkt(self) -> str:
        return self.dpop_key.thumbprint()


def register(
    engine: Engine,
    *,
    kind: str = "bank",
    organisation_number: str = BANK_ORG,
    algorithm: str = "ES256",
    redirect_uris: list[str] | None = None,
) -> Bank:
    key = new_key(algorithm)
    factory = create_session_factory(engine)
    with factory() as session:
        client: Client = service.register(
            session,
            ORGANISATIONS,
            ClientRegistration(
                kind="bank" if kind == "bank" else "agency",
                organisation_number=organisation_number,
                name="Test client",
                jwks=public_jwks(key),
                redirect_uris=redirect_uris or [],
                data_products=[SUMMERT_SKATTEGRUNNLAG.id] if kind == "bank" else [],
            ),
            registered_by="tests",
            allow_loopback_http=True,
        )
        session.commit()
    return Bank(client.client_id, key, algorithm, organisation_number)


def consent(
    *,
    status: str = "accepted",
    person: str = PERSON,
    bank: str = BANK_ORG,
    valid_for: timedelta = timedelta(days=30),
) -> ConsentView:
    now = datetime.now(UTC)
    return ConsentView(
        id=str(uuid.uuid4()),
        status=status,
        person=person,
        bank_organisation_number=bank,
        valid_to=now + valid_for,
        accepted_at=now - timedelta(minutes=1) if status != "created" else None,
        consent_rights=[
            {
                "action": ["consent"],
                "resource": [
                    {
                        "type": "urn:altinn:resource",
                        "value": "ske-samtykke-sbl-summert-skattegrunnlag",
                    }
                ],
                "metadata": {"inntektsaar": "2024"},
            }
        ],
    )


def consent_details(consent_id: str, person: str = PERSON) -> str:
    return json.dumps(
        [
            {
                "type": "urn:samtykke:consent",
                "id": consent_id,
                "from": f"urn:altinn:person:identifier-no:{person}",
            }
        ]
    )
