"""Settings every service shares (pydantic-settings), read once in each app factory.

Each service subclasses `ServiceSettings` with its own env prefix
(`CONSENT_`, `IDENTITY_`, ...). Its database is its own: `<PREFIX>DATABASE_URL`,
or else the shared `DATABASE_URL` server with the database `ac_<service>`.
Kafka falls back to the shared `KAFKA_BOOTSTRAP_SERVERS`, the token keys to the
shared `AUTH_JWKS_URL` / `AUTH_JWKS`.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ac_events.crypto import parse_master_key

DEV_MASTER_KEY = "ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTMyYiE="
"""A placeholder master key (32 bytes), accepted only in development and test."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    service_name: ClassVar[str]
    uses_master_key: ClassVar[bool] = False
    """Only identity holds the keyring (wrapped under the master key); no other service needs it."""

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    topic_prefix: str = ""
    master_key: SecretStr = SecretStr(DEV_MASTER_KEY)
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    auth_jwks_url: str | None = None
    """Identity's JWKS (the public keys access tokens are verified with)."""
    auth_jwks: str | None = None
    """The JWKS inline, as JSON (tests and local runs); wins over the URL."""

    @model_validator(mode="before")
    @classmethod
    def _shared_fallbacks(cls, data: Any) -> Any:
        values = dict(data) if isinstance(data, dict) else {}
        if not values.get("database_url") and os.environ.get("DATABASE_URL"):
            server = urlsplit(os.environ["DATABASE_URL"])
            values["database_url"] = urlunsplit(server._replace(path=f"/ac_{cls.service_name}"))
        if not values.get("kafka_bootstrap_servers") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            values["kafka_bootstrap_servers"] = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        for shared in ("auth_jwks_url", "auth_jwks"):
            if not values.get(shared) and os.environ.get(shared.upper()):
                values[shared] = os.environ[shared.upper()]
        return values

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> ServiceSettings:
        key = self.master_key.get_secret_value()
        parse_master_key(key)  # 32 bytes of base64, or a clear error
        if self.uses_master_key and self.environment == "production" and key == DEV_MASTER_KEY:
            raise ValueError("the placeholder master key is refused in production: set a real one")
        return self

    def master_key_bytes(self) -> bytes:
        return parse_master_key(self.master_key.get_secret_value())


class PeerSettings(ServiceSettings):
    """A service that calls identity (keyring, its own token) and consent (decisions).

    It verifies callers' tokens against identity's JWKS unless told otherwise.
    """

    identity_url: str = "http://127.0.0.1:8001"
    consent_url: str = "http://127.0.0.1:8004"
    client_id: str = ""
    """This service's client id at identity (defaults to the service's name)."""
    client_secret: SecretStr = SecretStr("")
    """This service's client secret at identity (keyring, consent decisions)."""

    @model_validator(mode="after")
    def _peers(self) -> PeerSettings:
        if not self.client_id:
            self.client_id = self.service_name
        if not self.auth_jwks and not self.auth_jwks_url:
            self.auth_jwks_url = f"{self.identity_url}/.well-known/jwks.json"
        return self
