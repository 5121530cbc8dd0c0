"""/docs (Swagger UI) and /redoc, with their scripts served by this app, never by a CDN.

FastAPI's own pages load swagger-ui and redoc from jsDelivr (and ReDoc's fonts from Google), so
they are blank offline. The bundles come from the `fastapi-offline` package (MIT; it ships the
swagger-ui-dist and redoc builds, Apache-2.0 and MIT), whose files are served here under fixed
names; its app factory is not used, so these routes set their own headers: a policy that lets
the pages load nothing from another origin, and long caching for the 2.7 MB of bundles.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_URL = "/docs-assets"
BUNDLES = Path(str(files("fastapi_offline") / "static"))
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Both pages start their UI from a small inline script (and ReDoc uses inline styles and
# workers from blobs); everything they fetch must come from this origin.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-cache"}
ASSET_HEADERS = {"Cache-Control": "public, max-age=86400"}
# Swagger UI would otherwise show a badge fetched from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": "none"}


def _with_headers(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(PAGE_HEADERS)
    return page


def add_docs_routes(app: FastAPI) -> None:
    """GET /docs, /docs/oauth2-redirect, /redoc and /docs-assets/{name}, all same-origin."""
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"
    oauth_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            oauth2_redirect_url=oauth_redirect,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )
        return _with_headers(page)

    @app.get(oauth_redirect, include_in_schema=False)
    async def swagger_oauth_redirect() -> HTMLResponse:
        return _with_headers(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        return _with_headers(page)

    @app.get(f"{ASSETS_URL}/{{name}}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(status_code=404, detail="no such documentation file")
        return FileResponse(BUNDLES / name, media_type=media_type, headers=ASSET_HEADERS)
