"""Settings of the matching service (env prefix `MATCHING_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_events.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore")

    service_name: ClassVar[str] = "matching"
    default_port: ClassVar[int] = 8003
