"""An incident's report to the regulator as one self-contained HTML document [B] #17: the
fields the PPC's form asks (summary, the data and the people concerned, the cause, what was
done for the people, the public announcement, the prevention of recurrence), filled from the
incident's record. The SHA-256 of the document as generated is in `IncidentReported`."""

from __future__ import annotations

from datetime import datetime
from html import escape

from ac_desk.incident import Incident, window
from ac_events.catalogue import ReportStage

CSP = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = """body{font-family:sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{width:16rem;background:#eee}"""


def _t(at: datetime | None) -> str:
    return "unknown" if at is None else at.isoformat(timespec="minutes")


def _row(label: str, value: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"


def _harm(financial: bool) -> str:
    return "financial harm possible" if financial else "none known"


def render(i: Incident, stage: ReportStage, now: datetime) -> str:
    """The report of `stage` as the incident stands (`now` only says whether it is late)."""
    o, s = i.opened, i.scoped
    start, end = window(i)
    due = i.due(stage)
    counts = ", ".join(f"{k}: {v}" for k, v in (s.by_category if s else {}).items()) or "—"
    reasons = ", ".join(r.value for r in (s.reasons if s else ())) or "—"
    rows = [
        _row("Report", f"{stage.value} report (APPI art. 26)"),
        _row("Incident", f"{o.title} ({o.incident_id})"),
        _row("Discovered", _t(o.discovered_at)),
        _row("Period", f"{_t(start)} to {_t(end)}" + ("" if o.ended_at else " (end unknown)")),
        _row("Systems concerned", ", ".join(o.systems) or "—"),
        _row("Recipients or processors concerned", ", ".join(o.recipients) or "—"),
        _row("Personal data concerned", ", ".join(c.value for c in o.data_categories)),
        _row("Encrypted", "yes" if o.encrypted else "no"),
        _row("People concerned", "not yet scoped" if s is None else str(s.people)),
        _row("People by data category", counts),
        _row("Of whom with special-care data", "—" if s is None else str(s.special_care)),
        _row("Why reportable", reasons),
        _row("Cause", o.cause or "under investigation"),
        _row("Possible secondary damage", _harm(o.financial_harm)),
        _row("Unjust purpose", "yes" if o.unjust_purpose else "no known"),
        _row("Affected people notified", f"{len(i.notified)} of {s.people if s else 0}"),
        _row("Public announcement", i.closed.public_announcement if i.closed else "—"),
        _row("Computed from the log as of", _t(s.log_as_of if s else None)),
        _row("Due", _t(due) + (" (late)" if now > due and not i.reported(stage) else "")),
    ]
    title = escape(f"{stage.value.title()} report: {o.title}")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{title}</h1><table>{''.join(rows)}</table></body></html>")  # fmt: skip
