"""Settings of the mock registries: environment variables with the ``SAMTYKKE_MOCKS_`` prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_REDIRECT_URIS = [
    "http://127.0.0.1:8000/citizen/login/callback",
    "http://localhost:8000/citizen/login/callback",
]


class MockSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMTYKKE_MOCKS_", env_file=".env", extra="ignore")

    seed: int = Field(default=2025, description="Seed of the synthetic population.")
    population_size: int = Field(
        default=1000, description="Generated persons, besides the named test persons."
    )
    test_mode: bool = Field(
        default=False,
        description="Honour the X-Mock-Fault request header (never in a shared environment).",
    )
    fault: str = Field(
        default="",
        description="Fault injected into every registry answer, e.g. `latency=300`, `status=503`.",
    )
    hang_limit_seconds: float = Field(
        default=30.0, description="How long the `timeout` fault holds a request at most."
    )
    host: str = Field(default="127.0.0.1", description="Address the mocks listen on.")
    public_host: str = Field(
        default="127.0.0.1", description="Host name clients use to reach the mocks (the issuer)."
    )
    skatteetaten_port: int = Field(default=8101, description="Port of the Tax Administration.")
    brreg_port: int = Field(default=8102, description="Port of the Brønnøysund registers.")
    idporten_port: int = Field(default=8103, description="Port of ID-porten.")
    landbruk_port: int = Field(
        default=8104, description="Port of Landbruksdirektoratet (production subsidies)."
    )
    fiskeri_port: int = Field(
        default=8105, description="Port of Fiskeridirektoratet (aquaculture register, biomass)."
    )
    gateway_jwks_url: str = Field(
        default="http://127.0.0.1:8000/.well-known/registry-client-jwks.json",
        description="Where the gateway publishes the keys its registry tokens are signed with.",
    )
    idporten_back_channel_url: str = Field(
        default="",
        description=(
            "Base URL ID-porten names for its token, userinfo and key endpoints, which only "
            "the gateway calls, when the gateway reaches it by another name than browsers do "
            "(a container network). Empty: the issuer URL."
        ),
    )
    idporten_client_id: str = Field(
        default="samtykke-gateway", description="The gateway's client id at ID-porten."
    )
    idporten_client_secret: str = Field(
        default="samtykke-gateway-secret",
        description="The gateway's client secret at ID-porten (a test value).",
    )
    idporten_redirect_uris: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REDIRECT_URIS),
        description="Redirect URIs registered for the gateway (a JSON list).",
    )

    def public_url(self, port: int) -> str:
        return f"http://{self.public_host}:{port}"
