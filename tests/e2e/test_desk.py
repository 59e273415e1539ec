"""[D] #16 acceptance, end to end through the gateway over real Kafka, PostgreSQL and SMTP.

A person reads the published policy without signing in and registers accepting its
version; applies to a client (one provision); asks for a disclosure, passes step-up
with the code from their mailbox, and gets the disclosure with its provision record;
asks for the correction of a field that was provided to the client: staff answer within
the deadline, the field changes, and the client is told (with the new value, which the
consent covers); files a complaint, staff reply in its thread, the person sees the reply;
and a second request left unanswered shows as overdue to the supervisors once the desk's
clock passes its due date (moved, never slept through).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_events.kafka import topic_for
from tests.support.desk import PASSWORD, DeskRig, Someone
from tests.support.infra import Infra, unique_prefix
from tests.support.kafka import read_topic
from tests.support.pages import every_item
from tests.support.platform import platform
from tests.support.wait import eventually

ITEMS = ["name", "school", "resume"]


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    prefix = unique_prefix()
    async with platform(infra, prefix, notifications=True) as p:
        yield DeskRig(p, prefix, infra.kafka_bootstrap_servers)


async def a_client(rig: DeskRig, staff: dict[str, str], name: str = "acme") -> str:
    """A client organisation in Japan (`org-<name>`), its user (`hr@<name>.example`), and an
    open vacancy of theirs (its id)."""
    org = {"organization_id": f"org-{name}", "legal_name": f"{name.title()} K.K.",
           "address": "1-1 Chiyoda", "representative": "Rep", "country": "JP"}  # fmt: skip
    assert (await rig.gw.post("/v1/organisations", json=org, headers=staff)).status_code == 201
    user = {"username": f"{name}.hr", "password": PASSWORD, "name": "HR", "language": "en",
            "email": f"hr@{name}.example", "role": "client",
            "organization_id": f"org-{name}"}  # fmt: skip
    assert (await rig.gw.post("/v1/accounts", json=user, headers=staff)).status_code == 201
    client, _ = await rig.p.login(f"{name}.hr", PASSWORD)
    vacancy = {"title": "Intern", "skills": ["Python"], "location_country": "JP"}
    posted = await rig.p.until_done("POST", "/v1/vacancies", vacancy, client)
    return str(posted["vacancy_id"])


async def applied(
    rig: DeskRig, who: Someone, vacancy_id: str, version: str, org: str = "org-acme"
) -> tuple[str, str]:
    """The provision's id (and the consent's) of an application to `org`'s vacancy."""
    grant = {"purpose": "client_application", "recipient": org, "region": "JP",
             "data_categories": ITEMS, "policy_version": version}  # fmt: skip
    consent = await rig.p.until_done("POST", "/v1/me/consents", grant, who.headers)
    cv = {"skills": ["Python"], "desired_roles": ["Intern"]}
    assert (await rig.gw.post("/v1/me/resume", json=cv, headers=who.headers)).status_code == 201
    body = {"vacancy_id": vacancy_id, "data_items": ITEMS}
    out: dict[str, Any] = await rig.p.until_done("POST", "/v1/me/applications", body, who.headers)
    assert out["status"] == "shared", out
    return str(out["disclosure_id"]), str(consent["consent_id"])


async def test_the_rights_and_complaints_desk_end_to_end(rig: DeskRig) -> None:
    gw = rig.gw
    # -- the published policy, without signing in; registration records the version accepted
    policy = await gw.get("/v1/policy")
    assert policy.status_code == 200, policy.text
    current = policy.json()["current"]
    assert "個人情報" in current["texts"]["ja"] and "personal information" in current["texts"]["en"]
    assert len(policy.json()["purposes"]) == 13
    version = current["policy_version"]
    mio = await rig.student("mio", school="Kyoto University", policy_version=version)
    records = await read_topic(rig.kafka, topic_for("identity", rig.prefix))
    registered = [orjson.loads(r.value) for r in records if r.key == mio.subject.encode()
                  and b'"UserRegistered"' in r.value]  # fmt: skip
    assert registered[0]["payload"]["policy_version"] == version

    await rig.p.accounts.register(Profile(username="desk.staff", name="Desk Staff",
                                          email="desk.staff@example.jp"), PASSWORD, Role.STAFF)  # fmt: skip
    staff, staff_id = await rig.p.login("desk.staff", PASSWORD)
    vacancy_id = await a_client(rig, staff)
    provision, _ = await applied(rig, mio, vacancy_id, version)

    # -- a disclosure, with step-up: the password again and the code from the mailbox
    asked = await rig.file(mio, kind="disclosure")
    rid = asked["request_id"]
    assert asked["status"] == "awaiting_verification"
    verified = await rig.verify(mio, rid, await rig.code(mio, rid))
    assert verified.status_code == 200, verified.text
    disclosure = await gw.get(f"/v1/me/requests/{rid}/disclosure", headers=mio.headers)
    assert disclosure.status_code == 200, disclosure.text
    held = disclosure.json()
    assert held["identity"]["profile"]["school"] == "Kyoto University"
    [record] = [d["record"] for d in held["disclosures"]]
    assert record["disclosure_id"] == provision and record["recipient_legal_name"] == "Acme K.K."

    # -- a correction of a field the client received: staff answer in time, the client is told
    fix = await rig.file(mio, kind="correction", field="school", value="Osaka University",
                         details="I transferred.")  # fmt: skip
    due = datetime.fromisoformat(fix["due_at"])
    assert (await gw.post(f"/v1/desk/requests/{fix['request_id']}/assignment", json={},
                          headers=staff)).json()["assignee"] == staff_id  # fmt: skip
    answer = {"outcome": "granted", "reason": "We corrected your school."}
    done = await gw.post(f"/v1/desk/requests/{fix['request_id']}/answer", json=answer,
                         headers=staff)  # fmt: skip
    assert done.status_code == 200, done.text
    assert datetime.fromisoformat(done.json()["answered_at"]) <= due
    assert (await gw.get("/v1/me", headers=mio.headers)).json()["profile"]["school"] == (
        "Osaka University")  # fmt: skip
    mail = await rig.mails(mio.email, lambda m: fix["request_id"] in m.subject
                           and "answer" in m.subject.lower())  # fmt: skip
    assert "We corrected your school." in mail.body
    told = await rig.mails("hr@acme.example", lambda m: "corrected" in m.subject)
    assert provision in told.body and "Osaka University" in told.body  # the consent covers it

    # -- a complaint: staff reply in its thread, the person sees the reply
    complaint = await rig.file(mio, kind="complaint", title="Too many emails",
                               details="I get three emails a day.")  # fmt: skip
    cid = complaint["request_id"]
    reply = {"body": "We are sorry: we have fixed the job alerts."}
    r = await gw.post(f"/v1/desk/requests/{cid}/messages", json=reply, headers=staff)
    assert r.status_code == 201, r.text
    page = (await gw.get(f"/v1/me/requests/{cid}", headers=mio.headers)).json()
    assert [m["body"] for m in page["messages"] if m["by"] == "staff"] == [reply["body"]]
    await rig.mails(mio.email, lambda m: cid in m.subject and "reply" in m.subject.lower())

    # -- a second request left unanswered is overdue to the supervisors once its due date passes
    left = await rig.file(mio, kind="deletion", field="gender")
    lid = left["request_id"]
    rig.skip(datetime.fromisoformat(left["due_at"]) - rig.p.desk_clock() + timedelta(hours=1))
    supervisor = await rig.supervisor()

    async def overdue() -> list[dict[str, Any]] | None:
        queue = await every_item(gw, "/v1/desk/queue", supervisor, {"overdue": "true"})
        found = [q for q in queue if q["request_id"] == lid and q["overdue"]]
        return found or None

    await eventually(overdue)
    escalated = await rig.mails("supervisor@example.jp", lambda m: lid in m.subject
                                and m.subject.startswith("Overdue"))  # fmt: skip
    assert "escalated" in escalated.body


async def staff_of(rig: DeskRig, username: str) -> dict[str, str]:
    await rig.p.accounts.register(Profile(username=username, name="Staff",
                                          email=f"{username}@example.jp"), PASSWORD, Role.STAFF)  # fmt: skip
    headers, _ = await rig.p.login(username, PASSWORD)
    return headers


async def test_a_client_is_told_without_the_value_when_consent_no_longer_covers_it(
    rig: DeskRig,
) -> None:
    """The consent withdrawn after the provision: the client learns that the school it
    received was corrected, not the new one; then that the person was erased."""
    staff = await staff_of(rig, "desk.staff2")
    vacancy_id = await a_client(rig, staff, "globex")
    version = (await rig.gw.get("/v1/policy")).json()["current"]["policy_version"]
    ren = await rig.student("ren", school="Tohoku University")
    provision, consent = await applied(rig, ren, vacancy_id, version, "org-globex")
    withdrawn = await rig.gw.delete(f"/v1/me/consents/{consent}", headers=ren.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    r = await rig.gw.patch("/v1/me", json={"school": "Nagoya University"}, headers=ren.headers)
    assert r.status_code == 200, r.text  # the person's own correction counts as much
    told = await rig.mails("hr@globex.example", lambda m: "corrected" in m.subject)
    assert provision in told.body and "school" in told.body
    assert "Nagoya University" not in told.body and "does not cover" in told.body

    erasure = (await rig.file(ren, kind="erasure"))["request_id"]
    assert (await rig.verify(ren, erasure, await rig.code(ren, erasure))).status_code == 200
    gone = await rig.mails(
        "hr@globex.example", lambda m: "erased" in m.subject and provision in m.body
    )
    assert provision in gone.body and "delete the data" in gone.body
