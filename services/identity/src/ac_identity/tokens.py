"""Access tokens: Ed25519 signing keys (sealed under the master key), issuing, the JWKS.

Access tokens are short-lived EdDSA JWTs (`ac_platform.auth` verifies them in
every service). Refresh tokens are random, stored only as SHA-256, rotated on
use; see `domain.refresh_outcome`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from ac_events.crypto import DecryptionError, decrypt, encrypt
from ac_identity import store
from ac_platform.auth import ISSUER

_AAD = b"ac-identity:signing-key"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    public_jwk: dict[str, Any]


def _public_jwk(kid: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    public = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "EdDSA"}


class Signer:
    """The active signing key (the newest), and every unretired public key for the JWKS."""

    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ValueError("no signing key")
        self.keys = keys

    @property
    def active(self) -> SigningKey:
        return self.keys[0]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self.keys]}

    def access_token(
        self,
        subject: str,
        role: str,
        ttl_s: int,
        organization_id: str | None = None,
        *,
        audience: str,
        session: str | None = None,
        actor: str | None = None,
    ) -> str:
        """A token for one audience (a service's name, or the gateway for a person's own);
        `session` is a person's refresh-token family, `actor` who exchanged for it."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "role": role,
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if organization_id:
            claims["org"] = organization_id
        if session:
            claims["sid"] = session
        if actor:
            claims["act"] = {"sub": actor}
        key = self.active
        return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def _open(sealed: bytes, master_key: bytes, previous: bytes | None, aad: bytes = _AAD) -> bytes:
    try:
        return decrypt(master_key, sealed, aad)
    except DecryptionError:
        if previous is None:
            raise
        return decrypt(previous, sealed, aad)


async def reseal_signing_keys(conn: store.Conn, master_key: bytes, previous: bytes) -> int:
    """Master-key rotation: every signing key and sealed secret sealed again under the new key."""
    count = 0
    for row in await store.signing_keys(conn):
        raw = _open(row["sealed"], master_key, previous)
        await store.reseal_signing_key(conn, row["kid"], encrypt(master_key, raw, _AAD))
        count += 1
    sealed = await store.sealed_secret(conn, USERNAME_INDEX)
    if sealed is not None:
        raw = _open(sealed, master_key, previous, _INDEX_AAD)
        await store.put_sealed_secret(
            conn, USERNAME_INDEX, encrypt(master_key, raw, _INDEX_AAD), replace=True
        )
    return count


USERNAME_INDEX = "username-index"
_INDEX_AAD = b"ac-identity:username-index"


async def load_username_index_key(
    conn: store.Conn, master_key: bytes, previous: bytes | None, initial: bytes
) -> bytes:
    """The key of the usernames' HMAC index: made once (from `initial`), then kept sealed,
    so a master-key rotation leaves every account findable."""
    sealed = await store.sealed_secret(conn, USERNAME_INDEX)
    if sealed is None:
        await store.put_sealed_secret(
            conn, USERNAME_INDEX, encrypt(master_key, initial, _INDEX_AAD)
        )
        sealed = await store.sealed_secret(conn, USERNAME_INDEX)
        assert sealed is not None
    return _open(sealed, master_key, previous, _INDEX_AAD)


async def load_signer(conn: store.Conn, master_key: bytes, previous: bytes | None = None) -> Signer:
    """The stored keys, or a new one (made and stored on first start)."""
    rows = await store.signing_keys(conn)
    if not rows:
        kid = f"k-{uuid.uuid4().hex[:12]}"
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        await store.insert_signing_key(
            conn, kid, encrypt(master_key, raw, _AAD), json.dumps(_public_jwk(kid, key))
        )
        rows = await store.signing_keys(conn)
    keys = []
    for row in rows:
        raw = _open(row["sealed"], master_key, previous)
        private = Ed25519PrivateKey.from_private_bytes(raw)
        keys.append(SigningKey(row["kid"], private, _public_jwk(row["kid"], private)))
    return Signer(keys)


def new_secret() -> str:
    """A random token for a refresh token or an email verification link."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret token: its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()
