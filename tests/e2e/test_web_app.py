"""[W] The web app in Debian's Chromium against the real platform: a student, a client, staff
and an auditor each use it as a person would (roles and labels, in Japanese first).

One platform (identity, consent, resumes, matching, notifications with a real SMTP
server, audit, the desk; the gateway on a real port) and the built app on a port of its own
serve the module; each journey makes its own people and organisations, so the
journeys pass alone and in any order. On every page visited: axe-core (no serious or
critical violation) and a screenshot in Japanese and in English
(tests/artifacts/web/); on every journey: no request to any origin but the app's
and the gateway's, no CSP violation, nothing readable in localStorage,
sessionStorage or `document.cookie`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.support.infra import Infra
from tests.support.web import (
    PASSWORD,
    World,
    a_world,
    clean,
    counter,
    downloaded,
    mail_code,
    mail_link,
    nav,
    pdf_of,
    refused,
    request_id_of,
    said,
    sign_in,
)

SENSITIVE = "I am a practising Buddhist and volunteer at my temple."


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with a_world(infra, tmp_path_factory.mktemp("web")) as w:
        yield w


async def test_a_student_from_registration_to_erasure(world: World) -> None:
    w = world
    org, legal_name = await w.organisation("JP")
    client, _ = await w.p.login(f"rec.{org}", PASSWORD)
    word = f"kumo{next(counter)}"
    for title in (f"Backend engineer {word}", f"Data engineer {word}"):
        body = {"title": title, "description": "Python APIs.", "skills": ["Python", "SQL"],
                "location_country": "JP"}  # fmt: skip
        await w.post("/v1/vacancies", body, client)
    username = f"hana{next(counter)}"
    page, eyes = await w.page()

    # Register; open the link of the email the SMTP server received; sign in.
    await page.goto(f"{w.web}/register")
    await eyes.look("register")
    await page.get_by_label("ユーザー名").fill(username)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_label("氏名").fill("Hana Sato")
    await page.get_by_label("メールアドレス").fill(f"{username}@example.jp")
    await page.get_by_label("学校名").fill("Kyoto University")
    await page.get_by_role("button", name="登録する").click()
    await said(page, "確認メール")
    link = await mail_link(w, f"{username}@example.jp")
    assert link.startswith(f"{w.web}/verify-email?token=")
    await page.goto(link)
    await said(page, "メールアドレスを確認しました")
    await eyes.look("verify-email")
    await page.goto(f"{w.web}/sign-in")
    await eyes.look("sign-in")
    await sign_in(w, page, username)
    await eyes.look("home-student")
    # A reload keeps the session: the access token is renewed through the httpOnly cookie.
    await page.reload()
    await expect(page.get_by_role("button", name="ログアウト")).to_be_visible()

    # The CV as a PDF, refused for a sensitive sentence, the refusal explained; volunteered.
    await nav(page, "履歴書")
    await page.get_by_label("スキル").fill("Python, SQL")
    await page.get_by_label("言語", exact=True).fill("Japanese, English")
    await page.get_by_label("希望職種").fill("Backend engineer")
    await page.get_by_label("履歴書PDF（任意）").set_input_files(
        pdf_of(w.tmp / f"{username}.pdf", "Hana Sato, Kyoto University", SENSITIVE)
    )
    await page.get_by_role("button", name="履歴書を登録する").click()
    refusal = page.get_by_role("alert").first
    await expect(refusal).to_contain_text("要配慮個人情報が含まれているため")
    await expect(refusal).to_contain_text("信条・宗教")
    await eyes.look("resume-refused")
    await expect(page.get_by_role("checkbox", name="信条・宗教")).to_be_checked()
    await page.get_by_role("button", name="これらを自分の意思で提供し、保存する").click()
    await said(page, "履歴書を保存しました")
    await expect(page.get_by_text("ご本人が提供した要配慮個人情報: 信条・宗教")).to_be_visible()
    await eyes.look("resume")

    # Consents: vacancy assessment in the company, then applications to the Japanese client.
    await nav(page, "プライバシーセンター")
    await page.get_by_role("button", name="同意する", exact=True).click()
    await said(page, "同意を記録しました")
    await page.get_by_label("利用目的").select_option("client_application")
    await page.get_by_label("提供先", exact=True).fill(org)
    await expect(page.get_by_text(legal_name)).to_be_visible()
    await page.get_by_role("checkbox", name="信条・宗教").check()
    await page.get_by_role("button", name="同意する", exact=True).click()
    await expect(page.get_by_role("row").filter(has_text=org)).to_be_visible()
    await eyes.look("consents")

    # Matches with their reasons; search; apply, seeing exactly what goes to whom, where.
    await nav(page, "おすすめ")
    await expect(page.get_by_role("link", name=f"Backend engineer {word}")).to_be_visible()
    await expect(page.get_by_text("理由（一致したスキル）: Python, SQL").first).to_be_visible()
    await eyes.look("matches")
    await nav(page, "求人・インターン")
    await page.get_by_role("searchbox", name="キーワード").fill(word)
    await page.get_by_role("button", name="検索").click()
    await said(page, "2件")
    await eyes.look("vacancies")
    await page.get_by_role("link", name=f"Backend engineer {word}").click()
    await expect(page.get_by_text("日本").first).to_be_visible()
    preview = page.get_by_label("送信される内容（このとおりに送られます）")
    await expect(preview).to_contain_text('"name": "Hana Sato"')
    await expect(preview).to_contain_text(f"{username}@example.jp")
    await eyes.look("vacancy-apply")
    await page.get_by_role("button", name=f"{legal_name} に送信する").click()
    await said(page, f"{legal_name} に送信しました")
    await page.get_by_role("link", name="提供の記録を見る").click()
    row = page.get_by_role("row").filter(has_text=legal_name)
    await expect(row).to_contain_text("ご本人の同意")
    await expect(row).to_contain_text("日本")
    await eyes.look("disclosures")

    # Withdraw with one click; the next application is refused, the reason in Japanese.
    await nav(page, "同意")
    await (
        page.get_by_role("row").filter(has_text=org).get_by_role("button", name="撤回する").click()
    )
    await expect(page.get_by_role("row").filter(has_text=org)).to_have_count(0)
    await nav(page, "求人・インターン")
    await page.get_by_role("link", name=f"Data engineer {word}").click()
    await page.get_by_role("button", name=f"{legal_name} に送信する").click()
    await refused(page, "送信されませんでした: 同意が撤回されています")
    await eyes.look("apply-refused")
    await nav(page, "応募状況")
    await expect(page.get_by_role("row").filter(has_text=f"Data engineer {word}")).to_contain_text(
        "未送信"
    )
    await eyes.look("applications")
    await nav(page, "ジョブアラート")
    await page.get_by_label("キーワード").fill("python")
    await page.get_by_role("button", name="登録する").click()
    await expect(page.get_by_role("button", name="このアラートを停止する")).to_be_visible()
    await eyes.look("alerts")
    await nav(page, "お知らせ")
    await expect(page.get_by_role("cell", name="メールアドレスの確認")).to_be_visible()
    await eyes.look("notifications")

    # A disclosure: a request to the desk, verified with the password and the emailed code,
    # then shown and downloaded as JSON.
    email = f"{username}@example.jp"
    await nav(page, "プライバシーセンター")
    await nav(page, "データの開示")
    await page.get_by_role("button", name="開示を請求する").click()
    asked = await request_id_of(page)
    await expect(page.get_by_text("ご本人確認待ち").first).to_be_visible()
    await eyes.look("request-step-up")
    code = await mail_code(w, email, asked)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_label("確認コード").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    await page.get_by_role("button", name="確認する", exact=True).click()
    await refused(page, "パスワードまたはコードが正しくありません")  # a wrong code is refused
    await expect(page.get_by_text("残り4回")).to_be_visible()
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_label("確認コード").fill(code)
    await page.get_by_role("button", name="確認する", exact=True).click()
    await expect(page.get_by_text("対応しました").first).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text=legal_name)).to_contain_text("日本")
    await eyes.look("request-disclosure")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="JSONでダウンロード").click()
    exported = json.loads(await downloaded(await download.value))
    assert exported["identity"]["profile"]["name"] == "Hana Sato"
    assert exported["resume"]["declared_sensitive"] == ["beliefs_religion"]
    assert exported["request_id"] == asked
    await nav(page, "窓口への請求と相談")
    await expect(page.get_by_role("row").filter(has_text="保有個人データの開示")).to_contain_text(
        "対応しました"
    )
    await eyes.look("requests")
    await clean(w, eyes)

    # Erasure: a request too, the grace period shown, verified the same way; then it is done.
    await nav(page, "アカウントの削除")
    await expect(page.get_by_text("猶予期間（0.5秒）")).to_be_visible()
    await eyes.look("erase")
    await page.get_by_role("checkbox", name="削除すると元に戻せないことを理解しました").check()
    await page.get_by_role("button", name="アカウントを削除する").click()
    erasure = await request_id_of(page)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_label("確認コード").fill(await mail_code(w, email, erasure))
    await page.get_by_role("button", name="確認する", exact=True).click()
    await said(page, "アカウントを削除しました")
    r = await w.p.gateway.post("/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 401
    await clean(w, eyes)


async def test_a_client_posts_sees_anonymous_candidates_reads_an_application_and_closes(
    world: World,
) -> None:
    w = world
    org, legal_name = await w.organisation("JP")
    n = next(counter)
    student, _ = await w.student(f"ken{n}", {"skills": ["Go", "Rust"], "languages": ["Japanese"]})
    for purpose, extra in (("vacancy_assessment", {}),
                           ("client_application", {"recipient": org, "data_categories": ["name", "contact", "school", "resume"]})):  # fmt: skip
        await w.post(
            "/v1/me/consents", {"purpose": purpose, "policy_version": "2013-09", **extra}, student
        )
    page, eyes = await w.page()
    await sign_in(w, page, f"rec.{org}")
    await nav(page, "自社情報")
    await expect(page.get_by_text(legal_name)).to_be_visible()
    await eyes.look("client-organisation")

    await nav(page, "自社の求人")
    title = f"Systems engineer {n}"
    await page.get_by_label("タイトル").fill(title)
    await page.get_by_label("仕事内容").fill("Go services at scale.")
    await page.get_by_label("求めるスキル").fill("Go, Rust")
    await page.get_by_role("button", name="掲載する").click()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await eyes.look("client-vacancies")
    listed = (await w.p.gateway.get("/v1/vacancies", headers=student)).json()["items"]
    vacancy = next(v for v in listed if v["title"] == title)

    # Candidates: an anonymous reference, the score and the skills that matched; no name.
    await page.get_by_role("link", name=f"「{title}」の候補者").click()
    for _ in range(50):  # matching scores the vacancy against the CV as it reads the post
        await page.get_by_role("table").or_(page.get_by_text("まだ候補者はいません。")).wait_for()
        if await page.get_by_role("cell", name="Go, Rust").count():
            break
        await page.reload()
    await expect(page.get_by_role("cell", name="Go, Rust")).to_be_visible()
    assert f"Ken{n}" not in await page.content()
    await eyes.look("client-candidates")

    # The student applies; the client reads exactly what was sent.
    applied = await w.post("/v1/me/applications", {"vacancy_id": vacancy["vacancy_id"]}, student)
    assert applied["status"] == "shared", applied
    await nav(page, "自社情報")
    received = (
        page.get_by_role("region", name="受け取った応募")
        .get_by_role("link")
        .filter(has_text="連絡先")
    )
    await expect(received).to_be_visible(timeout=30_000)  # the list refreshes every 5 s
    await received.click()
    snapshot = page.get_by_label("受け取った情報 (JSON)")
    await expect(snapshot).to_contain_text(f'"name": "Ken{n}"')
    await expect(snapshot).to_contain_text("Kyoto University")
    await eyes.look("client-received")

    # Moved on through its states, with a message the student reads; the student withdraws.
    await nav(page, "自社の求人")
    await page.get_by_role("link", name=f"「{title}」への応募").click()
    await expect(page.get_by_role("row").filter(has_text="応募済み")).to_be_visible()
    await eyes.look("client-applications")
    await page.get_by_role("row").filter(has_text="応募済み").get_by_role("link").click()
    await page.get_by_label("学生へのメッセージ（任意）").fill("Thank you: we are reading it.")
    await page.get_by_role("button", name="選考を始める").click()
    await said(page, "学生に通知されます")
    await page.get_by_role("button", name="面接に招く").click()
    await expect(page.get_by_text("面接").first).to_be_visible()
    await eyes.look("client-application")
    mine = await w.p.gateway.get(
        f"/v1/me/applications/{applied['application_id']}", headers=student
    )
    assert mine.json()["state"] == "interview"
    assert "Thank you: we are reading it." in [c["message"] for c in mine.json()["history"]]

    await nav(page, "自社の求人")
    await page.get_by_role("button", name=f"「{title}」の募集を終了する").click()
    await expect(page.get_by_role("listitem").filter(has_text=title)).to_contain_text(
        "募集終了（取り下げ）"
    )
    r = await w.p.gateway.get(f"/v1/vacancies/{vacancy['vacancy_id']}", headers=student)
    assert r.json()["open"] is False
    await clean(w, eyes)


async def test_staff_run_the_platform_and_a_student_meets_what_they_published(
    world: World,
) -> None:
    w = world
    n = next(counter)
    org = f"berlin{n}"
    student, subject = await w.student(f"mia{n}", {"skills": ["Python"]})
    await w.post(
        "/v1/me/consents", {"purpose": "product_improvement", "policy_version": "2013-09"}, student
    )
    page, eyes = await w.page()
    await sign_in(w, page, "staff")
    await eyes.look("home-staff")
    await page.goto(f"{w.web}/staff/organisations")
    for label, value in (("企業ID", org), ("正式名称", f"Berlin Data {n} GmbH"),
                         ("住所", "Unter den Linden 1, Berlin"), ("代表者", "Lena Weber"), ("提供先の国", "DE")):  # fmt: skip
        await page.get_by_label(label).fill(value)
    await page.get_by_role("button", name="登録する").click()
    await said(page, f"{org} を登録しました")
    await eyes.look("staff-organisations")

    await nav(page, "アカウントの作成")
    await page.get_by_label("企業ID").fill(org)
    await page.get_by_label("ユーザー名").fill(f"rec.{org}")
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_label("氏名").fill("Lena Weber")
    await page.get_by_label("メールアドレス").fill(f"lena@{org}.example")
    await page.get_by_role("button", name="作成する").click()
    await said(page, f"rec.{org} を作成しました")
    await eyes.look("staff-accounts")

    await nav(page, "外国の情報")
    await page.get_by_label("国", exact=True).fill("DE")
    await page.get_by_label("国名").fill("ドイツ")
    await page.get_by_label("その国の個人情報保護制度").fill(
        "EU一般データ保護規則（GDPR）が適用されます。"
    )
    await page.get_by_label("提供先が講ずる保護措置").fill("標準契約条項を締結しています。")
    await page.get_by_role("button", name="公表する").click()
    await said(page, "公表しました（SHA-256")
    await eyes.look("staff-country-notices")

    await nav(page, "プライバシーポリシー")
    version = f"2026-{n:02d}"
    await page.get_by_label("版", exact=True).fill(version)
    await page.get_by_label("施行日時").fill("2026-01-01T00:00")
    await page.get_by_label("本文（日本語、Markdown）").fill(f"プライバシーポリシー {version}")
    await page.get_by_label("本文（英語、Markdown）").fill(f"Privacy policy {version}")
    await page.get_by_label("サービスの改善: 重要な変更（再同意が必要）").check()
    await page.get_by_role("button", name="公表する").click()
    await said(page, "公表しました")
    await eyes.look("staff-policies")

    await nav(page, "事業承継")
    await page.get_by_label("承継先の企業ID").fill(org)
    await page.get_by_label("承継先の名称").fill(f"Berlin Data {n} GmbH")
    await page.get_by_role("checkbox", name="サービスのご案内").check()
    await page.get_by_label("拒否の期限").fill("2099-12-31T00:00")
    await page.get_by_role("button", name="公表する").click()
    await said(page, "公表しました")
    await eyes.look("staff-transfers")

    await nav(page, "法令に基づく提供")
    await page.get_by_label("対象者のID").fill(subject)
    await page.get_by_label("提供先", exact=True).fill(org)
    await page.get_by_label("根拠文書の番号（令状番号など）").fill(f"court order {n}")
    await page.get_by_role("checkbox", name="本人への通知が要請の目的を害する").check()
    await page.get_by_role("button", name="提供する").click()
    await said(page, "提供しました")
    await eyes.look("staff-legal-disclosures")
    await page.get_by_role("button", name="ログアウト").click()
    await clean(w, eyes)

    # The student: re-consent after the significant change; the transfer's opt-out; an
    # overseas consent with the country notice shown first; the legal disclosure listed.
    await sign_in(w, page, f"mia{n}")
    await nav(page, "プライバシーセンター")
    reconsent = page.get_by_role("region", name="再同意が必要です")
    await expect(reconsent).to_contain_text(
        f"第2013-09版で同意、第{version}版で内容が変更されました"
    )
    await eyes.look("consents-reconsent")
    await reconsent.get_by_role("button", name=f"第{version}版で改めて同意する").click()
    await expect(page.get_by_role("region", name="再同意が必要です")).to_have_count(0)
    await page.get_by_label("利用目的").select_option("client_application")
    await page.get_by_label("提供先", exact=True).fill(org)
    await expect(page.get_by_label("国", exact=True)).to_have_value("DE")
    await expect(page.get_by_text("EU一般データ保護規則（GDPR）が適用されます。")).to_be_visible()
    grant = page.get_by_role("button", name="同意する", exact=True)
    await expect(grant).to_be_disabled()  # not before the notice is acknowledged
    await eyes.look("consents-abroad")
    await page.get_by_role("checkbox", name="上記の情報を読み、理解しました").check()
    await grant.click()
    await expect(page.get_by_role("row").filter(has_text=org)).to_contain_text("ドイツ")
    await nav(page, "事業承継")
    await page.get_by_role("button", name=f"{org} への引き継ぎを拒否する").click()
    await said(page, "拒否を記録しました")
    await eyes.look("transfers")
    await nav(page, "提供の記録")
    await expect(page.get_by_role("row").filter(has_text=f"Berlin Data {n} GmbH")).to_contain_text(
        "法令に基づく提供: 法令に基づく場合"
    )
    await clean(w, eyes)


async def test_an_auditor_runs_the_checks_reads_the_report_and_a_persons_record(
    world: World,
) -> None:
    w = world
    n = next(counter)
    user = {"username": f"auditor{n}", "password": PASSWORD, "name": "Audit", "role": "auditor",
            "email": f"auditor{n}@example.jp"}  # fmt: skip
    assert (await w.p.gateway.post("/v1/accounts", json=user, headers=w.staff)).status_code == 201
    _, subject = await w.student(f"sora{n}")
    page, eyes = await w.page()
    await sign_in(w, page, f"auditor{n}")
    await nav(page, "監査")
    await page.get_by_role("button", name="監査を実行する").click()
    await said(page, "件の規則で")
    await expect(page.get_by_role("table", name="規則")).to_be_visible()
    await eyes.look("audit")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="HTMLの報告書をダウンロード").click()
    report = await downloaded(await download.value)
    assert "<html" in report.lower()
    await page.get_by_role("link", name="個人の記録").first.click()
    await page.get_by_label("対象者のID").fill(subject)
    await page.get_by_label("時点").fill("2099-01-01T00:00")
    await page.get_by_role("button", name="記録を見る").click()
    await expect(page.get_by_label("プロフィール (JSON)")).to_contain_text(f"sora{n}")
    await eyes.look("audit-record")
    # [E] #18: the monitoring report, anonymised: both tables, every cell under k withheld.
    await nav(page, "モニタリング")
    await page.get_by_role("button", name="ログからレポートを作成").click()
    await said(page, "非表示のセル")
    for caption in ("性別", "学校種別"):
        await expect(page.get_by_role("table", name=caption)).to_be_visible()
    await expect(page.locator("td[data-cell='gender:other:applied']")).to_have_text("10未満")
    await eyes.look("monitoring")
    await clean(w, eyes)


async def test_the_app_is_served_with_a_strict_csp_and_links_of_emails_open_its_pages(
    world: World,
) -> None:
    """No inline script in the build; a CSP allowing only the app and the gateway; every path
    an email links to answers the app (the single-page fallback)."""
    async with httpx.AsyncClient(base_url=world.web) as web:
        index = await web.get("/")
        csp = index.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert f"connect-src 'self' {world.api}" in csp
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index.text) is None
        for path in ("/verify-email?token=x", "/me/consents", "/me/transfer-objections?transfer=x",
                     "/vacancies/0f8fad5b-d9cb-469f-a165-70867728950e", "/unsubscribe?token=x"):  # fmt: skip
            r = await web.get(path)
            assert r.status_code == 200 and r.text == index.text, path
        assert (await web.get("/config.json")).json()["apiUrl"] == world.api


async def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Presses Tab until the focused element's accessible name (or label) contains `name`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "(() => { const e = document.activeElement; if (!e) return '';"
            " const l = e.labels && e.labels[0] ? e.labels[0].textContent : '';"
            " return (e.getAttribute('aria-label') || l || e.textContent || '').trim(); })()"
        )
        if name in focused:
            return
    raise AssertionError(f"Tab never reached {name!r}")


async def test_keyboard_only_sign_in_consent_and_withdrawal(world: World) -> None:
    """[W] The keyboard alone: the skip link first, sign in, give a consent, withdraw it."""
    w = world
    n = next(counter)
    await w.student(f"kei{n}")
    page, eyes = await w.page()
    await page.goto(f"{w.web}/sign-in")
    # A keyboard user, too, starts once the page is there (the app renders after its script).
    await expect(page.get_by_label("ユーザー名")).to_be_visible()
    for _ in range(3):  # the first Tab may only give the page itself the focus
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement !== document.body"):
            break
    assert await page.evaluate("document.activeElement.textContent") == "本文へ移動"
    await tab_to(page, "ユーザー名")
    await page.keyboard.type(f"kei{n}")
    await tab_to(page, "パスワード")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    await tab_to(page, "プライバシーセンター")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="プライバシーセンター")).to_be_focused()
    await expect(page.get_by_role("button", name="同意する", exact=True)).to_be_visible()
    await tab_to(page, "同意する")  # the form's button: vacancy assessment, the default purpose
    await page.keyboard.press("Enter")
    await said(page, "同意を記録しました")
    await page.goto(f"{w.web}/me/consents")  # the list starts again from the top
    withdraw = "求人との適合の評価（当社内）への同意を撤回する"
    await expect(page.get_by_role("button", name=withdraw)).to_be_visible()
    await tab_to(page, withdraw)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("row").filter(has_text="求人との適合の評価")).to_have_count(0)
    await clean(w, eyes)
