"""Settings of the consent service (env prefix `CONSENT_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_platform.settings import ServiceSettings


class ConsentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENT_", extra="ignore")

    service_name: ClassVar[str] = "consent"

    withdrawing_services: tuple[str, ...] = ("notifications",)
    """Services that may withdraw a person's consent for them (unsubscribe links)."""
    granting_services: tuple[str, ...] = ("resumes",)
    """Services that may record a consent the person gives through them (resumes: the
    consent to acquire what a CV volunteers), with the person's token for that service."""
    publish_shipped_policy: bool = True
    """Publish the company's policy shipped with the service (`policy/`) on start, unless
    its version is there already (a fresh platform starts with its policy)."""
