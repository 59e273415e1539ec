"""Settings of the notifications service (env prefix `NOTIFICATIONS_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ac_platform.settings import PeerSettings

DEV_LINK_KEY = "development-only-link-signing-key"


class NotificationsSettings(PeerSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service_name: ClassVar[str] = "notifications"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Active Connector <no-reply@activeconnector.example>"
    public_url: str = "http://127.0.0.1:8008"
    """Where people's links point: the web app (its pages `/verify-email`, `/me/consents`,
    `/me/transfer-objections`, `/vacancies/{id}`, `/unsubscribe`)."""
    link_key: SecretStr = SecretStr(DEV_LINK_KEY)
    """Signs unsubscribe links (HMAC-SHA256)."""
    send_every_s: float = 0.5
    send_batch: int = 50
    retry_base_s: float = 2.0
    retry_max_s: float = 300.0
    max_attempts: int = 30
    """Transient failures (the server away, 4xx) are retried this often (about two hours with
    the defaults) before `NotificationFailed(permanent=False)`."""
    sending_lease_s: float = 60.0
    """A message claimed by a sender that died is tried again after this."""
    retention_every_s: float = 86400.0
    """How often the bodies of delivered messages past their period are removed."""

    @model_validator(mode="after")
    def _no_placeholder_link_key_in_production(self) -> NotificationsSettings:
        if self.environment == "production" and self.link_key.get_secret_value() == DEV_LINK_KEY:
            raise ValueError("the placeholder link key is refused in production: set a real one")
        return self
