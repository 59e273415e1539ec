"""One pagination for every list of the API: keyset pages (issue 15).

A list route takes `ListQuery` (`cursor`, `limit`), or a query model that extends it,
and answers `Page[T]`: `items`, and `next_cursor` to pass as `cursor` for the next page
(`null` on the last). A cursor is opaque to callers: it names the last item of the page
by the list's sort key, so a page never repeats or skips an item when items are added
before it (no offsets). The service decides what the key is; `cursor_for` and
`read_cursor` write and read it, and `page_of` cuts a page from `limit + 1` rows.

A cursor that names something a caller should not see (a candidate's person, for
instance) is sealed by its service before it is handed out; the others are plain
base64url JSON, which is harmless: a forged cursor only moves where a page starts, and
every list filters by who is asking before it pages.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field

from ac_contracts.errors import Refused

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


class ListQuery(BaseModel):
    """The query of every list route: where to start, and how many items."""

    model_config = ConfigDict(extra="forbid")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page (absent: the first page)",
    )
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items at most"
    )


class Page(BaseModel, Generic[T]):
    """A page of a list: its items, and the cursor of the next page (`null`: the last)."""

    items: list[T]
    next_cursor: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cursor_for(*values: Any) -> str:
    """A cursor naming a sort key (JSON-serialisable values: times, ids, numbers)."""
    return _b64(orjson.dumps(values))


def read_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The sort key a cursor names (None for the first page); 422 `bad_cursor` if it is not
    a cursor of this list."""
    if cursor is None:
        return None
    try:
        values = orjson.loads(_unb64(cursor))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise Refused("bad_cursor", "this cursor is not one of this list") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Refused("bad_cursor", "this cursor is not one of this list")
    return values


def page_of(
    rows: Sequence[R],
    limit: int,
    key: Callable[[R], tuple[Any, ...]],
    item: Callable[[R], T],
    cursor: Callable[[tuple[Any, ...]], str] = lambda k: cursor_for(*k),
) -> Page[T]:
    """A page from up to `limit + 1` rows in the list's order: the extra row only says that
    there is a next page, whose cursor is the key of the page's last item."""
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    return Page(
        items=[item(r) for r in shown], next_cursor=cursor(key(shown[-1])) if more else None
    )


def newest_after(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The key a cursor of a newest-first list names: (a time, an id); None for the first
    page; 422 `bad_cursor` if it is not one."""
    key = read_cursor(cursor, 2)
    if key is None:
        return None
    try:
        return datetime.fromisoformat(str(key[0])), UUID(str(key[1]))
    except ValueError as exc:
        raise Refused("bad_cursor", "this cursor is not one of this list") from exc


def newest_key(at: datetime, item_id: UUID) -> tuple[str, str]:
    """The key of an item in a newest-first list: its time, then its id (ties)."""
    return at.isoformat(), str(item_id)
