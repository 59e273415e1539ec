"""Access tokens for tests and benches, signed the way identity signs them."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from ac_contracts.services import SERVICES
from ac_platform.auth import ISSUER

EVERY_SERVICE = [s.name for s in SERVICES]
"""A test's token is for every service unless it says (identity's name one service each)."""


class TokenMint:
    """An Ed25519 signing key that issues access tokens the way identity does (tests, benches)."""

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.private_key = Ed25519PrivateKey.generate()

    def jwks(self) -> dict[str, Any]:
        public = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def token(
        self,
        subject: str,
        role: str,
        *,
        org: str | None = None,
        ttl_s: int = 300,
        aud: str | list[str] = EVERY_SERVICE,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "sub": subject,
            "role": role,
            "iss": ISSUER,
            "aud": aud,
            "iat": now,
            "exp": now + ttl_s,
            **({"org": org} if org else {}),
            **claims,
        }
        return jwt.encode(body, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def bearer(self, subject: str, role: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, role, **kwargs)}"}
