"""Personal values this service keeps (an address, a verification token), sealed under the
person's own data key: the person's erasure shreds them with everything else."""

from __future__ import annotations

from ac_events.crypto import b64d, b64e, decrypt, encrypt


def _aad(subject_id: str, field: str) -> bytes:
    return f"ac-notifications:{field}:{subject_id}".encode()


def seal(key: bytes, subject_id: str, field: str, value: str) -> str:
    return b64e(encrypt(key, value.encode(), _aad(subject_id, field)))


def unseal(key: bytes, subject_id: str, field: str, sealed: str) -> str:
    return decrypt(key, b64d(sealed), _aad(subject_id, field)).decode()
