"""`OPTIONS` on any route of the table answers `204` with `Allow: <its methods>` (RFC 9110
§9.3.7). A browser's CORS preflight (an `OPTIONS` with `Access-Control-Request-Method`) is
the CORS middleware's, outside this one."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ac_gateway.table import Route


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", path) + "$")


class AllowHeader:
    def __init__(self, app: ASGIApp, routes: Iterable[Route]) -> None:
        self.app = app
        methods: dict[str, set[str]] = defaultdict(set)
        for route in routes:
            methods[route.path].add(route.method)
        self.paths = [(_pattern(p), sorted(m | {"OPTIONS"})) for p, m in methods.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        allowed = sorted({m for pattern, ms in self.paths if pattern.match(path) for m in ms})
        if not allowed:
            await self.app(scope, receive, send)  # not a route of ours: the app's 404/405
            return
        await Response(status_code=204, headers={"Allow": ", ".join(allowed)})(scope, receive, send)
