"""Waiting on a condition, never a fixed sleep: `eventually(probe)` asks until it answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout_s: float = 30) -> T:
    """`probe()` until it gives something (the log and the mail take their time)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        found = await probe()
        if found is not None and found is not False:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the condition did not come true in time")
        await asyncio.sleep(0.1)
