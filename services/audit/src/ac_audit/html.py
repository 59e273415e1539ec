"""The audit report as one self-contained HTML page, for people.

The page needs nothing but itself: the CSS is inline, the charts are inline
SVG, there is no JavaScript, no font, no image and no link to fetch. Its
Content-Security-Policy says so (`default-src 'none'`, the one `<style>`
element allowed by its hash), so the page also works offline and from an
e-mail attachment.

Everything from the report is data and is escaped (Jinja2 with autoescape on;
the chart functions escape with `markupsafe`): a finding's detail may quote
whatever an event carried.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from ac_contracts.audit import Report

DISCLOSURES_SHOWN = 500
"""Rows of the disclosures table; the rest is counted in a note."""
FINDINGS_SHOWN = 200
"""Findings listed under one rule; the rest is counted in a note."""
BARS_SHOWN = 20
"""Bars of a horizontal chart; the smallest others are summed in one bar."""

_CSS = """
:root {
  color-scheme: light;
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --red: #b42318; --red-bg: #fef3f2; --green: #067647; --green-bg: #ecfdf3;
  --blue: #175cd3; --amber: #b54708; --violet: #6941c6; --grey: #475467;
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Helvetica Neue", Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji";
  color: var(--ink); background: #fff; line-height: 1.45; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2.25rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
p { margin: .4rem 0; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas,
  "Liberation Mono", monospace; font-size: .82em; }
.id { word-break: break-all; }
.muted, .none { color: var(--muted); }
.none { font-style: italic; }
header { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end;
  justify-content: space-between; border-bottom: 2px solid var(--ink);
  padding-bottom: 1rem; }
header dl { display: grid; grid-template-columns: auto auto; gap: .1rem 1rem;
  margin: .5rem 0 0; }
header dt { color: var(--muted); }
header dd { margin: 0; }
.verdict { font-size: 1.25rem; font-weight: 700; padding: .5rem 1rem;
  border-radius: .5rem; border: 2px solid; }
.verdict.fail { color: var(--red); background: var(--red-bg); }
.verdict.pass { color: var(--green); background: var(--green-bg); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
  gap: .75rem; margin: 0; }
.figures div { border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem;
  background: var(--soft); }
.figures dt { color: var(--muted); font-size: .85rem; }
.figures dd { margin: 0; font-size: 1.5rem; font-weight: 650;
  font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.at { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
table.compact { width: auto; min-width: 18rem; }
.badge { display: inline-block; font-size: .78rem; font-weight: 700; padding: .05rem .5rem;
  border-radius: 1rem; border: 1px solid; white-space: nowrap; }
.badge.pass { color: var(--green); background: var(--green-bg); }
.badge.fail { color: var(--red); background: var(--red-bg); }
tr.failing > td { background: var(--red-bg); }
td.findings { padding: .25rem .6rem 1rem 2rem; background: #fff; }
td.findings table { font-size: .85rem; }
.description { color: var(--muted); font-size: .85rem; }
.more { color: var(--muted); font-style: italic; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr));
  gap: 1rem 2rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .35rem; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font-family: inherit; font-size: 12px; fill: var(--ink); }
svg.chart text.value { font-variant-numeric: tabular-nums; }
svg.chart text.axis { fill: var(--muted); font-size: 11px; }
svg.chart .bar { fill: var(--blue); }
svg.chart .base { stroke: var(--line); }
details { margin: .25rem 0 .5rem; font-size: .85rem; }
summary { color: var(--muted); cursor: pointer; }
.kind { font-weight: 600; white-space: nowrap; }
.kind::before { content: ""; display: inline-block; width: .65rem; height: .65rem;
  border-radius: 50%; margin-right: .4rem; background: currentColor; }
.kind-granted { color: var(--green); }
.kind-withdrawn { color: var(--amber); }
.kind-objected { color: var(--amber); }
.kind-shared { color: var(--blue); }
.kind-blocked { color: var(--red); }
.kind-erased { color: var(--violet); }
.kind-other { color: var(--grey); }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem;
  border-left: 3px solid var(--line); }
ol.timeline li { position: relative; padding: .35rem 0 .6rem .75rem; }
ol.timeline li .when { color: var(--muted); font-size: .85rem; margin-right: .75rem;
  font-variant-numeric: tabular-nums; }
ol.timeline li .summary { display: block; }
ol.timeline li .id { color: var(--muted); }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2 { break-after: avoid; }
  figure, .figures div { break-inside: avoid; }
  details > summary { display: none; }
}
"""

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

_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Audit report — {{ when(report.generated_at) }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
  <div>
    <h1>Audit report</h1>
    <dl>
      <dt>Generated at</dt><dd>{{ timestamp(report.generated_at) }}</dd>
      <dt>Replayed until</dt>
      <dd>{% if report.until %}{{ timestamp(report.until) }}{% else %}the end of every topic{% endif %}</dd>
      {% if report.timeline_subject %}
      <dt>Timeline of</dt><dd><span class="id">{{ report.timeline_subject }}</span></dd>
      {% endif %}
    </dl>
  </div>
  {% set n = report.findings %}
  <p class="verdict {{ 'fail' if n else 'pass' }}" role="status">
    {%- if n %}{{ n }} finding{{ '' if n == 1 else 's' }}{% else %}no findings{% endif -%}
  </p>
</header>

<main>
<section aria-labelledby="summary">
  <h2 id="summary">Summary</h2>
  <dl class="figures">
    {% for label, value in figures %}
    <div><dt>{{ label }}</dt><dd>{{ value }}</dd></div>
    {% endfor %}
  </dl>
  <h3>Events per topic</h3>
  {% if s.topics %}
  <table class="compact">
    <thead><tr><th scope="col">Topic</th><th scope="col" class="num">Events</th></tr></thead>
    <tbody>
    {% for topic, count in s.topics | dictsort %}
      <tr><td><code>{{ topic }}</code></td><td class="num">{{ number(count) }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="none">none</p>
  {% endif %}
</section>

<section aria-labelledby="rules">
  <h2 id="rules">Rules</h2>
  {% if report.rules %}
  <table>
    <thead>
      <tr>
        <th scope="col">Rule</th><th scope="col">Title</th>
        <th scope="col" class="num">Checked</th><th scope="col">Result</th>
        <th scope="col" class="num">Findings</th>
      </tr>
    </thead>
    <tbody>
    {% for rule in report.rules %}
      <tr{% if not rule.passed %} class="failing"{% endif %}>
        <td><code>{{ rule.name }}</code></td>
        <td>{{ rule.title }}<div class="description">{{ rule.description }}</div></td>
        <td class="num">{{ number(rule.checked) }}</td>
        <td>{% if rule.passed %}<span class="badge pass">pass</span>{% else %}<span class="badge fail">fail</span>{% endif %}</td>
        <td class="num">{{ number(rule.findings | length) }}</td>
      </tr>
      {% if not rule.passed %}
      <tr>
        <td colspan="5" class="findings">
          <table aria-label="Findings of {{ rule.name }}">
            <thead>
              <tr><th scope="col">Event</th><th scope="col">Stream</th>
                <th scope="col">Subject</th><th scope="col">Detail</th></tr>
            </thead>
            <tbody>
            {% for f in rule.findings[:findings_shown] %}
              <tr>
                <td class="id">{{ f.event_id or '—' }}</td>
                <td class="id">{{ f.stream_id or '—' }}{% if f.topic %}<div class="muted">{{ f.topic }}</div>{% endif %}</td>
                <td class="id">{{ f.subject_id or '—' }}</td>
                <td>{{ f.detail }}</td>
              </tr>
            {% endfor %}
            </tbody>
          </table>
          {% if rule.findings | length > findings_shown %}
          <p class="more">and {{ rule.findings | length - findings_shown }} more</p>
          {% endif %}
        </td>
      </tr>
      {% endif %}
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="none">none</p>
  {% endif %}
</section>

<section aria-labelledby="charts">
  <h2 id="charts">Disclosures at a glance</h2>
  <div class="charts">
    {% for caption, chart, data, key in charts %}
    <figure>
      <figcaption>{{ caption }}</figcaption>
      {{ chart }}
      {% if data %}
      <details>
        <summary>The figures as a table</summary>
        <table class="compact">
          <thead><tr><th scope="col">{{ key }}</th><th scope="col" class="num">Disclosures</th></tr></thead>
          <tbody>
          {% for label, value in data %}
            <tr><td>{{ label }}</td><td class="num">{{ number(value) }}</td></tr>
          {% endfor %}
          </tbody>
        </table>
      </details>
      {% endif %}
    </figure>
    {% endfor %}
  </div>
</section>

{% if report.timeline_subject or report.timeline %}
<section aria-labelledby="timeline">
  <h2 id="timeline">Timeline{% if report.timeline_subject %} of <span class="id">{{ report.timeline_subject }}</span>{% endif %}</h2>
  {% if report.timeline %}
  <ol class="timeline">
    {% for entry in report.timeline %}
    <li>
      <span class="when">{{ timestamp(entry.at) }}</span>
      <span class="kind {{ kind_class(entry.kind) }}">{{ entry.kind }}</span>
      <span class="summary">{{ entry.summary }} <span class="id">{{ entry.event_id }}</span></span>
    </li>
    {% endfor %}
  </ol>
  {% else %}
  <p class="none">none</p>
  {% endif %}
</section>
{% endif %}

<section aria-labelledby="disclosures">
  <h2 id="disclosures">Disclosures</h2>
  {% if report.disclosures %}
  <table>
    <thead>
      <tr>
        <th scope="col">Shared at</th><th scope="col">Subject</th><th scope="col">Recipient</th>
        <th scope="col">Country</th><th scope="col">Purpose</th><th scope="col">Data</th>
        <th scope="col">Basis</th><th scope="col">Event</th>
      </tr>
    </thead>
    <tbody>
    {% for d in report.disclosures[:disclosures_shown] %}
      <tr>
        <td class="at">{{ timestamp(d.shared_at) }}</td>
        <td class="id">{{ d.subject_id or '—' }}</td>
        <td>{{ d.recipient_legal_name }}<div class="muted id">{{ d.organization_id }}</div></td>
        <td>{{ d.recipient_country }}</td>
        <td>{{ d.purpose }}</td>
        <td>{{ d.data_items | join(', ') }}</td>
        <td>{{ d.basis }}</td>
        <td class="id">{{ d.event_id }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  {% if report.disclosures | length > disclosures_shown %}
  <p class="more">and {{ report.disclosures | length - disclosures_shown }} more
    (the JSON report lists them all)</p>
  {% endif %}
  {% else %}
  <p class="none">none</p>
  {% endif %}
</section>
</main>

<footer>
  Active Connector audit · {{ number(report.summary.events) }} events replayed ·
  this page is self-contained and runs no script.
</footer>
</body>
</html>
"""

_PAGE = Environment(
    autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
).from_string(_TEMPLATE)


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
        css=Markup(_CSS),  # noqa: S704 (this module's own constant, hashed into the CSP)
        csp=CSP,
        when=when,
        timestamp=timestamp,
        kind_class=kind_class,
        findings_shown=FINDINGS_SHOWN,
        disclosures_shown=DISCLOSURES_SHOWN,
    )
