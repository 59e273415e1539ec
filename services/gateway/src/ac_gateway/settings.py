"""Settings of the gateway service (env prefix `GATEWAY_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ac_contracts.services import SERVICES
from ac_platform.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: ClassVar[str] = "gateway"

    identity_url: str = "http://127.0.0.1:8001"
    resumes_url: str = "http://127.0.0.1:8002"
    matching_url: str = "http://127.0.0.1:8003"
    consent_url: str = "http://127.0.0.1:8004"
    notifications_url: str = "http://127.0.0.1:8005"
    audit_url: str = "http://127.0.0.1:8006"
    desk_url: str = "http://127.0.0.1:8007"
    max_body_bytes: int = 1_048_576
    cors_origins: tuple[str, ...] = ()
    """Origins of the frontends allowed to call the API from a browser."""
    auth_rate_per_minute: int = 20
    """Sign-ins per (client address, username), and registrations and email verifications
    per client address, per minute (counted by every replica together)."""
    refresh_rate_per_minute: int = 120
    """Token refreshes per client address per minute (a bucket of their own)."""
    address_rate_per_minute: int = 300
    """Every rate-limited call of one client address per minute, whatever its bucket."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (CIDR) of the proxies in front of the gateway (the ingress
    controller's pods): from them alone is `X-Forwarded-For` believed."""
    upstream_timeout_s: float = 10.0
    client_id: str = "gateway"
    client_secret: SecretStr = SecretStr("")
    """The gateway's client credentials at identity: it exchanges each signed-in person's
    token for one of the service it calls (issue 14, item 13)."""

    @model_validator(mode="after")
    def _jwks_from_identity(self) -> GatewaySettings:
        if not self.auth_jwks and not self.auth_jwks_url:
            self.auth_jwks_url = f"{self.identity_url}/.well-known/jwks.json"
        return self

    def upstreams(self) -> dict[str, str]:
        """Where each service of the registry answers (its `<name>_url` setting)."""
        return {
            s.name: str(getattr(self, f"{s.name}_url")) for s in SERVICES if s.name != "gateway"
        }
