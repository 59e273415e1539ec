"""An in-memory Keyring: a fake of our own port, for pure codec tests."""

from __future__ import annotations

from ac_events.catalogue.base import ERASED, Redacted
from ac_events.crypto import new_data_key
from ac_events.keyring import KeyDestroyed


class MemoryKeyring:
    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}

    async def key_for(self, subject_id: str) -> bytes | Redacted:
        key = self.keys.get(subject_id)
        return ERASED if key is None else key

    async def ensure(self, subject_id: str) -> bytes:
        if subject_id in self.keys and self.keys[subject_id] is None:
            raise KeyDestroyed(subject_id)
        key = self.keys.setdefault(subject_id, new_data_key())
        assert key is not None
        return key

    async def destroy(self, subject_id: str) -> None:
        self.keys[subject_id] = None
