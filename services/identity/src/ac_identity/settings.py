"""Settings of the identity service (env prefix `IDENTITY_`)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ac_contracts.services import spec
from ac_events.crypto import parse_master_key
from ac_platform.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: ClassVar[str] = "identity"
    uses_master_key: ClassVar[bool] = True

    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 14 * 24 * 3600
    verification_ttl_s: int = 3 * 24 * 3600
    previous_master_key: SecretStr | None = None
    """During a master-key rotation only: the old key, still read until `rotate-master-key`
    has rewrapped everything (docs/operations.md)."""
    erasure_grace_s: float = 60.0
    """Between an erasure request and the key's destruction: services finish what they
    owe the person (the confirmation email). The account itself ends at once."""
    hash_time_cost: int = Field(default=3, ge=1)
    hash_memory_kib: int = Field(default=65536, ge=8)
    """argon2id's cost (the library's recommended parameters by default). The test suite
    lowers them, as Django's tests use a fast hasher; production refuses anything weaker."""
    service_credentials: SecretStr = SecretStr("{}")
    """JSON: service name -> SHA-256 (hex) of its secret, for the client-credentials grant."""
    exchangers: tuple[str, ...] = ("gateway",)
    """The services that may exchange a person's token for one of another audience."""
    exchanged_token_ttl_s: int = Field(default=60, ge=5, le=900)
    """How long a token the gateway obtained for one call lives (at most the person's own)."""
    extra_key_readers: tuple[str, ...] = ()
    """Clients outside the registry that may read data keys (tests); the registry's services
    that decrypt (`ServiceSpec.decrypts`) always may."""
    extra_audiences: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Clients outside the registry and the peers they may get tokens for (tests); the
    registry's services get tokens for their `tokens_for`."""
    step_up_services: tuple[str, ...] = ("desk",)
    """Services that may ask whether a person's password is right (step-up verification)."""
    profile_writers: tuple[str, ...] = ("desk",)
    """Services that may change a person's profile for them (a request answered)."""
    account_erasers: tuple[str, ...] = ("desk",)
    """Services that may erase a person for them (an erasure request, verified)."""
    guest_key_keepers: tuple[str, ...] = ("desk",)
    """Services that may make and destroy the data key of a guest (`guest-...`)."""
    retention_every_s: float = 86400.0
    """How often unverified accounts past their period are removed (`ac_events.retention`;
    each run is recorded, removing something or not)."""

    @model_validator(mode="after")
    def _strong_passwords_in_production(self) -> IdentitySettings:
        weak = self.hash_time_cost < 3 or self.hash_memory_kib < 65536
        if self.environment == "production" and weak:
            raise ValueError(
                "production hashes passwords with argon2id at its default cost or more"
            )
        return self

    def previous_master_key_bytes(self) -> bytes | None:
        key = self.previous_master_key
        return parse_master_key(key.get_secret_value()) if key else None

    def initial_username_index_key(self) -> bytes:
        """The first value of the usernames' HMAC key (then kept sealed in the database)."""
        return hmac.new(self.master_key_bytes(), b"ac-identity:username-index", "sha256").digest()

    def service_secret_digests(self) -> dict[str, str]:
        raw = json.loads(self.service_credentials.get_secret_value() or "{}")
        return {str(k): str(v).lower() for k, v in raw.items()}

    def audiences_of(self, client_id: str) -> frozenset[str]:
        """The peers a service may have a token of its own for."""
        try:
            found = set(spec(client_id).tokens_for)
        except KeyError:
            found = set()
        return frozenset(found | set(self.extra_audiences.get(client_id, ())))

    def reads_keys(self, client_id: str) -> bool:
        """Whether a service may fetch people's data keys."""
        try:
            decrypts = spec(client_id).decrypts
        except KeyError:
            decrypts = False
        return decrypts or client_id in self.extra_key_readers

    @staticmethod
    def secret_digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
