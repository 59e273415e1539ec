"""Settings of the gateway service (env prefix `GATEWAY_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_events.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000
