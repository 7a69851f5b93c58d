"""The demo bank's settings: environment variables with the ``DEMO_BANK_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BankSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_BANK_", extra="ignore")

    gateway_url: str = Field(default="http://127.0.0.1:8000", description="The gateway.")
    public_url: str = Field(
        default="http://127.0.0.1:8200", description="Where browsers reach the bank."
    )
    host: str = Field(default="127.0.0.1", description="Address the bank listens on.")
    port: int = Field(default=8200, description="Port the bank listens on.")
    # FJORDKYST SPAREBANK in the Brønnøysund mock: an active bank, NACE 64.190.
    organisation_number: str = Field(default="910000004")
    name: str = Field(default="Fjordkyst Sparebank")
    client_id: str | None = Field(
        default=None, description="The bank's client id at the gateway, given at registration."
    )
    state_dir: Path = Field(
        default=Path("var/demo-bank"), description="Holds the bank's private key."
    )

    @property
    def redirect_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/return"
