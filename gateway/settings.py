"""Gateway settings, read from the environment with the ``SAMTYKKE_`` prefix.

`.env.example` lists every setting; the README's configuration table is
generated from this class.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeploymentMode(StrEnum):
    """Which identities the deployment accepts.

    `test` (and `demo`) accept only synthetic national identity numbers;
    `production` refuses them.
    """

    PRODUCTION = "production"
    TEST = "test"
    DEMO = "demo"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMTYKKE_", env_file=".env", extra="ignore")

    mode: DeploymentMode = Field(
        default=DeploymentMode.DEMO,
        description="production, test or demo; only test and demo accept synthetic identities.",
    )
    database_url: str = Field(
        default="sqlite:///var/samtykke.db",
        description="SQLAlchemy URL of the gateway database (SQLite or PostgreSQL with psycopg).",
    )
    issuer_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public base URL of the gateway: the OAuth issuer, the audience of assertions.",
    )
    skatteetaten_base_url: str = Field(
        default="http://127.0.0.1:8101",
        description="Base URL of the Tax Administration API.",
    )
    brreg_base_url: str = Field(
        default="http://127.0.0.1:8102",
        description="Base URL of the Brønnøysund Register Centre APIs.",
    )
    landbruk_base_url: str = Field(
        default="http://127.0.0.1:8104",
        description="Base URL of Landbruksdirektoratet's production subsidy API.",
    )
    fiskeri_base_url: str = Field(
        default="http://127.0.0.1:8105",
        description="Base URL of Fiskeridirektoratet's aquaculture register and biomass API.",
    )
    idporten_issuer_url: str = Field(
        default="http://127.0.0.1:8103",
        description="Issuer URL of the ID-porten OpenID Connect provider for citizen login.",
    )
    key_dir: Path = Field(
        default=Path("var/keys"),
        description="Folder holding the gateway's signing keys (created on first start).",
    )
    bank_requests_per_minute: int = Field(
        default=600,
        ge=1,
        description="Data API requests one bank may make per minute, across all processes.",
    )
    idporten_client_id: str = Field(
        default="samtykke-gateway",
        description="The gateway's client id at the ID-porten provider.",
    )
    idporten_client_secret: str = Field(
        default="samtykke-gateway-secret",
        description="The gateway's client secret at the ID-porten provider.",
    )
    session_secret: str | None = Field(
        default=None,
        description="Signs the citizen's session cookie; generated into key_dir when unset.",
    )
    citizen_session_seconds: int = Field(
        default=900,
        description="A citizen's session ends after this many seconds without a request.",
    )
    consent_request_answer_seconds: int = Field(
        default=86400,
        description="An unanswered consent request expires after this many seconds.",
    )
    expiry_sweep_seconds: float = Field(
        default=60.0,
        description="How often the gateway expires consents whose time has passed (0: never).",
    )
    audit_sequencer_interval_seconds: float = Field(
        default=0.1,
        gt=0,
        description="Pause between audit sequencing rounds when the queue is empty.",
    )
    audit_sequencer_thread: bool = Field(
        default=True,
        description="Run the audit sequencer in this process (one per database does the work).",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the admin API; without it the admin API refuses everything.",
    )
    access_token_lifetime_seconds: int = Field(
        default=120, ge=10, le=600, description="Lifetime of the access tokens the gateway issues."
    )
    dpop_nonce_secret: SecretStr | None = Field(
        default=None,
        description="When set, DPoP proofs must carry a server nonce derived from this secret.",
    )
    log_level: str = Field(default="info", description="Lowest level that is logged.")
    host: str = Field(default="127.0.0.1", description="Address `samtykke serve` listens on.")
    port: int = Field(default=8000, description="Port `samtykke serve` listens on.")

    @property
    def accepts_synthetic_identities(self) -> bool:
        return self.mode is not DeploymentMode.PRODUCTION


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
