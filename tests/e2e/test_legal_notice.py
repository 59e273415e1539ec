"""[H] #14 item 10: a legal disclosure's notice does not tip off its subject.

Through the gateway, on real Kafka, PostgreSQL and an SMTP sink: staff disclose two
people's data to the police. One is told, in words that claim no consent; for the other,
staff record that telling them would prejudice the request, and no notice goes to them
(their second, ordinary disclosure is told: the first was handled before it, in order).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.desk import DeskRig, Someone
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import platform
from tests.support.smtp import Received

SUBJECT = "Your data was sent to Metropolitan Police"


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        yield DeskRig(p, prefix, infra.kafka_bootstrap_servers)


async def disclose(rig: DeskRig, staff: dict[str, str], who: Someone, reference: str,
                   *, prejudice: bool = False) -> None:  # fmt: skip
    body = {"subject_id": who.subject, "organization_id": "police-jp",
            "data_items": ["name", "contact"], "legal_basis": "laws_and_regulations",
            "legal_reference": reference, "notice_would_prejudice": prejudice}  # fmt: skip
    await rig.p.until_done("POST", "/v1/legal-disclosures", body, staff)


def told(m: Received) -> bool:
    return m.subject == SUBJECT


async def test_a_legal_disclosure_is_told_without_consent_words_or_withheld(rig: DeskRig) -> None:
    staff = await rig.supervisor()
    police = {"organization_id": "police-jp", "legal_name": "Metropolitan Police",
              "address": "2-1-1 Kasumigaseki", "representative": "Chief", "country": "JP"}  # fmt: skip
    assert (await rig.gw.post("/v1/organisations", json=police, headers=staff)).status_code == 201
    told_one, withheld = await rig.student("hana"), await rig.student("kenji")

    await disclose(rig, staff, told_one, "order 2026-17")
    mail = await rig.mails(told_one.email, told)
    assert "without your consent" in mail.body and "as you allowed" not in mail.body

    await disclose(rig, staff, withheld, "warrant 2026-88", prejudice=True)
    await disclose(rig, staff, withheld, "order 2026-90")  # after it, on the same stream
    await rig.mails(withheld.email, told)
    smtp = rig.p.smtp
    assert smtp is not None
    assert len([m for m in smtp.inbox.to(withheld.email) if told(m)]) == 1
    # The record of each provision stays (APPI art. 29), the withheld notice recorded on it.
    r = await rig.gw.get(f"/v1/audit/subjects/{withheld.subject}/disclosures", headers=staff)
    assert r.status_code == 200, r.text
    legal = [d["record"]["legal"] for d in r.json()["items"]]
    assert sorted((x["reference"], x["notice_withheld"]) for x in legal) == [
        ("order 2026-90", False), ("warrant 2026-88", True)]  # fmt: skip
