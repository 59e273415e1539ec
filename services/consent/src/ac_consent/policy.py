"""The published policy: the shipped first version, the purposes and recipients in the
policy's words, each version's text as the view keeps it, and the difference of two.

Every version's text is part of its `PolicyPublished` (schema v2). The first
version of a platform that started before texts were recorded was published
with its hash only; its text is the one shipped here (`policy/{ja,en}.md`),
found by that hash (`known_texts`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import yaml

from ac_contracts.policy import (
    PolicyDiff,
    PolicyVersionListed,
    PolicyVersionOut,
    PurposeOut,
    RecipientCategory,
)
from ac_events.catalogue import (
    OPT_IN_PURPOSES,
    THIRD_PARTY_PURPOSES,
    Language,
    PolicyPublished,
    PolicyTexts,
    Purpose,
    PurposeChange,
    policy_text_sha256,
)

POLICY_DIR = Path(__file__).parent / "policy"


@dataclass(frozen=True, slots=True)
class ShippedPolicy:
    version: str
    effective_at: datetime
    changes: tuple[PurposeChange, ...]
    texts: dict[str, str]

    def event(self) -> PolicyPublished:
        texts = PolicyTexts(**self.texts)
        return PolicyPublished(policy_version=self.version, effective_at=self.effective_at,
                               changes=self.changes, text_sha256=texts.sha256(), texts=texts)  # fmt: skip


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


@cache
def _shipped_by_hash() -> dict[str, dict[str, str]]:
    texts = shipped_policy().texts
    return {policy_text_sha256(texts): texts}


def known_texts(e: PolicyPublished) -> dict[str, str] | None:
    """A version's text: its own, or the shipped one when its hash names that."""
    if e.texts is not None:
        return e.texts.model_dump()
    return _shipped_by_hash().get(e.text_sha256)


# ---------------------------------------------------------------- purposes and recipients


@cache
def purposes() -> tuple[PurposeOut, ...]:
    words = yaml.safe_load((POLICY_DIR / "purposes.yaml").read_text(encoding="utf-8"))
    if set(words) != {p.value for p in Purpose}:
        raise ValueError("policy/purposes.yaml must word every purpose, and only those")
    return tuple(
        PurposeOut(code=p, ja=words[p.value]["ja"], en=words[p.value]["en"],
                   third_party=p in THIRD_PARTY_PURPOSES, opt_in=p in OPT_IN_PURPOSES)
        for p in Purpose
    )  # fmt: skip


@cache
def _recipient_rows() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = yaml.safe_load(
        (POLICY_DIR / "recipients.yaml").read_text(encoding="utf-8")
    )
    return rows


def recipients(client_countries: list[str]) -> list[RecipientCategory]:
    """The categories of recipients; client companies are where the registered ones are."""
    out = []
    for name, row in _recipient_rows().items():
        countries = set(row["countries"])
        if Purpose.CLIENT_APPLICATION.value in row["purposes"]:
            countries |= set(client_countries)
        out.append(RecipientCategory(category=name, ja=row["ja"], en=row["en"],
                                     purposes=[Purpose(p) for p in row["purposes"]],
                                     countries=sorted(countries)))  # fmt: skip
    return out


# ---------------------------------------------------------------- versions from the view


def version_out(row: asyncpg.Record) -> PolicyVersionOut:
    changes = [PurposeChange.model_validate(c) for c in orjson.loads(row["changes"])]
    texts = PolicyTexts.model_validate_json(row["texts"]) if row["texts"] else None
    return PolicyVersionOut(
        policy_version=row["policy_version"],
        effective_at=row["effective_at"],
        published_at=row["published_at"],
        text_sha256=row["text_sha256"],
        significant=[c.purpose for c in changes if c.significant],
        texts=texts,
        changes=changes,
    )


def listed(version: PolicyVersionOut) -> PolicyVersionListed:
    return PolicyVersionListed(**version.model_dump(include=set(PolicyVersionListed.model_fields)))


def current(versions: list[PolicyVersionOut], now: datetime) -> PolicyVersionOut:
    """The latest version in effect at `now`; the first one if none is yet."""
    in_effect = [v for v in versions if v.effective_at <= now]
    return in_effect[-1] if in_effect else versions[0]


def diff(older: PolicyVersionOut, newer: PolicyVersionOut) -> PolicyDiff:
    """Line by line, per language (difflib's unified diff, three lines of context)."""
    texts = {}
    for lang in Language:
        a = getattr(older.texts, lang.value, "") if older.texts else ""
        b = getattr(newer.texts, lang.value, "") if newer.texts else ""
        lines = difflib.unified_diff(
            a.splitlines(keepends=True), b.splitlines(keepends=True),
            fromfile=f"{older.policy_version}/{lang.value}.md",
            tofile=f"{newer.policy_version}/{lang.value}.md",
        )  # fmt: skip
        texts[lang] = "".join(lines)
    return PolicyDiff(from_version=older.policy_version, to_version=newer.policy_version,
                      texts=texts, changes=newer.changes)  # fmt: skip
