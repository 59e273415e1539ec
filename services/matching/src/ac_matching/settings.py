"""Settings of the matching service (env prefix `MATCHING_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ac_platform.settings import PeerSettings

DEV_CANDIDATE_KEY = "development-only-candidate-key"


class MatchingSettings(PeerSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore")

    service_name: ClassVar[str] = "matching"

    candidate_key: SecretStr = SecretStr(DEV_CANDIDATE_KEY)
    """Keys the anonymous candidate references clients see (HMAC-SHA256): a client cannot
    link a candidate across vacancies, or to a person, before they apply."""
    top_n: int = 10
    """How many vacancies a student sees, and candidates a client sees."""
    notices_every_s: float = 1.0
    """How often clients are told of data since corrected or erased (`recipients.py`)."""
    retention_every_s: float = 86400.0
    """How often provision records past their period are removed."""

    @model_validator(mode="after")
    def _no_placeholder_candidate_key_in_production(self) -> MatchingSettings:
        if self.environment == "production" and (
            self.candidate_key.get_secret_value() == DEV_CANDIDATE_KEY
        ):
            raise ValueError(
                "the placeholder candidate key is refused in production: set a real one"
            )
        return self
