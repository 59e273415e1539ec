"""A policy version's text for tests: each version's own, in both languages (a text is
published under one version only)."""

from __future__ import annotations


def texts(version: str) -> dict[str, str]:
    return {"ja": f"# プライバシーポリシー {version}\n\n本文。\n",
            "en": f"# Privacy policy {version}\n\nThe text.\n"}  # fmt: skip
