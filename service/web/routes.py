"""Serving the reader's page: one HTML file for every page URL, and its two assets.

The page is hand-written and has no build step, so the files in static/ are what the browser
gets. Only the names below are served, so nothing else in the package is reachable over HTTP.
The page routes on its own URL (`/`, `/?q=...`, `/read/{doc_id}?start=S&end=E`), so every such
URL answers with the same HTML. None of these routes needs RAG_API_KEY: the page asks for the
key itself and sends it only to the query endpoints.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE = STATIC_DIR / "index.html"
JAVASCRIPT = "text/javascript; charset=utf-8"
ASSETS = {
    "app.js": JAVASCRIPT,
    "api.js": JAVASCRIPT,
    "render.js": JAVASCRIPT,
    "style.css": "text/css; charset=utf-8",
}
# Everything the page loads comes from this origin, so the policy can be strict: no inline
# script or style, no other host, no framing.
POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidate, so a new release is seen at the next load
}


def _page() -> FileResponse:
    return FileResponse(PAGE, media_type="text/html; charset=utf-8", headers=HEADERS)


def add_web_routes(app: FastAPI) -> None:
    """GET / and GET /read/{doc_id} (the same page) and GET /static/{name} (its assets)."""

    @app.get("/", include_in_schema=False)
    def home() -> FileResponse:
        return _page()

    @app.get("/read/{doc_id}", include_in_schema=False)
    def read(doc_id: str) -> FileResponse:
        return _page()  # the page fetches /documents/{doc_id} and says when it is unknown

    @app.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(status_code=404, detail=f"no such file: {name!r}")
        return FileResponse(STATIC_DIR / name, media_type=media_type, headers=HEADERS)
