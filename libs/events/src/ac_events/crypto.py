"""AES-GCM for personal fields and for wrapping data keys (architecture.md §4)."""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """Ciphertext that does not authenticate under the given key."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


@lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    """One AES-GCM object per data key (building one expands the key: do it once). The
    cache holds only keys a caller just had from the keyring; an erased person's key is
    never asked for again, and drops out as others come."""
    return AESGCM(key)


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return _cipher(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate") from exc


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def parse_master_key(text: str) -> bytes:
    """A master key from settings: 32 bytes, base64."""
    key = b64d(text)
    if len(key) != KEY_BYTES:
        raise ValueError(f"master key must be {KEY_BYTES} bytes (base64), got {len(key)}")
    return key
