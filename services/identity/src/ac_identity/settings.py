"""Settings of the identity service (env prefix `IDENTITY_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_events.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: ClassVar[str] = "identity"
    default_port: ClassVar[int] = 8001
