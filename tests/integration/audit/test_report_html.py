"""The audit's HTML report: escaped, self-contained, and clean in a real browser.

The browser tests open the page in headless Chromium (tests/support/chromium.py;
install it with deploy/local/chromium.sh) and leave the page and its screenshot
in tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import re
import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ac_audit.html import DISCLOSURES_SHOWN, FINDINGS_SHOWN, bar_chart, column_chart, render
from ac_contracts.audit import Disclosure, Finding, Report, RuleResult, Summary, TimelineEntry
from tests.support.chromium import render_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
XSS = "<script>alert(1)</script>"
JAPANESE = "同意が撤回された後に開示されました"
LONG_NAME = "Internationale Personalvermittlungsgesellschaft für Fachkräfte mbH & Co. KG"
RECIPIENTS = {
    "Acme Staffing B.V.": ("NL", 14),
    "Borealis Recruiting GmbH": ("DE", 11),
    LONG_NAME: ("DE", 9),
    "Cité Talents SAS": ("FR", 7),
    "株式会社サンプル人材": ("JP", 6),
    "Delta Hire Inc.": ("US", 4),
    "Evergreen Careers LLC": ("US", 2),
    "Fjord Jobs AS <b>bold</b>": ("NL", 1),
}
MONTHS = [f"{2024 + (6 + i) // 12}-{(6 + i) % 12 + 1:02d}" for i in range(12)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _uuid(n: int) -> str:
    return f"0190a1b2-c3d4-7e5f-8a9b-{n:012x}"


def _report() -> Report:
    start = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
    per_country: dict[str, int] = {}
    for country, count in RECIPIENTS.values():
        per_country[country] = per_country.get(country, 0) + count
    total = sum(count for _, count in RECIPIENTS.values())
    per_month = dict(zip(MONTHS, [3, 5, 4, 6, 2, 7, 5, 4, 6, 3, 5, 4], strict=True))
    assert sum(per_month.values()) == total
    disclosures = [
        Disclosure(
            event_id=_uuid(1000 + i),
            subject_id=_uuid(i % 9),
            shared_at=start + timedelta(days=i * 7, hours=i),
            organization_id=_uuid(500 + i % len(RECIPIENTS)),
            recipient_legal_name=name,
            recipient_country=country,
            purpose="recruitment",
            data_items=["resume", "contact_details"] if i % 3 else ["resume"],
            basis="consent" if i % 5 else "legal",
        )
        for i, (name, (country, _)) in enumerate(list(RECIPIENTS.items()) * 5)
    ]
    subject = _uuid(3)
    kinds = [
        ("ConsentGranted", "Consent to share the résumé with Acme Staffing B.V. (NL)"),
        ("DataShared", "Résumé shared with Acme Staffing B.V. for recruitment"),
        ("ConsentGranted", f"Consent for {LONG_NAME} (DE)"),
        ("DataShared", f"Résumé and contact details shared with {LONG_NAME}"),
        ("TransferObjected", "Objected to transfers outside the EEA"),
        ("DataShareBlocked", "Sharing with Delta Hire Inc. (US) blocked: transfer objected"),
        ("ConsentWithdrawn", "Consent for Acme Staffing B.V. withdrawn"),
        ("DataShared", f"Résumé shared with Acme Staffing B.V. — {JAPANESE}"),
        ("DataShareBlocked", f"Blocked: {XSS}"),
        ("SubjectErased", "Erased at the person's request"),
    ]
    timeline = [
        TimelineEntry(
            at=start + timedelta(days=20 * i), kind=kind, summary=text, event_id=_uuid(2000 + i)
        )
        for i, (kind, text) in enumerate(kinds)
    ]
    return Report(
        generated_at=datetime(2025, 7, 2, 8, 15, 42, tzinfo=UTC),
        until=datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC),
        summary=Summary(
            events=12_873,
            topics={
                "ac.consent.events": 4_210,
                "ac.identity.events": 3_977,
                "ac.resumes.events": 2_654,
                "ac.matching.events": 2_032,
            },
            people=1_204,
            erased_people=37,
            consents_granted=1_877,
            consents_withdrawn=212,
            disclosures=total,
            blocked=19,
            disclosures_per_recipient={name: count for name, (_, count) in RECIPIENTS.items()},
            disclosures_per_country=per_country,
            disclosures_per_month=per_month,
        ),
        rules=[
            RuleResult(
                name="disclosure_covered",
                title="Every disclosure was covered by a consent or a legal basis",
                description="Each DataShared names a consent in force at the time, or a legal basis.",
                checked=total,
                findings=[
                    Finding(
                        rule="disclosure_covered",
                        event_id=_uuid(1007),
                        stream_id=f"share-{_uuid(3)}",
                        subject_id=_uuid(3),
                        topic="ac.consent.events",
                        detail=f"Shared after consent was withdrawn: {XSS}",
                    ),
                    Finding(
                        rule="disclosure_covered",
                        event_id=_uuid(1011),
                        stream_id=f"share-{_uuid(5)}",
                        subject_id=_uuid(5),
                        topic="ac.consent.events",
                        detail=JAPANESE,
                    ),
                    Finding(
                        rule="disclosure_covered",
                        event_id=None,
                        stream_id=None,
                        subject_id=None,
                        detail='A "quoted" & <odd> detail with no event',
                    ),
                ],
            ),
            RuleResult(
                name="record_complete",
                title="Every disclosure is recorded completely",
                description="Recipient, country, purpose, data items and basis are all present.",
                checked=total,
            ),
            RuleResult(
                name="erasure_honoured",
                title="Nothing was shared after an erasure",
                description="No DataShared for a subject after its SubjectErased.",
                checked=1_204,
            ),
            RuleResult(
                name="objection_respected",
                title="Transfer objections were respected",
                description="No transfer outside the EEA after a TransferObjected.",
                checked=212,
            ),
        ],
        disclosures=disclosures,
        timeline_subject=subject,
        timeline=timeline,
    )


def _empty_report() -> Report:
    return Report(
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
        until=None,
        summary=Summary(
            events=0,
            topics={},
            people=0,
            erased_people=0,
            consents_granted=0,
            consents_withdrawn=0,
            disclosures=0,
            blocked=0,
            disclosures_per_recipient={},
            disclosures_per_country={},
            disclosures_per_month={},
        ),
        rules=[],
        disclosures=[],
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


# -- pure: no browser ---------------------------------------------------------


def test_render_escapes_data() -> None:
    page = render(_report())
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower(), "the page must carry no script at all"
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&amp; Co. KG" in page
    assert "&#34;quoted&#34; &amp; &lt;odd&gt;" in page
    assert JAPANESE in page
    assert "株式会社サンプル人材" in page
    assert "3 findings" in page


def test_page_is_self_contained() -> None:
    page = render(_report())
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src &#39;none&#39;" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert "style-src &#39;sha256-" in policy
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert ' style="' not in page, "style attributes would break the CSP"


def test_empty_report_renders() -> None:
    page = render(_empty_report())
    assert "no findings" in page
    assert "the end of every topic" in page
    assert page.count('<p class="none">none</p>') >= 5  # topics, rules, 3 charts, disclosures
    assert "<svg" not in page
    assert "Timeline" not in page


def test_long_lists_are_capped() -> None:
    report = _report()
    many = report.disclosures * (DISCLOSURES_SHOWN // len(report.disclosures) + 2)
    rule = report.rules[0]
    findings = rule.findings * (FINDINGS_SHOWN // len(rule.findings) + 1)
    report = report.model_copy(
        update={
            "disclosures": many,
            "rules": [rule.model_copy(update={"findings": findings}), *report.rules[1:]],
        }
    )
    page = render(report)
    assert f"and {len(many) - DISCLOSURES_SHOWN} more" in page
    assert f"and {len(findings) - FINDINGS_SHOWN} more" in page


def test_bar_chart() -> None:
    assert bar_chart({}, title="Nothing") == '<p class="none">none</p>'
    chart = str(bar_chart({LONG_NAME: 9, "B <&>": 3, "Zero": 0}, title="Per <recipient>"))
    assert chart.startswith('<svg class="chart"') and chart.endswith("</svg>")
    assert 'aria-label="Per &lt;recipient&gt;"' in chart
    assert "<title>Per &lt;recipient&gt;</title>" in chart
    assert ">Internationale Personalverm…</text>" in chart  # cut, with an ellipsis
    assert f"<title>{LONG_NAME.replace('&', '&amp;')}: 9</title>" in chart
    assert "B &lt;&amp;&gt;" in chart
    assert chart.index(">9<") < chart.index(">3<") < chart.index(">0<")  # largest first
    many = bar_chart({f"r{i:02d}": 100 - i for i in range(30)}, title="Many", limit=10)
    assert "r08" in many and "r09" not in many and "21 others" in many


def test_column_chart() -> None:
    assert column_chart({}, title="Nothing") == '<p class="none">none</p>'
    chart = str(column_chart({"2025-02": 5, "2024-12": 7, "2025-01": 0}, title="Per month"))
    assert chart.index("2024-12") < chart.index("2025-01") < chart.index("2025-02")
    assert "<title>2025-01: 0</title>" in chart
    months = {f"{2020 + i // 12}-{i % 12 + 1:02d}": i for i in range(60)}
    crowded = str(column_chart(months, title="Five years"))
    assert crowded.count("<title>") == 61  # every column, and the chart
    assert crowded.count('class="axis"') < 60  # labels thinned out


# -- in headless Chromium -----------------------------------------------------


async def test_report_is_clean_in_chromium() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "audit-report.html"
    screenshot = ARTIFACTS / "audit-report.png"
    screenshot.unlink(missing_ok=True)
    page.write_text(render(_report()), encoding="utf-8")

    started = time.monotonic()
    problems = await render_page(page, screenshot)
    elapsed = time.monotonic() - started

    assert problems == [], "\n".join(problems)
    data = screenshot.read_bytes()
    width, height = _png_size(data)
    assert len(data) > 50_000, f"a suspiciously small screenshot: {len(data)} bytes"
    assert width == 1280
    assert height > 900, "the screenshot should be the full page, beyond the viewport"
    assert elapsed < 30, f"the browser took {elapsed:.1f}s"


@pytest.mark.parametrize(
    ("body", "head", "expected"),
    [
        ('<script>console.error("boom")</script>', "", r"console\.error: boom"),
        ('<script>throw new Error("kaput")</script>', "", r"uncaught exception: .*kaput"),
        (
            '<script>console.log("never runs")</script>',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">',
            r"CSP violation: script-src",
        ),
        ('<img src="missing.png" alt="">', "", r"failed load: file://.*missing\.png"),
    ],
    ids=["console-error", "exception", "csp", "failed-load"],
)
async def test_harness_reports_problems(
    tmp_path: Path, body: str, head: str, expected: str
) -> None:
    """The browser check is not vacuous: each kind of problem is reported."""
    page = tmp_path / "bad.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}'
        f"<title>bad</title></head><body><p>bad</p>{body}</body></html>",
        encoding="utf-8",
    )
    problems = await render_page(page, tmp_path / "bad.png")
    assert any(re.search(expected, p) for p in problems), problems
    assert _png_size((tmp_path / "bad.png").read_bytes())[0] == 1280
