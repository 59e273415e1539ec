"""Settings of the audit service and CLI (env prefix `AUDIT_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ac_platform.settings import PeerSettings


class AuditSettings(PeerSettings):
    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    service_name: ClassVar[str] = "audit"

    grace_s: float = 2.0
    """A consent change recorded less than this before a provision may have been missed by
    its decision (deciding and recording are two steps); earlier ones may not."""
    notice_within_s: float = 24 * 3600.0
    """A provision's disclosure notice must have gone to its person this long after it (or
    the reason why not be recorded): the `notice_sent` rule."""
    monitoring_k: int = Field(default=10, ge=5)
    """The equal-opportunity monitoring report publishes no cell of fewer people [E] #18."""
    monitoring_step: int = Field(default=5, ge=1)
    """... and rounds every other count to the nearest multiple of this."""
