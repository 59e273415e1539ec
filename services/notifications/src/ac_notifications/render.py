"""Messages from templates (Jinja2), in the person's language: `templates/<lang>/<kind>.txt`,
whose first line is `Subject: ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ac_events.catalogue import Language, NotificationKind

_ENV = Environment(  # noqa: S701 (plain-text email, nothing is HTML)
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(kind: NotificationKind, language: Language, params: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message."""
    text = _ENV.get_template(f"{language.value}/{kind.value}.txt").render(**params)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")
