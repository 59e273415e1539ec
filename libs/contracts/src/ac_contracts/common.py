"""Types every API shares: ids as they may appear in paths and bodies, and the error body."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

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


Line = Annotated[str, AfterValidator(one_line)]
"""A text that can reach an email header or subject, a log line or a file name (a title, a
name, a headline): one line, without control or line-separator characters. An email's
`Subject` built from a title holding `\\x0b` would make the sender raise (issue 14, item 4)."""


class Problem(BaseModel):
    """Every error: `{"detail": {"reason": <code>, "message": <text>, ...}}` (the codes are in
    `ac_contracts.reasons`), or, for a malformed request, pydantic's list of the fields at
    fault."""

    detail: dict[str, Any] | list[dict[str, Any]] | str
