"""The audit report as one self-contained HTML page, for people.

The page needs nothing but itself: the CSS is inline, the charts are inline
SVG, there is no JavaScript, no font, no image and no link to fetch. Its
Content-Security-Policy says so (`default-src 'none'`, the one `<style>`
element allowed by its hash), so the page also works offline and from an
e-mail attachment.

Everything from the report is data and is escaped (Jinja2 with autoescape on;
the chart functions escape with `markupsafe`): a finding's detail may quote
whatever an event carried.

The page is the template `templates/report.html.j2`; its style is
`templates/report.css`, put in the `<style>` element as it is. The CSP's
hash is computed from that file at import, so an edit to it (whitespace
too) changes the policy with it. This module builds what the template shows:
the figures, the charts (SVG) and the times.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ac_contracts.audit import Report

DISCLOSURES_SHOWN = 500
"""Rows of the disclosures table; the rest is counted in a note."""
FINDINGS_SHOWN = 200
"""Findings listed under one rule; the rest is counted in a note."""
BARS_SHOWN = 20
"""Bars of a horizontal chart; the smallest others are summed in one bar."""

_TEMPLATES = "templates"
"""The package's directory of the page's files (shipped in the wheel with the modules)."""

_CSS = (resources.files("ac_audit") / _TEMPLATES / "report.css").read_text(encoding="utf-8")
"""The `<style>` element's content, exactly the file's text (hashed into `CSP` as it is)."""

CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'sha256-"
        + base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
        + "'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)
"""No fetch, no script, no form; only the page's own `<style>` element."""

_KIND_CLASSES = {
    "ConsentGranted": "kind-granted",
    "ConsentWithdrawn": "kind-withdrawn",
    "TransferObjected": "kind-objected",
    "DataShared": "kind-shared",
    "DataShareBlocked": "kind-blocked",
    "SubjectErased": "kind-erased",
}

_PAGE = Environment(
    loader=PackageLoader("ac_audit", _TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
).get_template("report.html.j2")


def when(at: datetime) -> str:
    """A time for people: UTC to the second (naive times are shown as they are)."""
    if at.tzinfo is not None:
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return at.isoformat(sep=" ", timespec="seconds")


def timestamp(at: datetime) -> Markup:
    """`when(at)` in a `<time>` element carrying the ISO 8601 form."""
    return Markup('<time datetime="{}">{}</time>').format(at.isoformat(), when(at))


def kind_class(kind: str) -> str:
    return _KIND_CLASSES.get(kind, "kind-other")


def truncate(label: str, limit: int) -> str:
    """`label` cut to `limit` characters, the cut shown by an ellipsis."""
    if len(label) <= limit:
        return label
    return label[: max(limit - 1, 0)].rstrip() + "…"


def _none() -> Markup:
    return Markup('<p class="none">none</p>')


def _number(value: int) -> str:
    return f"{value:,}"


def _svg_open(width: int, height: int, title: str, description: str) -> Markup:
    return Markup(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img"'
        ' width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-label="{t}">'
        "<title>{t}</title><desc>{d}</desc>"
    ).format(w=width, h=height, t=title, d=description)


def _describe(rows: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {_number(value)}" for label, value in rows)


def bar_chart(
    data: Mapping[str, int],
    *,
    title: str,
    width: int = 560,
    label_chars: int = 28,
    limit: int = BARS_SHOWN,
) -> Markup:
    """Horizontal bars, the largest first, each labelled and numbered.

    Labels longer than `label_chars` are cut with an ellipsis; the full label
    is the bar's `<title>` (a tooltip, and what a screen reader says). Beyond
    `limit` bars the smallest are summed into one "N others" bar.
    """
    rows = _ranked(data, limit)
    if not rows:
        return _none()
    bar_height, gap, top = 18, 6, 4
    label_width = min(label_chars * 7 + 12, width // 2)
    value_width = 8 * max(len(_number(v)) for _, v in rows) + 12
    area = max(width - label_width - value_width, 10)
    peak = max(value for _, value in rows) or 1
    height = top * 2 + len(rows) * (bar_height + gap) - gap
    parts = [_svg_open(width, height, title, _describe(rows))]
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        length = round(area * value / peak, 1) if value > 0 else 0
        parts.append(
            Markup(
                "<g><title>{full}: {n}</title>"
                '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect class="bar" x="{bx}" y="{y}" width="{bw}" height="{bh}" rx="2"></rect>'
                '<text class="value" x="{vx}" y="{ty}">{n}</text></g>'
            ).format(
                full=label,
                label=truncate(label, label_chars),
                n=_number(value),
                lx=label_width - 8,
                ty=y + bar_height - 5,
                bx=label_width,
                y=y,
                bw=length,
                bh=bar_height,
                vx=label_width + length + 6,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(
    data: Mapping[str, int],
    *,
    title: str,
    width: int = 560,
    height: int = 220,
    label_chars: int = 8,
) -> Markup:
    """Vertical columns in the order of their labels (`YYYY-MM` sorts by time).

    Every column carries its number above it when there is room, and its full
    label and number in its `<title>`; below, the labels are thinned out so
    that they never overlap.
    """
    rows = sorted((str(k), max(int(v), 0)) for k, v in data.items())
    if not rows:
        return _none()
    axis, top, left, right = 34, 18, 4, 4
    slot = (width - left - right) / len(rows)
    column = max(slot * 0.7, 1.0)
    area = height - axis - top
    peak = max(value for _, value in rows) or 1
    label_room = max(len(truncate(label, label_chars)) for label, _ in rows) * 7 + 6
    step = max(1, -(-label_room // int(max(slot, 1))))
    show_values = slot >= 8 * max(len(_number(v)) for _, v in rows) + 2
    parts = [_svg_open(width, height, title, _describe(rows))]
    parts.append(
        Markup('<line class="base" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"></line>').format(
            x1=left, x2=width - right, y=height - axis
        )
    )
    for i, (label, value) in enumerate(rows):
        x = left + i * slot + (slot - column) / 2
        tall = round(area * value / peak, 1) if value > 0 else 0
        centre = round(x + column / 2, 1)
        bits = [
            Markup("<g><title>{label}: {n}</title>").format(label=label, n=_number(value)),
            Markup(
                '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="2"></rect>'
            ).format(x=round(x, 1), y=round(height - axis - tall, 1), w=round(column, 1), h=tall),
        ]
        if show_values:
            bits.append(
                Markup(
                    '<text class="value" x="{cx}" y="{y}" text-anchor="middle">{n}</text>'
                ).format(cx=centre, y=round(height - axis - tall - 4, 1), n=_number(value))
            )
        if i % step == 0:
            bits.append(
                Markup(
                    '<text class="axis" x="{cx}" y="{y}" text-anchor="middle">{label}</text>'
                ).format(cx=centre, y=height - axis + 16, label=truncate(label, label_chars))
            )
        bits.append(Markup("</g>"))
        parts.append(Markup("").join(bits))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _ranked(data: Mapping[str, int], limit: int) -> list[tuple[str, int]]:
    rows = sorted(((str(k), max(int(v), 0)) for k, v in data.items()), key=lambda r: (-r[1], r[0]))
    if limit > 0 and len(rows) > limit:
        kept, rest = rows[: limit - 1], rows[limit - 1 :]
        rows = [*kept, (f"{len(rest)} others", sum(v for _, v in rest))]
    return rows


def render(report: Report) -> str:
    """The whole report as one HTML5 document (a `str`; write it as UTF-8)."""
    s = report.summary
    figures = [
        ("Events", s.events),
        ("People", s.people),
        ("Erased people", s.erased_people),
        ("Consents granted", s.consents_granted),
        ("Consents withdrawn", s.consents_withdrawn),
        ("Disclosures", s.disclosures),
        ("Blocked", s.blocked),
        ("Findings", report.findings),
    ]
    charts = [
        (
            "Per recipient",
            bar_chart(s.disclosures_per_recipient, title="Disclosures per recipient"),
            sorted(s.disclosures_per_recipient.items(), key=lambda r: (-r[1], r[0])),
            "Recipient",
        ),
        (
            "Per country",
            bar_chart(s.disclosures_per_country, title="Disclosures per country", label_chars=12),
            sorted(s.disclosures_per_country.items(), key=lambda r: (-r[1], r[0])),
            "Country",
        ),
        (
            "Per month",
            column_chart(s.disclosures_per_month, title="Disclosures per month"),
            sorted(s.disclosures_per_month.items()),
            "Month",
        ),
    ]
    return _PAGE.render(
        report=report,
        s=s,
        figures=[(label, _number(value)) for label, value in figures],
        number=_number,
        charts=charts,
        css=Markup(_CSS),  # noqa: S704 (the package's own file, hashed into the CSP)
        csp=CSP,
        when=when,
        timestamp=timestamp,
        kind_class=kind_class,
        findings_shown=FINDINGS_SHOWN,
        disclosures_shown=DISCLOSURES_SHOWN,
    )
