"""Reading every page of a list route (`ac_contracts.pagination`)."""

from __future__ import annotations

from typing import Any

import httpx


async def every_item(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The items of every page of `path`, in the list's order (100 a page)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**(params or {}), "limit": "100", **({"cursor": cursor} if cursor else {})}
        r = await client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        items.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
