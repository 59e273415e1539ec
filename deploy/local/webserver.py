"""The web app's static server for `make run` and the browser tests: the built files, the
single-page fallback, `config.json`, and the security headers (a strict CSP).

Any path that is not a file of the build answers `index.html`, so a link from an
email (`/verify-email?token=`, `/me/consents`, `/vacancies/{id}`) opens its page.
`/config.json` tells the app where the gateway is. Every answer carries a
Content-Security-Policy with no inline script or style and no origin but the
app's own and the gateway's. (In Kubernetes, nginx serves the same files with the
same headers: deploy/k8s/base/web.)

    python deploy/local/webserver.py --dist web/dist --port 3000 --api-url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


def content_security_policy(api_url: str) -> str:
    api = urlsplit(api_url)
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src 'self' {api.scheme}://{api.netloc}",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ])  # fmt: skip


def security_headers(api_url: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(api_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def web_app(dist: Path, api_url: str, erasure_grace_s: float = 60.0) -> Starlette:
    root = dist.resolve()
    headers = security_headers(api_url)
    config = {"apiUrl": api_url, "erasureGraceSeconds": erasure_grace_s}

    async def config_json(_: Request) -> Response:
        return JSONResponse(config, headers={**headers, "Cache-Control": "no-store"})

    async def page(request: Request) -> Response:
        wanted = (root / request.path_params["path"]).resolve()
        if wanted.is_relative_to(root) and wanted.is_file() and wanted.name != "index.html":
            cache = (
                "public, max-age=31536000, immutable" if "assets" in wanted.parts else "no-cache"
            )
            return FileResponse(wanted, headers={**headers, "Cache-Control": cache})
        return FileResponse(root / "index.html", headers={**headers, "Cache-Control": "no-cache"})

    async def ready(_: Request) -> Response:
        return PlainTextResponse("ready", headers=headers)

    return Starlette(routes=[Route("/config.json", config_json), Route("/readyz", ready),
                             Route("/{path:path}", page)])  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--erasure-grace-s", type=float, default=60.0)
    args = parser.parse_args()
    app = web_app(args.dist, args.api_url, args.erasure_grace_s)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
