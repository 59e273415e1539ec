"""The desk with the real platform (tests/support/platform.py): identity, consent, matching,
notifications over a real SMTP server, real Kafka and PostgreSQL, through the gateway.

Each test makes its own people; the desk's clock only moves forward (by `skip`), and each
test reads due dates and codes relative to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from ac_desk.jobs import remove_guests
from ac_events.catalogue.streams import retention_stream
from tests.support.desk import DeskRig
from tests.support.infra import Infra, unique_prefix
from tests.support.pages import every_item
from tests.support.platform import platform
from tests.support.wait import eventually


@pytest.fixture(scope="module")
async def rig(infra: Infra) -> AsyncIterator[DeskRig]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        yield DeskRig(p)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_a_correction_waits_for_staff_who_answer_and_the_field_changes(rig: DeskRig) -> None:
    amy = await rig.student("amy.desk", school="Old School")
    filed = await rig.file(amy, kind="correction", field="school", value="New School",
                           details="I moved")  # fmt: skip
    assert filed["status"] == "open" and not filed["verification"]["needed"]
    due, filed_at = at(filed["due_at"]), at(filed["filed_at"])
    assert timedelta(days=13, hours=23) < due - filed_at <= timedelta(days=14)

    staff = await rig.supervisor()
    queue = await every_item(rig.gw, "/v1/desk/queue", staff, {"kind": "correction"})
    assert filed["request_id"] in [q["request_id"] for q in queue]
    dues = [q["due_at"] for q in queue]
    assert dues == sorted(dues)

    rid = filed["request_id"]
    r = await rig.gw.post(f"/v1/desk/requests/{rid}/answer", headers=staff,
                          json={"outcome": "granted", "reason": "Corrected, as you asked."})  # fmt: skip
    assert r.status_code == 200, r.text
    answered = r.json()
    assert answered["status"] == "closed" and answered["answers"][0]["actions"] == [
        "profile.school corrected"
    ]
    me = (await rig.gw.get("/v1/me", headers=amy.headers)).json()
    assert me["profile"]["school"] == "New School"
    page = (await rig.gw.get(f"/v1/me/requests/{rid}", headers=amy.headers)).json()
    assert page["answers"][0]["reason"] == "Corrected, as you asked."
    mail = await rig.mails(amy.email, lambda m: "answer" in m.subject.lower())
    assert "Corrected, as you asked." in mail.body and rid in mail.subject
    # Answering twice is refused; nobody else sees the request.
    again = await rig.gw.post(f"/v1/desk/requests/{rid}/answer", headers=staff,
                              json={"outcome": "refused", "reason": "No."})  # fmt: skip
    assert again.status_code == 409
    bob = await rig.student("bob.desk")
    assert (await rig.gw.get(f"/v1/me/requests/{rid}", headers=bob.headers)).status_code == 404


async def test_a_disclosure_asks_for_the_password_and_the_emailed_code(rig: DeskRig) -> None:
    cleo = await rig.student("cleo.desk")
    filed = await rig.file(cleo, kind="disclosure")
    rid = filed["request_id"]
    assert filed["status"] == "awaiting_verification" and filed["due_at"] is None
    code = await rig.code(cleo, rid)
    assert (await rig.gw.get(f"/v1/me/requests/{rid}/disclosure",
                             headers=cleo.headers)).status_code == 409  # fmt: skip
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = await rig.verify(cleo, rid, wrong)
    assert r.status_code == 401 and r.json()["detail"]["reason"] == "step_up_failed"
    assert r.json()["detail"]["tries_left"] == 4
    r = await rig.verify(cleo, rid, code, password="not my password at all")
    assert r.status_code == 401 and r.json()["detail"]["tries_left"] == 3
    r = await rig.verify(cleo, rid, code)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "closed" and done["answers"][0]["outcome"] == "granted"
    assert done["verification"]["method"] == "password_and_code"
    assert done["due_at"] is not None and done["disclosure_until"] is not None
    disclosure = await rig.gw.get(f"/v1/me/requests/{rid}/disclosure", headers=cleo.headers)
    assert disclosure.status_code == 200, disclosure.text
    body = disclosure.json()
    assert body["identity"]["profile"]["email"] == cleo.email
    assert body["disclosures"] == [] and body["request_id"] == rid
    # Another person cannot use it; it expires.
    dan = await rig.student("dan.desk")
    assert (await rig.gw.get(f"/v1/me/requests/{rid}/disclosure",
                             headers=dan.headers)).status_code == 404  # fmt: skip
    rig.skip(timedelta(days=8))
    gone = await rig.gw.get(f"/v1/me/requests/{rid}/disclosure", headers=cleo.headers)
    assert gone.status_code == 410


async def test_a_code_expires_after_ten_minutes_and_dies_after_five_wrong_tries(
    rig: DeskRig,
) -> None:
    eve = await rig.student("eve.desk")
    rid = (await rig.file(eve, kind="disclosure"))["request_id"]
    code = await rig.code(eve, rid)
    rig.skip(timedelta(minutes=11))
    r = await rig.verify(eve, rid, code)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "code_expired"
    r = await rig.gw.post(f"/v1/me/requests/{rid}/code", headers=eve.headers)
    assert r.status_code == 201 and r.json()["number"] == 2
    soon = await rig.gw.post(f"/v1/me/requests/{rid}/code", headers=eve.headers)
    assert soon.status_code == 429  # a new code a minute apart at most
    second = await rig.code(eve, rid, number=2)
    wrong = f"{(int(second) + 1) % 10**6:06d}"
    for _ in range(5):
        assert (await rig.verify(eve, rid, wrong)).status_code == 401
    r = await rig.verify(eve, rid, second)
    assert r.status_code == 429 and r.json()["detail"]["reason"] == "code_tries_used"


async def test_an_email_change_goes_through_step_up_and_not_through_patch_me(
    rig: DeskRig,
) -> None:
    fay = await rig.student("fay.desk")
    r = await rig.gw.patch("/v1/me", json={"email": "fay.new@example.jp"}, headers=fay.headers)
    assert r.status_code == 403 and r.json()["detail"]["reason"] == "step_up_required"
    filed = await rig.file(fay, kind="correction", field="email", value="fay.new@example.jp")
    assert filed["status"] == "awaiting_verification"
    r = await rig.verify(fay, filed["request_id"], await rig.code(fay, filed["request_id"]))
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    me = (await rig.gw.get("/v1/me", headers=fay.headers)).json()
    assert me["profile"]["email"] == "fay.new@example.jp"


async def test_a_cessation_of_use_resting_on_consent_is_done_at_once(rig: DeskRig) -> None:
    gus = await rig.student("gus.desk")
    grant = {"purpose": "marketing", "policy_version": "2013-09"}
    consent = await rig.gw.post("/v1/me/consents", json=grant, headers=gus.headers)
    assert consent.status_code == 201, consent.text
    filed = await rig.file(gus, kind="cessation_of_use", purpose="marketing")
    assert filed["status"] == "closed", filed
    [answer] = filed["answers"]
    assert answer["answered_by"] is None
    assert answer["actions"] == [f"consent {consent.json()['consent_id']} withdrawn"]
    page = (await rig.gw.get("/v1/me/consents", headers=gus.headers)).json()
    assert [c["status"] for c in page["consents"]] == ["withdrawn"]
    # A purpose without a consent to withdraw waits for staff.
    other = await rig.file(gus, kind="cessation_of_use", purpose="product_improvement")
    assert other["status"] == "open"


async def test_a_request_left_unanswered_is_warned_of_then_escalated(rig: DeskRig) -> None:
    hal = await rig.student("hal.desk")
    filed = await rig.file(hal, kind="enquiry", title="Where is my CV kept?",
                           details="Which country are your servers in?")  # fmt: skip
    rid, due = filed["request_id"], at(filed["due_at"])
    supervisor = await rig.supervisor()
    await rig.deadlines()
    page = (await rig.gw.get(f"/v1/desk/requests/{rid}", headers=supervisor)).json()
    assert page["overdue"] is False

    rig.skip(due - rig.p.desk_clock() - timedelta(days=2))  # two days before it is due
    await rig.deadlines()
    mail = await rig.mails("supervisor@example.jp", lambda m: rid in m.subject)
    assert mail.subject.startswith("Due soon")

    rig.skip(timedelta(days=3))  # a day past it
    await rig.deadlines()
    mail = await rig.mails("supervisor@example.jp",
                           lambda m: rid in m.subject and m.subject.startswith("Overdue"))  # fmt: skip
    queue = await every_item(rig.gw, "/v1/desk/queue", supervisor, {"overdue": "true"})
    assert rid in [q["request_id"] for q in queue]
    assert all(q["overdue"] for q in queue)
    assert (await rig.deadlines()) == 0  # each is escalated once


async def test_a_complaint_without_an_account_is_answered_by_email_and_kept_a_year(
    rig: DeskRig,
) -> None:
    r = await rig.gw.post("/v1/enquiries", json={
        "kind": "complaint", "email": "someone@example.org", "title": "Spam",
        "message": "You emailed me though I never registered.", "language": "en"})  # fmt: skip
    assert r.status_code == 201, r.text
    rid = r.json()["request_id"]
    received = await rig.mails("someone@example.org", lambda m: rid in m.subject)
    assert "We have your complaint" in received.subject
    staff = await rig.supervisor()
    page = (await rig.gw.get(f"/v1/desk/requests/{rid}", headers=staff)).json()
    assert page["account"] is False and page["details"].startswith("You emailed me")
    answer = {"outcome": "answered", "reason": "We hold nothing of yours: we are sorry."}
    r = await rig.gw.post(f"/v1/desk/requests/{rid}/answer", json=answer, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "answered", r.text
    mail = await rig.mails("someone@example.org", lambda m: "answer" in m.subject.lower())
    assert "we are sorry" in mail.body
    assert (await rig.gw.post(f"/v1/desk/requests/{rid}/close", headers=staff)).status_code == 200

    desk = rig.p.desk.state.deps.desk
    guest = page["subject_id"]
    assert guest.startswith("guest-")
    assert await remove_guests(desk) == 0  # closed today: kept
    rig.skip(timedelta(days=367))
    assert await remove_guests(desk) >= 1
    r = await rig.gw.get(f"/v1/desk/requests/{rid}", headers=staff)
    assert r.status_code == 200 and r.json()["details"] is None  # the guest's key is gone
    async with desk.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM requests WHERE request_id = $1",
                                   UUID(rid)) == 0  # fmt: skip
    [last] = (await desk.events.read_stream(retention_stream("desk")))[-1:]
    assert last.payload.removed >= 1 and last.payload.period_days == 365


async def test_staff_file_a_request_by_post_with_the_document_checked(rig: DeskRig) -> None:
    ivy = await rig.student("ivy.desk")
    staff = await rig.supervisor()
    body = {"subject_id": ivy.subject, "kind": "disclosure", "channel": "post", "language": "en",
            "verification": {"method": "document", "document": "residence card (checked)"}}  # fmt: skip
    r = await rig.gw.post("/v1/desk/requests", json=body, headers=staff)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["channel"] == "post" and out["status"] == "open" and out["due_at"]
    assert out["verification"]["method"] == "document"
    assert out["verification"]["document"] == "residence card (checked)"
    nobody = {**body, "subject_id": "no-such-person"}
    r = await rig.gw.post("/v1/desk/requests", json=nobody, headers=staff)
    assert r.status_code == 422 and r.json()["detail"]["reason"] == "unknown_person"


async def test_the_monthly_report_counts_by_kind(rig: DeskRig) -> None:
    jan = await rig.student("jan.desk")
    await rig.file(jan, kind="enquiry", title="Q", details="A question")
    staff = await rig.supervisor()
    report = (await rig.gw.get("/v1/desk/report", headers=staff)).json()
    assert report["target_days"] == 14
    months = report["months"]
    assert sum(m["by_kind"].get("enquiry", 0) for m in months) >= 1
    answered = [m for m in months if m["answered"]]
    assert all(m["median_days"] is not None and m["worst_days"] >= m["median_days"]
               for m in answered)  # fmt: skip


async def test_an_erasure_through_the_desk_ends_the_account_and_closes_its_requests(
    rig: DeskRig,
) -> None:
    kim = await rig.student("kim.desk")
    waiting = await rig.file(kim, kind="enquiry", title="Q", details="Left open")
    filed = await rig.file(kim, kind="erasure")
    rid = filed["request_id"]
    r = await rig.verify(kim, rid, await rig.code(kim, rid))
    assert r.status_code == 200 and r.json()["answers"][0]["actions"] == ["erasure requested"]
    gone = await rig.gw.get("/v1/me", headers=kim.headers)  # the token ended with the account
    assert (gone.status_code, gone.json()["detail"]["reason"]) == (401, "session_ended")
    desk = rig.p.desk.state.deps.desk

    async def closed() -> bool:
        async with desk.pool.acquire() as conn:
            status = await conn.fetchval("SELECT status FROM requests WHERE request_id = $1",
                                         UUID(waiting["request_id"]))  # fmt: skip
        return bool(status == "closed")

    await eventually(closed)


async def test_a_persons_requests_and_the_queue_come_in_pages_without_repeats(
    rig: DeskRig,
) -> None:
    kai = await rig.student("kai.pages")
    filed = [(await rig.file(kai, kind="complaint", details=f"Number {i}"))["request_id"]
             for i in range(3)]  # fmt: skip
    pages, cursor = [], None
    while True:
        r = await rig.gw.get("/v1/me/requests", headers=kai.headers,
                             params={"limit": "1", **({"cursor": cursor} if cursor else {})})  # fmt: skip
        assert r.status_code == 200, r.text
        pages.append([q["request_id"] for q in r.json()["items"]])
        if (cursor := r.json()["next_cursor"]) is None:
            break
    assert pages == [[rid] for rid in reversed(filed)]  # newest first, one a page

    staff = await rig.supervisor()
    whole = await every_item(rig.gw, "/v1/desk/queue", staff, {"kind": "complaint"})
    by_two: list[str] = []
    cursor = None
    while True:
        r = await rig.gw.get("/v1/desk/queue", headers=staff, params={
            "kind": "complaint", "limit": "2", **({"cursor": cursor} if cursor else {})})  # fmt: skip
        assert r.status_code == 200, r.text
        by_two += [q["request_id"] for q in r.json()["items"]]
        if (cursor := r.json()["next_cursor"]) is None:
            break
    assert by_two == [q["request_id"] for q in whole] and set(filed) <= set(by_two)
    assert len(set(by_two)) == len(by_two)
    bad = await rig.gw.get("/v1/desk/queue", headers=staff, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422 and bad.json()["detail"]["reason"] == "bad_cursor", bad.text
