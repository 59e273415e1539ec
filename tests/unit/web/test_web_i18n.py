"""[W] The web app speaks Japanese and English throughout: every reason code of the API, every
code of the vocabulary it shows, and every key its pages use has a translation in both."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ac_contracts.reasons import REASONS
from ac_events.catalogue import DataCategory, DecisionReason, LegalBasis, NotificationKind, Purpose
from ac_events.catalogue.vocab import SensitiveCategory

WEB = Path(__file__).resolve().parents[3] / "web" / "src"
LANGUAGES = ("ja", "en")


def flat(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out |= flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def messages(language: str) -> dict[str, str]:
    return flat(json.loads((WEB / "lib" / "i18n" / f"{language}.json").read_text(encoding="utf-8")))


VOCABULARY = {
    "reasons": list(REASONS),
    "purposes": [p.value for p in Purpose],
    "categories": [c.value for c in DataCategory],
    "sensitive": [c.value for c in SensitiveCategory],
    "decision": [r.value for r in DecisionReason],
    "legalBasis": [b.value for b in LegalBasis],
    "kinds": [k.value for k in NotificationKind],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_code_and_vocabulary_code_is_translated(language: str) -> None:
    """A reason code added to `ac_contracts.reasons` (or a purpose, a category...) without its
    message in the web app fails here, for each language."""
    have = messages(language)
    missing = [f"{group}.{code}" for group, codes in VOCABULARY.items() for code in codes
               if not have.get(f"{group}.{code}", "").strip()]  # fmt: skip
    assert missing == []


def test_both_languages_have_the_same_keys_and_japanese_is_japanese() -> None:
    ja, en = messages("ja"), messages("en")
    assert set(ja) == set(en)
    kana = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert [k for k, v in ja.items() if not kana.search(v)] == []
    assert [k for k, v in en.items() if kana.search(v)] == []


def test_every_key_the_pages_use_exists() -> None:
    """`t("a.b")` in any page names a message of both languages."""
    have = messages("ja")
    used = set()
    for path in WEB.rglob("*.tsx"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    assert sorted(k for k in used if k not in have) == []
