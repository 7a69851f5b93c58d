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
    idporten_metadata_url: str | None = Field(
        default=None,
        description=(
            "Where the gateway reads ID-porten's discovery document when not under the issuer "
            "URL (the issuer's name is not the gateway's way to it, as in docker compose)."
        ),
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
    citizen_session_idle_seconds: int = Field(
        default=900,
        ge=60,
        description="A citizen's session ends after this many seconds without a request.",
    )
    citizen_session_lifetime_seconds: int = Field(
        default=3600,
        ge=60,
        description="A citizen's session ends this many seconds after login, however busy.",
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
    audit_sequencer_thread: bool | None = Field(
        default=None,
        description=(
            "Run the audit sequencer in the gateway process; unset: yes in demo and test mode, "
            "no in production (run `samtykke sequencer`). One per database does the work."
        ),
    )
    push_worker_in_gateway: bool | None = Field(
        default=None,
        description=(
            "Deliver pushed consent events from the gateway process; unset: yes in demo and "
            "test mode, no in production (run `samtykke push-worker`)."
        ),
    )
    push_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often the push worker looks for consent events due for delivery.",
    )
    push_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=30,
        description="How long one push delivery may take before it counts as failed.",
    )
    push_dead_letter_seconds: int = Field(
        default=86400,
        ge=60,
        description="A pushed event not delivered this long after it was queued is given up.",
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
    registry_connect_timeout_seconds: float = Field(
        default=2.0, gt=0, description="Seconds to wait for a connection to a registry."
    )
    registry_read_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a registry's answer to arrive."
    )
    registry_deadline_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A registry call, retries and back-off included, ends after this many seconds.",
    )
    registry_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Attempts per registry call (1: no retry); only timeouts, lost connections "
        "and 5xx are retried.",
    )
    registry_backoff_base_seconds: float = Field(
        default=0.1, ge=0, description="First retry waits up to this long (doubling, jittered)."
    )
    registry_backoff_max_seconds: float = Field(
        default=2.0, ge=0, description="The longest wait between two attempts at a registry."
    )
    registry_circuit_failure_threshold: int = Field(
        default=5,
        ge=1,
        description="Consecutive failed or malformed registry answers that open its circuit.",
    )
    registry_circuit_reset_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long an open circuit refuses calls before one trial call may pass.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token /metrics demands in production mode (unset there: /metrics "
        "refuses everyone); test and demo modes serve /metrics openly.",
    )
    log_level: str = Field(default="info", description="Lowest level that is logged.")
    host: str = Field(default="127.0.0.1", description="Address `samtykke serve` listens on.")
    port: int = Field(default=8000, description="Port `samtykke serve` listens on.")

    @property
    def accepts_synthetic_identities(self) -> bool:
        return self.mode is not DeploymentMode.PRODUCTION

    @property
    def runs_audit_sequencer(self) -> bool:
        if self.audit_sequencer_thread is not None:
            return self.audit_sequencer_thread
        return self.mode is not DeploymentMode.PRODUCTION

    @property
    def runs_push_worker(self) -> bool:
        if self.push_worker_in_gateway is not None:
            return self.push_worker_in_gateway
        return self.mode is not DeploymentMode.PRODUCTION


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
