"""Settings of the resumes service (env prefix `RESUMES_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_platform.settings import PeerSettings


class ResumesSettings(PeerSettings):
    model_config = SettingsConfigDict(env_prefix="RESUMES_", extra="ignore")

    service_name: ClassVar[str] = "resumes"
