"""Settings of the desk (env prefix `DESK_`)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ac_platform.settings import PeerSettings


class DeskSettings(PeerSettings):
    model_config = SettingsConfigDict(env_prefix="DESK_", extra="ignore")

    service_name: ClassVar[str] = "desk"

    target_days: int = Field(default=14, ge=1)
    """The desk's own target for an answer (the law says "without delay"): the due date."""
    warn_days_before: int = Field(default=3, ge=0)
    """Staff are warned this long before a request is due."""
    supervisors: tuple[str, ...] = ()
    """The staff (subject ids) an overdue request is escalated to, and who are warned of an
    unassigned one."""
    code_ttl_s: int = Field(default=600, ge=30)
    """A step-up code is valid this long (10 minutes)."""
    code_tries: int = Field(default=5, ge=1)
    """Wrong tries of one code before it is void."""
    codes_per_request: int = Field(default=5, ge=1)
    code_resend_after_s: int = Field(default=60, ge=0)
    """A new code for the same request is sent no sooner than this."""
    disclosure_days: int = Field(default=7, ge=1)
    """How long an answered disclosure can be downloaded."""
    deadline_every_s: float = 60.0
    """How often due dates are looked at (warnings, escalations)."""
    retention_every_s: float = 86400.0
    """How often guest requests past their retention are removed."""

    @property
    def target(self) -> timedelta:
        return timedelta(days=self.target_days)
