"""Settings of the audit service (env prefix `AUDIT_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_events.settings import ServiceSettings


class AuditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    service_name: ClassVar[str] = "audit"
    default_port: ClassVar[int] = 8006
