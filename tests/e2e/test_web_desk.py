"""[W] The desk's pages in Debian's Chromium against the real platform (issue 16's person- and
staff-facing steps): anyone reads the published policy and its versions' diff and complains
without an account; staff answer it from the queue and the answer reaches the guest's mailbox;
a student asks for a correction, staff grant it and it is carried out, and the thread goes
both ways; a student's applications with their states, withdrawal and preferences.

Each journey makes its own people, so they pass alone and in any order; every page visited
gets axe-core and a screenshot in both languages (tests/artifacts/web/), and every journey
ends with nothing sent elsewhere and nothing readable in the browser's storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import expect

from tests.support.infra import Infra
from tests.support.policy import texts
from tests.support.web import (
    PASSWORD,
    World,
    a_world,
    clean,
    counter,
    mail_about,
    nav,
    request_id_of,
    said,
    sign_in,
)


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with a_world(infra, tmp_path_factory.mktemp("web-desk")) as w:
        yield w


async def test_a_guest_reads_the_policy_complains_and_staff_answer_from_the_queue(
    world: World,
) -> None:
    w = world
    n = next(counter)
    older, version = f"2026-desk-{n}a", f"2026-desk-{n}b"
    for v in (older, version):
        body = {"policy_version": v, "effective_at": datetime.now(UTC).isoformat(),
                "changes": [], "texts": texts(v)}  # fmt: skip
        await w.post("/v1/policies", body, w.staff)
    page, eyes = await w.page()

    # The policy, without signing in: the text in effect, its versions, what changed.
    await page.goto(f"{w.web}/")
    await page.get_by_role("link", name="プライバシーポリシー").first.click()
    await expect(page.get_by_text(f"# プライバシーポリシー {version}")).to_be_visible()
    versions = page.get_by_role("table", name="過去の版")
    await expect(versions.get_by_role("row").filter(has_text=version)).to_be_visible()
    await page.get_by_label("比較元の版").select_option(older)
    await page.get_by_label("比較先の版").select_option(version)
    await expect(page.get_by_label("本文の差分")).to_contain_text(
        f"+# プライバシーポリシー {version}"
    )
    await eyes.look("policy")

    # A complaint without an account, answered by email.
    guest = f"guest{n}@example.jp"
    await page.get_by_role("link", name="苦情・お問い合わせ").first.click()
    await page.get_by_label("メールアドレス").fill(guest)
    await page.get_by_label("件名").fill("Too many emails")
    await page.get_by_label("内容").fill(f"I never asked for these messages ({n}).")
    await eyes.look("guest-complaint")
    await page.get_by_role("button", name="送信", exact=True).click()
    await said(page, "受け付けました")
    await eyes.look("guest-filed")
    reference = (await page.get_by_role("status").first.inner_text()).split("受付番号：")[1][:36]
    await clean(w, eyes)

    # Staff: the queue by due date, the request, the answer.
    staff_page, staff_eyes = await w.page()
    await sign_in(w, staff_page, "staff")
    await nav(staff_page, "相談窓口")
    await staff_page.get_by_label("種類").select_option("complaint")
    row = staff_page.get_by_role("row").filter(has_text="アカウントなし").first
    await expect(row).to_be_visible()
    await staff_eyes.look("desk-queue")
    await staff_page.goto(f"{w.web}/staff/desk/{reference}")
    await expect(staff_page.get_by_text(f"I never asked for these messages ({n}).")).to_be_visible()
    await staff_page.get_by_role("button", name="自分が担当する").click()
    await expect(staff_page.get_by_role("button", name="自分が担当する")).to_have_count(0)
    await staff_page.get_by_label("本人への回答").fill(f"We stopped them ({n}).")
    await staff_eyes.look("desk-request")
    await staff_page.get_by_role("button", name="回答を送る").click()
    await said(staff_page, "回答しました")
    await expect(staff_page.get_by_text("回答しました").first).to_be_visible()
    assert f"We stopped them ({n})." in await mail_about(w, guest, f"We stopped them ({n}).")
    await staff_page.get_by_label("メッセージ").fill("Write to us again at any time.")
    await staff_page.get_by_role("button", name="送信", exact=True).click()
    await expect(staff_page.get_by_text("Write to us again at any time.")).to_be_visible()
    await staff_page.get_by_role("button", name="完了にする").click()
    await expect(staff_page.get_by_text("完了", exact=True).first).to_be_visible()
    await staff_eyes.look("desk-request-closed")
    await clean(w, staff_eyes)


async def test_a_student_asks_for_a_correction_staff_grant_it_and_they_talk_in_its_thread(
    world: World,
) -> None:
    w = world
    n = next(counter)
    username = f"yui{n}"
    await w.student(username)
    page, eyes = await w.page()
    await sign_in(w, page, username)
    await nav(page, "プライバシーセンター")
    await nav(page, "請求と相談")
    await eyes.look("my-requests")
    await page.get_by_role("link", name="新しい請求・相談").click()
    await page.get_by_label("種類").select_option("correction")
    await page.get_by_label("項目").select_option("school")
    await page.get_by_label("新しい内容").fill("Osaka University")
    await page.get_by_label("詳細").fill("I moved to Osaka last spring.")
    await eyes.look("new-request")
    await page.get_by_role("button", name="送信する").click()
    asked = await request_id_of(page)
    await expect(page.get_by_text("対応中").first).to_be_visible()
    await page.get_by_label("メッセージ").fill("Thank you in advance!")
    await page.get_by_role("button", name="送信", exact=True).click()
    await expect(page.get_by_text("Thank you in advance!")).to_be_visible()
    await eyes.look("my-request")

    staff_page, staff_eyes = await w.page()
    await sign_in(w, staff_page, "staff")
    await staff_page.goto(f"{w.web}/staff/desk/{asked}")
    await expect(staff_page.get_by_text("Osaka University")).to_be_visible()
    await expect(staff_page.get_by_text("Thank you in advance!")).to_be_visible()
    await staff_page.get_by_label("メッセージ").fill("We are checking your school's records.")
    await staff_page.get_by_role("button", name="送信", exact=True).click()
    await expect(staff_page.get_by_text("We are checking your school's records.")).to_be_visible()
    await staff_page.get_by_label("本人への回答").fill("Corrected as you asked.")
    await expect(
        staff_page.get_by_role("checkbox", name="認める内容をすぐに実行する")
    ).to_be_checked()
    await staff_page.get_by_role("button", name="回答を送る").click()
    await said(staff_page, "回答しました")

    await page.reload()
    await expect(page.get_by_text("Corrected as you asked.")).to_be_visible()
    await expect(page.get_by_text("対応しました").first).to_be_visible()
    who, _ = await w.p.login(username, PASSWORD)
    me = (await w.p.gateway.get("/v1/me", headers=who)).json()
    assert me["profile"]["school"] == "Osaka University", me
    await expect(page.get_by_text("We are checking your school's records.")).to_be_visible()
    await eyes.look("my-request-answered")
    await clean(w, eyes)
    await clean(w, staff_eyes)


async def test_a_students_applications_with_their_states_withdrawal_and_preferences(
    world: World,
) -> None:
    w = world
    org, _ = await w.organisation("JP")
    client, _ = await w.p.login(f"rec.{org}", PASSWORD)
    n = next(counter)
    vacancy = await w.post("/v1/vacancies", {"title": f"Platform intern {n}", "kind": "internship",
                           "internship": {"paid": True, "duration_weeks": 8, "stipend": {"amount": 150000}}, "skills": ["Go"],
                           "location_country": "JP"}, client)  # fmt: skip
    username = f"rin{n}"
    student, _ = await w.student(username, {"skills": ["Go"]})
    await w.post("/v1/me/consents", {"purpose": "client_application", "recipient": org,
                 "data_categories": ["name", "contact"], "policy_version": "2013-09"}, student)  # fmt: skip
    applied = await w.post("/v1/me/applications", {"vacancy_id": vacancy["vacancy_id"],
                           "data_items": ["name", "contact"]}, student)  # fmt: skip
    assert applied["status"] == "shared", applied
    await w.post(f"/v1/organisation/applications/{applied['application_id']}/steps",
                 {"action": "review", "message": "We are reading it."}, client)  # fmt: skip

    page, eyes = await w.page()
    await sign_in(w, page, username)
    await nav(page, "応募状況")
    row = page.get_by_role("row").filter(has_text=f"Platform intern {n}")
    await expect(row).to_contain_text("選考中")
    await row.get_by_role("link").click()
    await expect(page.get_by_text("We are reading it.")).to_be_visible()
    await eyes.look("application")
    await page.get_by_role("button", name="応募を取り下げる").click()
    await said(page, "応募を取り下げました")
    await expect(page.get_by_text("取り下げ済み").first).to_be_visible()
    seen = await w.p.gateway.get(f"/v1/organisation/applications/{applied['application_id']}",
                                 headers=client)  # fmt: skip
    assert seen.json()["access"] == "application_withdrawn" and seen.json()["data"] is None

    await nav(page, "希望条件")
    await page.get_by_role("checkbox", name="インターンシップ").check()
    await page.get_by_role("checkbox", name="リモート").check()
    await page.get_by_role("button", name="期間を追加").click()
    await page.get_by_label("開始日").fill("2027-07-01")
    await page.get_by_label("終了日").fill("2027-08-31")
    await page.get_by_role("button", name="保存").click()
    await said(page, "保存しました")
    await eyes.look("preferences")
    saved = (await w.p.gateway.get("/v1/me/preferences", headers=student)).json()
    assert saved["kinds"] == ["internship"] and saved["work_modes"] == ["remote"]
    assert saved["available"] == [{"start": "2027-07-01", "end": "2027-08-31"}]
    await clean(w, eyes)
