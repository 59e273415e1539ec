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
    candidate_depth: int = 100
    """How far down a vacancy's candidate ranking a client may page ([H] issue 14 item 6)."""
    candidate_pages_per_hour: int = 600
    """Candidate pages an organisation may read in an hour."""
    vacancies_per_hour: int = 50
    """Vacancies an organisation may post in an hour."""
    index_refresh_s: float = 0.5
    """How often the ranking index reads what changed between queries (a query reads it too)."""
    record_scores_s: float = 0.2
    """How often the scores shown are recorded as `MatchScored`."""
    deadline_check_s: float = 30.0
    """How often vacancies whose deadline has come are closed."""
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
