"""[E] #18 acceptance: the equal-opportunity monitoring report, from a log on real Kafka.

A seeded population: people who allow monitoring, people who never did, who withdrew, who
allowed it without their gender, and who were erased. The report counts only the first,
publishes no cell under k = 10 and rounds the rest to 5; reports of two logs that differ
by one person never differ by one.
"""

from __future__ import annotations

import itertools
import random
import uuid

from ac_audit.audit import read_log
from ac_audit.monitoring import monitoring_report
from ac_contracts.monitoring import MonitoringReport
from ac_events.catalogue import (
    ApplicationState,
    ApplicationStatusChanged,
    ApplicationSubmitted,
    ConsentGranted,
    ConsentWithdrawn,
    UserRegistered,
)
from ac_events.catalogue.vocab import DataCategory, Purpose, Role
from tests.support.audit_seed import History, MemoryKeyring, Someone
from tests.support.infra import Infra, unique_prefix

MONITORED = (DataCategory.GENDER, DataCategory.SCHOOL)
Cells = dict[tuple[str, str, str], int | None]


class Population(History):
    async def student(self, gender: str | None, school: str | None, *, consent: bool = True,
                      items: tuple[DataCategory, ...] = MONITORED,
                      ended: ApplicationState = ApplicationState.SUBMITTED) -> Someone:  # fmt: skip
        someone = Someone(uuid.uuid4().hex)
        await self.keyring.ensure(someone.subject)
        event = UserRegistered(role=Role.STUDENT, username=f"u-{someone.subject[:8]}",
                               name="Someone", email=f"{someone.subject[:8]}@example.jp",
                               gender=gender, school=school)  # fmt: skip
        await self.w.emit("identity", f"user-{someone.subject}", event, someone.subject,
                          self.tick())  # fmt: skip
        if consent:
            await self.consent_fact(someone, ConsentGranted(
                consent_id=uuid.uuid4(), purpose=Purpose.EQUAL_OPPORTUNITY_MONITORING,
                recipient="*", region="JP", data_categories=items,
                policy_version=self.policy_version))  # fmt: skip
        stream, application = f"matching-{someone.subject}", uuid.uuid4()
        common = {"application_id": application, "vacancy_id": uuid.uuid4(),
                  "organization_id": "org-jp-1"}  # fmt: skip
        await self.w.emit("matching", stream, ApplicationSubmitted(**common), someone.subject,
                          self.tick())  # fmt: skip
        if ended != ApplicationState.SUBMITTED:
            moved = ApplicationStatusChanged(**common, from_state=ApplicationState.SUBMITTED,
                                             to_state=ended, moved_by="recruiter",
                                             moved_by_role=Role.CLIENT)  # fmt: skip
            await self.w.emit("matching", stream, moved, someone.subject, self.tick())
        self.people.append(someone)
        return someone

    async def withdraw_monitoring(self, someone: Someone) -> None:
        c = next(iter(someone.person.consents.values()))
        await self.consent_fact(someone, ConsentWithdrawn(consent_id=c.consent_id,
                                purpose=c.purpose, recipient=c.recipient, region=c.region))  # fmt: skip


def cells(report: MonitoringReport) -> Cells:
    return {(t.dimension, c.group, c.outcome): c.people for t in report.tables for c in t.cells}


async def report_of(infra: Infra, p: Population) -> MonitoringReport:
    await p.w.flush(infra.kafka_bootstrap_servers)
    state = await read_log(infra.kafka_bootstrap_servers, p.w.prefix)
    return await monitoring_report(state, p.keyring)


async def seeded(infra: Infra) -> Population:
    p = Population(unique_prefix(), MemoryKeyring(), random.Random(18))
    await p.policy("v1")
    for i in range(23):
        ended = ApplicationState.OFFER if i < 13 else ApplicationState.REJECTED
        await p.student("女性", "東京大学", ended=ended)
    for _ in range(11):
        await p.student("male", "HAL専門学校", ended=ApplicationState.INTERVIEW)
    for _ in range(4):
        await p.student("non-binary", "Osaka University")
    for _ in range(30):  # never allowed monitoring
        await p.student("male", "仙台高等専門学校", consent=False)
    for _ in range(12):  # allowed it, then withdrew
        await p.withdraw_monitoring(await p.student("female", "京都大学"))
    for _ in range(10):  # allowed it for their school only, not their gender
        await p.student("female", "京都大学", items=(DataCategory.SCHOOL,))
    for _ in range(10):  # allowed it, then were erased
        await p.erase(await p.student("female", "京都大学", ended=ApplicationState.OFFER))
    return p


async def test_only_people_who_allow_it_are_counted_and_no_cell_is_under_k(infra: Infra) -> None:
    report = await report_of(infra, await seeded(infra))
    shown = {key: n for key, n in cells(report).items() if n is not None}

    assert (report.k, report.step) == (10, 5)
    assert shown == {
        ("gender", "female", "applied"): 25,  # 23
        ("gender", "female", "offer"): 15,  # 13
        ("gender", "female", "rejected"): 10,
        ("gender", "male", "applied"): 10,  # 11: the 30 who never allowed it are not counted
        ("gender", "male", "interview"): 10,
        ("school_type", "university", "applied"): 25,  # 23 + 4
        ("school_type", "university", "offer"): 15,
        ("school_type", "university", "rejected"): 10,
        ("school_type", "vocational", "applied"): 10,
        ("school_type", "vocational", "interview"): 10,
    }
    assert report.suppressed_cells == len(cells(report)) - len(shown)
    assert report.generated_at is not None and "suppressed" in report.method


async def test_two_reports_that_differ_by_one_person_never_differ_by_one(infra: Infra) -> None:
    """People join one at a time, in a cell already shown and in one suppressed: between any
    two successive reports no cell moves by less than the step, none shows under k, and a
    suppressed cell stays suppressed until it holds k people."""
    p = await seeded(infra)
    reports = [cells(await report_of(infra, p))]
    joining = [("女性", "東京大学", ApplicationState.OFFER), ("non-binary", "Osaka University",
               ApplicationState.SUBMITTED)] * 4  # fmt: skip
    for gender, school, ended in joining:
        await p.student(gender, school, ended=ended)
        reports.append(cells(await report_of(infra, p)))

    for before, after in itertools.pairwise(reports):
        for key in before:
            shown = [n for n in (before[key], after[key]) if n is not None]
            assert all(n >= 10 and n % 5 == 0 for n in shown), key
            if len(shown) == 2:
                assert (shown[1] - shown[0]) % 5 == 0, key
    other = [r[("gender", "other", "applied")] for r in reports]
    assert other == [None] * 9  # 4 to 8 people: never shown
    assert [r[("gender", "female", "offer")] for r in reports] == [15] * 9  # 13 to 17
