"""Tamper evidence: verify the hash chain of stored events (architecture.md §4).

Each record's `hash` covers its canonical JSON (ciphertext included, so
destroying a data key never breaks it) and names the previous record of its
stream in `prev_hash`. `verify` walks records grouped by stream and names the
first broken link of each stream: an altered record, a missing one, a
duplicate, or one out of order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from ac_events.envelope import GENESIS_HASH, record_hash, stored_hash_matches

BreakKind = Literal["altered", "missing", "duplicate", "unreadable", "relinked"]


@dataclass(frozen=True, slots=True)
class ChainBreak:
    stream_id: str
    stream_version: int
    kind: BreakKind
    detail: str


def verify(
    records: Iterable[bytes], heads: Mapping[str, tuple[int, str]] | None = None
) -> list[ChainBreak]:
    """The first break of each stream whose chain does not verify ([] when all do).

    `records` are stored event bytes in any order across streams, but in
    stream order within each stream (as the store reads them, or as one
    Kafka partition holds them; a duplicate delivery is ignored). `heads`,
    when known (the store's `streams` table), gives each stream's last
    version and hash, so a missing tail is found too.
    """
    verifier = ChainVerifier()
    for data in records:
        verifier.add_bytes(data)
    return verifier.breaks(heads)


class ChainVerifier:
    """`verify`, one record at a time (a replay of a whole log need not hold it in memory)."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, str]] = {}
        self._broken: dict[str, ChainBreak] = {}
        self._seen: set[tuple[str, int, str]] = set()

    def add_bytes(self, data: bytes) -> bool:
        try:
            record = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            self._broken.setdefault("?", ChainBreak("?", 0, "unreadable", str(exc)))
            return True
        return self.add(record, data)

    def add(self, record: dict[str, Any], data: bytes | None = None) -> bool:
        """One parsed record (and, when known, the bytes it was parsed from: then its hash is
        checked on them, without serialising it again); False if it is a copy of a record
        already added (a delivery repeated by at-least-once publishing), True otherwise.
        Breaks are read at the end."""
        try:
            stream_id = str(record["stream_id"])
            version = int(record["stream_version"])
            stated, prev = str(record["hash"]), str(record["prev_hash"])
        except (KeyError, TypeError, ValueError) as exc:
            self._broken.setdefault("?", ChainBreak("?", 0, "unreadable", str(exc)))
            return True
        if (stream_id, version, stated) in self._seen:
            return False  # the same record delivered twice (at-least-once) is not tampering
        self._seen.add((stream_id, version, stated))
        if stream_id in self._broken:
            return True
        expected_version, expected_prev = self._last.get(stream_id, (0, GENESIS_HASH))
        if not (data is not None and stored_hash_matches(data, stated)) and (
            record_hash(record) != stated
        ):
            self._break(stream_id, version, "altered", "hash does not match content")
        elif version <= expected_version:
            self._break(
                stream_id, version, "duplicate", f"version {version} after {expected_version}"
            )
        elif version != expected_version + 1:
            self._break(
                stream_id, expected_version + 1, "missing", f"next record is version {version}"
            )
        elif prev != expected_prev:
            self._break(
                stream_id, version, "relinked", "prev_hash does not name the previous record"
            )
        else:
            self._last[stream_id] = (version, stated)
        return True

    def merge(self, other: ChainVerifier) -> None:
        """Take in what another verifier saw of OTHER streams (a replay split by partition:
        each stream lives in one partition, so two verifiers never share one)."""
        self._last.update(other._last)
        self._broken.update(other._broken)
        self._seen |= other._seen

    def forget_seen(self) -> None:
        """Drop the record of what was seen (only needed while records still come: to know
        a duplicate delivery), before the verifier is sent to another process."""
        self._seen = set()

    def _break(self, stream_id: str, version: int, kind: BreakKind, detail: str) -> None:
        self._broken[stream_id] = ChainBreak(stream_id, version, kind, detail)

    def breaks(self, heads: Mapping[str, tuple[int, str]] | None = None) -> list[ChainBreak]:
        broken = dict(self._broken)
        for stream_id, (version, head_hash) in (heads or {}).items():
            if stream_id in broken:
                continue
            have_version, have_hash = self._last.get(stream_id, (0, GENESIS_HASH))
            if have_version < version:
                broken[stream_id] = ChainBreak(
                    stream_id, have_version + 1, "missing", f"stream head is version {version}"
                )
            elif have_hash != head_hash:
                broken[stream_id] = ChainBreak(stream_id, version, "relinked", "head hash differs")
        return sorted(broken.values(), key=lambda b: (b.stream_id, b.stream_version))
