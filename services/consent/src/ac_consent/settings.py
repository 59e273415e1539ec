"""Settings of the consent service (env prefix `CONSENT_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ac_platform.settings import ServiceSettings


class ConsentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENT_", extra="ignore")

    service_name: ClassVar[str] = "consent"

    withdrawing_services: tuple[str, ...] = ("notifications", "desk")
    """Services that may withdraw a person's consent for them (notifications: unsubscribe
    links; the desk: a request to stop a use or a provision, filed by post or phone)."""
    granting_services: tuple[str, ...] = ("resumes",)
    """Services that may record a consent the person gives through them (resumes: the
    consent to acquire what a CV volunteers), with the person's token for that service."""
    desk_email: str = "privacy-desk@activeconnector.example"
    """The desk's address for requests, consultation and complaints (`GET /policy`)."""
    desk_postal_address: str = "Active Connector, Privacy Desk, 1-1 Chiyoda, Tokyo 100-0001, Japan"
    desk_hours: str = "Weekdays 10:00-17:00 JST"
    publish_shipped_policy: bool = True
    """Publish the company's policy shipped with the service (`policy/`) on start, unless
    its version is there already (a fresh platform starts with its policy)."""
