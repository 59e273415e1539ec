"""A disclosure notice's words [H] #14 item 10: a legal disclosure claims no consent."""

from __future__ import annotations

from typing import Any

import pytest

from ac_events.catalogue import Language, NotificationKind
from ac_notifications.render import render

SHARED = {"recipient_legal_name": "Metropolitan Police", "recipient_country": "JP",
          "data_items": ["name", "contact"], "purpose": "legal_disclosure",
          "shared_at": "2026-12-01", "link": "https://example.jp/me/disclosures"}  # fmt: skip
CONSENT_WORDS = {Language.EN: "as you allowed", Language.JA: "ご同意"}


@pytest.mark.parametrize("language", [Language.EN, Language.JA])
def test_a_legal_disclosure_is_told_on_its_legal_basis_not_as_consented(language: Language) -> None:
    params: dict[str, Any] = {**SHARED, "legal_basis": "laws_and_regulations"}
    _, body = render(NotificationKind.DISCLOSURE, language, params)
    assert CONSENT_WORDS[language] not in body
    assert "27" in body and "laws and regulations" in body


@pytest.mark.parametrize("language", [Language.EN, Language.JA])
def test_a_consented_provision_says_so_and_an_older_message_still_renders(
    language: Language,
) -> None:
    for params in (
        {**SHARED, "purpose": "client_application", "legal_basis": None},
        {**SHARED, "purpose": "client_application"},
    ):  # queued before the field
        _, body = render(NotificationKind.DISCLOSURE, language, params)
        assert CONSENT_WORDS[language] in body and "27" not in body
