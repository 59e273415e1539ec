"""Personal values a service keeps in its own tables, sealed under the person's own data key.

The person's erasure destroys the key, which shreds these copies with
everything else. The associated data binds a sealed value to its service, its
field and its person, so a value cannot be moved to another row or column.
"""

from __future__ import annotations

from ac_events.crypto import b64d, b64e, decrypt, encrypt


def _aad(service: str, subject_id: str, field: str) -> bytes:
    return f"ac-{service}:{field}:{subject_id}".encode()


def seal(key: bytes, service: str, subject_id: str, field: str, value: str) -> str:
    return b64e(encrypt(key, value.encode(), _aad(service, subject_id, field)))


def unseal(key: bytes, service: str, subject_id: str, field: str, sealed: str) -> str:
    return decrypt(key, b64d(sealed), _aad(service, subject_id, field)).decode()
