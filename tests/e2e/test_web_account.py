"""[W] [D] #16 (6) An account people can recover and control, in Debian's Chromium against the
real platform: a forgotten password reset from the sign-in page by the emailed link, then a
sign-in with the new one; the security page's sessions and "sign out everywhere" (the other
session's refresh refused afterwards).

Each test makes its own student, so they pass alone and in any order; every page visited gets
axe-core and a screenshot in both languages, and nothing is readable in the browser's storage.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from tests.support.infra import Infra
from tests.support.web import PASSWORD, World, a_world, clean, counter, mail_about, said, sign_in

NEW = "a brand new passphrase 7"


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with a_world(infra, tmp_path_factory.mktemp("web-account")) as w:
        yield w


async def signed_in_with(w: World, page: Page, username: str, password: str) -> None:
    await page.goto(f"{w.web}/sign-in")
    await page.get_by_label("ユーザー名").fill(username)
    await page.get_by_label("パスワード", exact=True).fill(password)
    await page.get_by_role("button", name="ログイン").click()
    await expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


async def test_a_forgotten_password_is_reset_by_the_emailed_link(world: World) -> None:
    w = world
    username = f"mio{next(counter)}"
    await w.student(username)
    page, eyes = await w.page()
    await page.goto(f"{w.web}/sign-in")
    await page.get_by_role("link", name="パスワードをお忘れの方").click()
    await page.get_by_label("ユーザー名").fill(username)
    await eyes.look("forgot-password")
    await page.get_by_role("button", name="再設定のリンクを送る").click()
    await said(page, "再設定のリンクを登録のメールアドレスにお送りしました")

    body = await mail_about(w, f"{username}@example.jp", "/reset-password?token=")
    link = re.search(r"(http://\S+/reset-password\?token=[\w-]+)", body)
    assert link, body
    await page.goto(link.group(1))
    await page.get_by_label("新しいパスワード").fill(NEW)
    await eyes.look("reset-password")
    await page.get_by_role("button", name="パスワードを設定する").click()
    await said(page, "新しいパスワードを設定しました")

    await signed_in_with(w, page, username, NEW)
    # The link worked once.
    await page.goto(link.group(1))
    await page.get_by_label("新しいパスワード").fill("yet another passphrase 8")
    await page.get_by_role("button", name="パスワードを設定する").click()
    await expect(
        page.get_by_role("alert").filter(has_text="無効か、期限切れか、使用済み")
    ).to_be_visible()
    await clean(w, eyes)


async def test_the_security_page_signs_out_everywhere(world: World) -> None:
    w = world
    username = f"ren{next(counter)}"
    await w.student(username)
    elsewhere = await w.p.gateway.post(
        "/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert elsewhere.status_code == 200, elsewhere.text
    page, eyes = await w.page()
    await sign_in(w, page, username)
    await page.get_by_role("link", name="アカウント", exact=True).first.click()
    await page.get_by_role("link", name="アカウントのセキュリティ").click()
    sessions = page.get_by_role("region", name="ログイン中のセッション")
    await expect(sessions.get_by_role("row").filter(has_text="この端末")).to_have_count(1)
    await expect(sessions.get_by_role("row").filter(has_text="有効")).to_have_count(2)
    await expect(page.get_by_role("button", name="確認メールを再送する")).to_be_visible()
    await eyes.look("security")
    await page.get_by_role("button", name="すべての端末からログアウト").click()
    await page.wait_for_url(re.compile(r"/sign-in"))
    await expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    refreshed = await w.p.gateway.post(
        "/v1/auth/refresh", json={"refresh_token": elsewhere.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401, refreshed.text
    # A reload finds no session either: the browser's cookie was revoked with the rest.
    await page.goto(f"{w.web}/me/security")
    await expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    await clean(w, eyes)
