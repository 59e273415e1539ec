"""[W] Every person-facing step of recruitment has its page, in Debian's Chromium against the
real platform: a client posts a paid internship with an application form (a short text, a
choice of two, a yes/no), revises it from its own page, and a student answers the form in
the vacancy's page and applies; the client receives exactly the answers given.

The journey makes its own people, so it passes alone and in any order; every page visited
gets axe-core and a screenshot in both languages (tests/artifacts/web/), and it ends with
nothing sent elsewhere and nothing readable in the browser's storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.support.infra import Infra
from tests.support.wait import eventually
from tests.support.web import PASSWORD, World, a_world, clean, counter, nav, said, sign_in

QUESTIONS = [  # (kind, prompt, choices)
    ("short_text", "大学で学んだことを一言で", []),
    ("one_choice", "希望する勤務地", ["東京", "大阪"]),
    ("yes_no", "2027年の夏に参加できますか", []),
]


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with a_world(infra, tmp_path_factory.mktemp("web-recruit")) as w:
        yield w


async def test_a_client_posts_and_revises_a_form_and_a_student_answers_it_to_apply(
    world: World,
) -> None:
    w = world
    n = next(counter)
    org, legal_name = await w.organisation("JP")
    client, _ = await w.p.login(f"rec.{org}", PASSWORD)
    title, revised = f"Research intern {n}", f"Data research intern {n}"

    # The client posts a paid internship with its three questions, through the page.
    page, eyes = await w.page()
    await sign_in(w, page, f"rec.{org}")
    await nav(page, "自社の求人")
    await page.get_by_label("タイトル").fill(title)
    await page.get_by_label("仕事内容").fill("Analyse survey data with Python.")
    await page.get_by_label("求めるスキル").fill("Python, SQL")
    await page.get_by_label("種類", exact=True).select_option("internship")
    await expect(page.get_by_label("有給のインターンシップ")).to_have_value("yes")
    await page.get_by_label("月額の報酬（円）").fill("150000")
    await page.get_by_label("期間（週）").fill("6")
    for i, (kind, prompt, choices) in enumerate(QUESTIONS, start=1):
        await page.get_by_role("button", name="質問を追加").click()
        await page.get_by_label(f"質問{i}の形式").select_option(kind)
        await page.get_by_label(f"質問{i}の文面").fill(prompt)
        if choices:
            await page.get_by_label(f"質問{i}の選択肢").fill("\n".join(choices))
    await expect(page.get_by_role("checkbox", name="質問3への回答を必須にする")).to_be_checked()
    await eyes.look("client-post-form")
    await page.get_by_role("button", name="掲載する").click()
    await said(page, "掲載しました")
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.get_by_label("質問1の文面")).to_have_count(0)  # the editor is empty again

    own = (await w.p.gateway.get("/v1/organisation/vacancies", headers=client)).json()["items"]
    posted = next(v for v in own if v["title"] == title)
    vacancy_id = posted["vacancy_id"]
    assert posted["revision"] == 1
    assert posted["internship"]["paid"] is True
    assert posted["internship"]["stipend"]["amount"] == 150000
    assert posted["internship"]["duration_weeks"] == 6
    assert [(q["question_id"], q["kind"], q["prompt"], q["choices"]) for q in posted["form"]] == [
        (f"q{i}", kind, prompt, choices) for i, (kind, prompt, choices) in enumerate(QUESTIONS, 1)
    ]

    # It revises it from the edit page linked from its card: the editor starts from the vacancy.
    await page.get_by_role("link", name=f"「{title}」を編集する").click()
    await expect(page.get_by_text("第1版", exact=True)).to_be_visible()
    await expect(page.get_by_label("タイトル")).to_have_value(title)
    await expect(page.get_by_label("質問2の形式")).to_have_value("one_choice")
    await expect(page.get_by_label("質問2の選択肢")).to_have_value("東京\n大阪")
    await expect(page.get_by_label("月額の報酬（円）")).to_have_value("150000")
    await page.get_by_label("タイトル").fill(revised)
    await eyes.look("client-revise")
    await page.get_by_role("button", name="保存する").click()
    await said(page, "第2版として保存しました")
    await expect(page.get_by_text("第2版", exact=True)).to_be_visible()
    now = (await w.p.gateway.get(f"/v1/vacancies/{vacancy_id}", headers=client)).json()
    assert now["revision"] == 2 and now["title"] == revised, now
    assert now["form"] == posted["form"] and now["internship"] == posted["internship"]
    await clean(w, eyes)

    # A student who consented to send the form too answers it in the vacancy's page.
    username = f"mei{n}"
    student, _ = await w.student(username, {"skills": ["Python"]})
    items = ["name", "contact", "school", "resume", "application_form"]
    await w.post("/v1/me/consents", {"purpose": "client_application", "recipient": org,
                 "data_categories": items, "policy_version": "2013-09"}, student)  # fmt: skip
    s_page, s_eyes = await w.page()
    await sign_in(w, s_page, username)
    await s_page.goto(f"{w.web}/vacancies/{vacancy_id}")
    await expect(s_page.get_by_role("heading", name=revised, exact=True)).to_be_visible()
    await s_page.get_by_label("大学で学んだことを一言で（必須）").fill("統計とデータ分析")
    await (
        s_page.get_by_role("group", name="希望する勤務地（必須）")
        .get_by_role("radio", name="大阪")
        .check()
    )
    await (
        s_page.get_by_role("group", name="2027年の夏に参加できますか（必須）")
        .get_by_role("radio", name="はい")
        .check()
    )
    preview = s_page.get_by_label("送信される内容（このとおりに送られます）")
    await expect(preview).to_contain_text('"application_form"')
    await expect(preview).to_contain_text('"answer": "大阪"')
    await s_eyes.look("apply-form")
    await s_page.get_by_role("button", name=f"{legal_name} に送信する").click()
    await said(s_page, "送信しました")
    await s_eyes.look("apply-form-sent")

    # The gateway: shared, and the client's view holds exactly the answers given.
    async def mine() -> dict[str, Any] | None:
        r = await w.p.gateway.get("/v1/me/applications", headers=student)
        return next((a for a in r.json()["items"] if a["vacancy_id"] == vacancy_id), None)

    applied = await eventually(mine)
    assert applied["status"] == "shared", applied

    async def seen() -> dict[str, Any] | None:
        r = await w.p.gateway.get(
            f"/v1/organisation/applications/{applied['application_id']}", headers=client
        )
        return r.json() if r.status_code == 200 and r.json()["data"] is not None else None

    detail = await eventually(seen)
    assert "application_form" in detail["data_items"], detail
    answers = {
        a["question_id"]: (a["prompt"], a["answer"]) for a in detail["data"]["application_form"]
    }
    assert answers == {
        "q1": ("大学で学んだことを一言で", "統計とデータ分析"),
        "q2": ("希望する勤務地", "大阪"),
        "q3": ("2027年の夏に参加できますか", True),
    }, detail["data"]
    await clean(w, s_eyes)
