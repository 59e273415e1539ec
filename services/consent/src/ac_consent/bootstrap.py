"""The company's privacy policy, shipped with the service as the platform's first version.

A fresh platform has no policy version, yet every consent names one. The text
(`policy/ja.md`, `policy/en.md`) and what it changes (`policy/first.yaml`) ship
with this package, and `publish_shipped_policy` records it as `PolicyPublished`
on the service's start, unless that version is published already: idempotent,
and safe with replicas starting at once (the policies stream's expected
version makes the second append fail, and it then finds the version there).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson
import yaml

from ac_consent.commands import publish_on_start
from ac_events.catalogue import Language, PolicyPublished, Purpose, PurposeChange
from ac_events.store import EventStore

POLICY_DIR = Path(__file__).parent / "policy"


def text_sha256(texts: dict[str, str]) -> str:
    """The SHA-256 a policy's texts are known by: of `{"en": ..., "ja": ...}` as JSON with
    sorted keys (UTF-8), so it names both languages at once."""
    return hashlib.sha256(orjson.dumps(texts, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True, slots=True)
class ShippedPolicy:
    version: str
    effective_at: datetime
    changes: tuple[PurposeChange, ...]
    texts: dict[str, str]

    def event(self) -> PolicyPublished:
        return PolicyPublished(
            policy_version=self.version,
            effective_at=self.effective_at,
            changes=self.changes,
            text_sha256=text_sha256(self.texts),
        )


def shipped_policy(folder: Path = POLICY_DIR) -> ShippedPolicy:
    meta = yaml.safe_load((folder / "first.yaml").read_text(encoding="utf-8"))
    significant = meta["significant"]
    purposes = list(Purpose) if significant == "all" else [Purpose(p) for p in significant]
    return ShippedPolicy(
        version=str(meta["policy_version"]),
        effective_at=datetime.fromisoformat(str(meta["effective_at"])),
        changes=tuple(PurposeChange(purpose=p, changed=True, significant=True) for p in purposes),
        texts={
            lang.value: (folder / f"{lang.value}.md").read_text(encoding="utf-8")
            for lang in Language
        },
    )


async def publish_shipped_policy(store: EventStore, policy: ShippedPolicy | None = None) -> bool:
    """Publishes the shipped policy unless its version is there; True if this call did."""
    policy = policy or shipped_policy()
    return await publish_on_start(store, policy.event(), policy.version)
