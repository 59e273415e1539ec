"""Types every API shares: ids as they may appear in paths and bodies, and the error body."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field

SubjectId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A person's pseudonymous id (or a service's name)."""

OrgId = Annotated[
    str, Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
"""A client organisation's id, chosen by staff when they register it."""


LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})
"""Unicode categories a one-line text may not hold: controls (CR, LF, VT, FF, NEL, the
separators U+001C-U+001E, tab, ...), the line and the paragraph separator (U+2028, U+2029)."""


def one_line(value: str) -> str:
    """`value` unchanged if it is one line of text; else the error naming what is wrong."""
    bad = sorted({c for c in value if unicodedata.category(c) in LINE_BREAKING})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
        raise ValueError(f"one line of text: no control or line-separator characters ({shown})")
    return value


Line = Annotated[
    str,
    AfterValidator(one_line),  # (and the schema says it, for generated clients and tests)
    Field(json_schema_extra={"pattern": "^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"}),
]
"""A text that can reach an email header or subject, a log line or a file name (a title, a
name, a headline): one line, without control or line-separator characters. An email's
`Subject` built from a title holding `\\x0b` would make the sender raise (issue 14, item 4)."""


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_only(value: Any) -> Any:
    """A time is written as ISO 8601 with its offset; a number (`0.5`, `1700000000`) is not a
    time here, though pydantic would read it as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        raise ValueError("a time is ISO 8601 with its offset, e.g. 2026-04-01T09:00:00+09:00")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
"""A moment, as ISO 8601 with its offset (in queries and bodies alike)."""


class Problem(BaseModel):
    """Every error: `{"detail": {"reason": <code>, "message": <text>, ...}}` (the codes are in
    `ac_contracts.reasons`), or, for a malformed request, pydantic's list of the fields at
    fault."""

    detail: dict[str, Any] | list[dict[str, Any]] | str
