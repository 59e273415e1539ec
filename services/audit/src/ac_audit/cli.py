"""`ac-audit`: replay the log and check it, from a terminal.

    ac-audit check [--until TIME] [--json FILE] [--html FILE] [--subject ID] [--workers N]
    ac-audit subject ID [--as-of TIME] [--json FILE]
    ac-audit part --index I --of N --out DIR      (one pod of the indexed Job)
    ac-audit merge --of N --parts DIR [--json FILE] [--html FILE]

Kafka, the topic prefix and identity's keyring (for the erasure checks and a
person's data) come from the `AUDIT_*` settings, as for the service. `check`
exits 1 when a rule has findings, so a pipeline can gate on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ac_audit import html
from ac_audit.audit import audit, parse_offset, read_log
from ac_audit.parallel import merge_parts, replay_part, save_part
from ac_audit.settings import AuditSettings
from ac_audit.state import LogState
from ac_audit.subject import subject_record
from ac_contracts.audit import Report
from ac_events.keyring import Keyring
from ac_platform.peers import keyring as identity_keyring

T = TypeVar("T")
app = typer.Typer(help="Replay the event log and prove every disclosure was covered.")
console = Console(stderr=True)

Until = Annotated[
    datetime | None, typer.Option(help="Replay only what was recorded by this time (ISO 8601).")
]
Offsets = Annotated[
    list[str] | None,
    typer.Option(
        "--offset",
        help="Stop a partition before this offset: <topic>:<partition>=<offset> (repeatable).",
    ),
]


async def _replay(
    settings: AuditSettings,
    until: datetime | None,
    subject: str | None,
    offsets: list[str] | None = None,
    workers: int = 1,
) -> LogState:
    bootstrap = settings.kafka_bootstrap_servers or ""
    if workers > 1:
        ends = dict(parse_offset(o) for o in offsets or [])
        return await read_log(bootstrap, settings.topic_prefix, until=until, end_offsets=ends,
                              subject=subject, workers=workers)  # fmt: skip
    columns = (TextColumn("replaying the log"), BarColumn(), MofNCompleteColumn(),
               TextColumn("events"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("replay", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        ends = dict(parse_offset(o) for o in offsets or [])
        return await read_log(
            bootstrap, settings.topic_prefix, until=until, end_offsets=ends, subject=subject,
            progress=progress,
        )  # fmt: skip


async def _check(
    settings: AuditSettings,
    keys: Keyring,
    until: datetime | None,
    subject: str | None,
    offsets: list[str] | None,
    workers: int = 1,
) -> Report:
    state = await _replay(settings, until, subject, offsets, workers)
    return await audit(state, keys, until=until, grace=timedelta(seconds=settings.grace_s),
                       notice_within=timedelta(seconds=settings.notice_within_s))  # fmt: skip


def _show(report: Report) -> None:
    s = report.summary
    console.print(
        f"{s.events} events, {s.people} people ({s.erased_people} erased), "
        f"{s.disclosures} provisions, {s.blocked} blocked"
    )
    table = Table("rule", "checked", "findings", "")
    for r in report.rules:
        verdict = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
        table.add_row(r.name, str(r.checked), str(len(r.findings)), verdict)
    console.print(table)
    for r in report.rules:
        for f in r.findings[:20]:
            console.print(f"  [red]{r.name}[/] {f.stream_id or f.subject_id}: {f.detail}")
        if len(r.findings) > 20:
            console.print(f"  ... and {len(r.findings) - 20} more {r.name} findings")


@app.command()
def check(
    until: Until = None,
    offset: Offsets = None,
    json: Annotated[Path | None, typer.Option(help="Write the report as JSON here.")] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one HTML page here.")
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="Add this person's timeline to the report.")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Replay with this many processes (partitions shared).")
    ] = 1,
) -> None:
    """Replay every topic and run every rule."""
    settings = AuditSettings()
    keys = identity_keyring(settings)
    for text in offset or []:
        try:
            parse_offset(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--offset") from exc
    report = _unless_unreachable(
        settings, lambda: asyncio.run(_check(settings, keys, until, subject, offset, workers))
    )
    _report(report, json, html_file)


def _report(report: Report, json: Path | None, html_file: Path | None) -> None:
    _show(report)
    if json:
        json.write_text(report.model_dump_json(indent=2))
        console.print(f"JSON report: {json}")
    if html_file:
        html_file.write_text(html.render(report), encoding="utf-8")
        console.print(f"HTML report: {html_file}")
    raise typer.Exit(1 if report.findings else 0)


Parts = Annotated[Path, typer.Option(help="The folder the parts are written to (a volume).")]
Count = Annotated[int, typer.Option("--of", min=1, help="How many parts the replay is split in.")]


@app.command()
def part(
    index: Annotated[
        int,
        typer.Option(
            min=0, envvar="JOB_COMPLETION_INDEX", help="This part (a Job's completion index)."
        ),
    ],
    count: Count,
    out: Parts,
    until: Until = None,
) -> None:
    """Replay one part of the partitions (every N-th) and write its state to OUT."""
    if index >= count:
        raise typer.BadParameter(f"index {index} is not below --of {count}", param_hint="--index")
    settings = AuditSettings()
    bootstrap = settings.kafka_bootstrap_servers or ""
    state = _unless_unreachable(
        settings,
        lambda: asyncio.run(
            replay_part(bootstrap, settings.topic_prefix, index, count, until=until)
        ),
    )
    path = save_part(state, out, index, count)
    console.print(f"part {index} of {count}: {state.events} events -> {path}")


@app.command()
def merge(
    count: Count,
    parts: Parts,
    until: Until = None,
    json: Annotated[Path | None, typer.Option(help="Write the report as JSON here.")] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one HTML page here.")
    ] = None,
) -> None:
    """Merge the parts written by `ac-audit part`, run every rule, and report."""
    settings = AuditSettings()
    keys = identity_keyring(settings)
    try:
        state = merge_parts(parts, count, until)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(3) from exc
    grace = timedelta(seconds=settings.grace_s)
    report = _unless_unreachable(
        settings, lambda: asyncio.run(audit(state, keys, until=until, grace=grace))
    )
    _report(report, json, html_file)


@app.command("subject")
def subject_command(
    subject_id: str,
    as_of: Annotated[
        datetime | None, typer.Option(help="As the log stood at this time (ISO 8601).")
    ] = None,
    json: Annotated[Path | None, typer.Option(help="Write the record as JSON here.")] = None,
) -> None:
    """Everything about one person, as of any time (an APPI disclosure request's answer)."""
    settings = AuditSettings()

    async def run() -> str:
        state = await _replay(settings, None, subject_id)
        record = await subject_record(state, identity_keyring(settings), as_of)
        return record.model_dump_json(indent=2)

    out = _unless_unreachable(settings, lambda: asyncio.run(run()))
    if json:
        json.write_text(out)
        console.print(f"written to {json}")
    else:
        typer.echo(out)


def _unless_unreachable(settings: AuditSettings, work: Callable[[], T]) -> T:
    """`work()`, or a clear message and exit 3 when Kafka or the keyring cannot be reached."""
    try:
        return work()
    except KafkaError as exc:
        where = settings.kafka_bootstrap_servers
        console.print(f"[red]Kafka at {where} cannot be read[/] ({type(exc).__name__})")
    except ConnectionError:
        console.print(f"[red]identity's keyring at {settings.identity_url} cannot be reached[/]")
    raise typer.Exit(3)


def main() -> None:
    app()
