"""Issue 14, item 4: every text field that can reach an email header or subject is one line
(`ac_contracts.common.Line`): control and line-separator characters are refused at the API."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ac_contracts.common import one_line
from ac_contracts.consent import NoticeBody, TransferBody
from ac_contracts.identity import Correction, OrganisationBody, Registration, StaffMadeAccount
from ac_contracts.matching import LegalDisclosureBody, VacancyBody
from ac_contracts.notifications import AlertBody, CampaignBody

PERSON = {"username": "hana", "password": "correct horse battery", "name": "Hana",
          "email": "hana@example.jp"}  # fmt: skip
ORG = {"organization_id": "org-x", "legal_name": "X K.K.", "address": "Tokyo",
       "representative": "Rep", "country": "JP"}  # fmt: skip
CASES: list[tuple[type[BaseModel], dict[str, Any], str, bool]] = [
    (VacancyBody, {"title": "T", "location_country": "JP"}, "title", False),
    (VacancyBody, {"title": "T", "location_country": "JP", "skills": ["x"]}, "skills", True),
    (Registration, PERSON, "name", False),
    (Registration, PERSON, "school", False),
    (Registration, PERSON, "gender", False),
    (StaffMadeAccount, {**PERSON, "role": "auditor"}, "name", False),
    (Correction, {}, "name", False),
    (Correction, {}, "school", False),
    (OrganisationBody, ORG, "legal_name", False),
    (OrganisationBody, ORG, "representative", False),
    (OrganisationBody, ORG, "address", False),
    (CampaignBody, {"purpose": "marketing", "headline": "H", "body": "B"}, "headline", False),
    (TransferBody, {"acquirer": "org-x", "acquirer_name": "A", "purposes": ["marketing"],
                    "opt_out_deadline": "2030-01-01T00:00:00Z"}, "acquirer_name", False),
    (NoticeBody, {"country": "DE", "country_name": "Germany", "protection_system": "GDPR",
                  "recipient_measures": "SCCs"}, "country_name", False),
    (AlertBody, {}, "keywords", True),
    (LegalDisclosureBody, {"subject_id": "s-1", "organization_id": "org-x",
                           "data_items": ["name"], "legal_basis": "laws_and_regulations",
                           "legal_reference": "R"}, "legal_reference", False),
]  # fmt: skip
BREAKERS = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029",
            "\t", "\x7f", "\x1b"]  # fmt: skip


@pytest.mark.parametrize(("model", "body", "field", "listed"), CASES,
                         ids=[f"{m.__name__}.{f}" for m, _, f, _ in CASES])  # fmt: skip
def test_a_header_field_refuses_every_line_breaking_character(
    model: type[BaseModel], body: dict[str, Any], field: str, listed: bool
) -> None:
    fine = "Sakura Shoji 株式会社 (Tokyo) — ok"
    model.model_validate({**body, field: [fine] if listed else fine})
    for breaker in BREAKERS:
        value = f"Evil{breaker}Corp"
        with pytest.raises(ValidationError, match="line"):
            model.model_validate({**body, field: [value] if listed else value})


def test_one_line_names_the_characters_it_refuses() -> None:
    with pytest.raises(ValueError, match=r"U\+000B, U\+2028"):
        one_line("a\u2028b\x0bc")
    assert one_line("plain text, ユニコード") == "plain text, ユニコード"
