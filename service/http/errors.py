"""Error answers: every 4xx/5xx is JSON with an `error` sentence naming the field or problem.

No answer shows where the service lives on disk: messages from the index, corpus or model
layers name files relative to their root (`versions/<id>/dense.faiss`) and the root by its
setting (`$RAG_INDEX_DIR`); any other absolute path is cut to its last part, so unauthenticated
callers learn nothing about the host.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from service.config import Settings
from service.http.schemas import ErrorBody

_WHY = {
    400: "The body is not valid UTF-8 or cannot be parsed",
    401: "Missing or wrong API key (see the WWW-Authenticate header)",
    403: "Admin endpoints are disabled (RAG_ADMIN_KEY is not set)",
    404: "Unknown document",
    408: "The body did not arrive within RAG_BODY_TIMEOUT seconds",
    409: "The index on disk cannot be loaded; the previous index keeps serving",
    413: "The body is larger than RAG_MAX_BODY_BYTES",
    422: "Invalid input; `error` names the field",
    500: "Internal error; the body holds only a request id, the log the details",
    503: "No index loaded",
    507: "The disk filled up during the change; nothing was changed, the index served is intact",
}
# An absolute path of two or more parts, not inside a word or a URL (`/docs` is one part).
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"`()]+/)+[^\s/'\"`(),;]*")


def _on_this_host(match: re.Match[str]) -> str:
    """A path whose first part is a top-level directory here (/tmp, /home...) is cut to its
    last part; others, such as the API's own routes (/admin/reload), are left alone."""
    path = match.group(0)
    top = "/" + path.split("/", 2)[1]
    return (Path(path).name or path) if Path(top).is_dir() else path


def _named_roots(settings: Settings) -> list[tuple[str, str]]:
    """Each configured directory as written and resolved, longest first, named by its setting."""
    roots = [
        (settings.index_dir, "$RAG_INDEX_DIR"),
        (settings.corpus_dir, "$RAG_CORPUS_DIR"),
        (settings.cache_dir, "$RAG_CACHE_DIR"),
    ]
    if settings.model_dir is not None:
        roots.append((settings.model_dir, "$RAG_MODEL"))
    named = {}
    for root, name in roots:
        for form in {str(root), str(root.expanduser().resolve())}:
            if Path(form).is_absolute() and form != "/":
                named[form.rstrip("/")] = name
    return sorted(named.items(), key=lambda item: -len(item[0]))


def public_message(message: str, settings: Settings) -> str:
    """`message` without absolute paths: files under a configured root are named relative to it
    (`versions/<id>/dense.faiss`), the root itself by its setting (`$RAG_INDEX_DIR`), and any
    other path by its last part."""
    for root, name in _named_roots(settings):
        inside_or_at = re.compile(re.escape(root) + r"(?:/|(?![\w.-]))")
        message = inside_or_at.sub(lambda m, name=name: "" if m[0].endswith("/") else name, message)
    return _ABSOLUTE_PATH.sub(_on_this_host, message)


def error_responses(*codes: int) -> dict:
    """OpenAPI `responses` for these status codes, so the schema documents every error."""
    return {code: {"model": ErrorBody, "description": _WHY[code]} for code in codes}


QUERY_ERRORS = error_responses(401, 422, 500, 503)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _describe(error: dict) -> dict:
    loc = tuple(error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    field = _field(loc)
    if error.get("type") == "extra_forbidden":
        message = "unknown field; the accepted fields are listed at /docs"
    elif error.get("type") == "json_invalid":
        field = "body"
        reason = (error.get("ctx") or {}).get("error", "")
        message = f"not valid JSON ({reason} at character {loc[-1]})" if reason else "not JSON"
    return {"loc": list(loc), "field": field, "msg": message, "type": error.get("type")}


def _validation_body(errors: list[dict]) -> dict:
    detail = [_describe(e) for e in errors]
    summary = "; ".join(
        d["msg"] if d["msg"].startswith(f"{d['field']} ") else f"{d['field']}: {d['msg']}"
        for d in detail
    )
    return {"error": summary or "invalid request", "detail": detail}


def _with_request_id(request: Request, body: dict) -> dict:
    request_id = getattr(request.state, "request_id", None)
    return {**body, "request_id": request_id} if request_id else body


OPENAI_PREFIX = "/v1/"  # the OpenAI-compatible routes answer errors in OpenAI's shape
_OPENAI_TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "rate_limit_error"}
_OPENAI_CODES = {401: "invalid_api_key", 404: "not_found", 413: "request_too_large"}


def openai_error(status: int, message: str, *, param: str | None = None, code: str | None = None):
    """OpenAI's error body: {"error": {"message", "type", "param", "code"}}."""
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {
        "error": {
            "message": message,
            "type": kind,
            "param": param,
            "code": code or _OPENAI_CODES.get(status),
        }
    }


def error_body(path: str, status: int, message: str, request_id: str | None, **more) -> dict:
    """The error body a route answers with: OpenAI's shape under /v1/, the service's elsewhere
    (`more` is the service shape's extra fields, such as `detail`)."""
    if path.startswith(OPENAI_PREFIX):
        return openai_error(status, message, param=more.get("param"))
    body = {"error": message, **{k: v for k, v in more.items() if k != "param"}}
    return {**body, "request_id": request_id} if request_id else body


def _http_message(error: StarletteHTTPException) -> str:
    """Starlette's and FastAPI's terse defaults, turned into sentences that say what to do."""
    headers = {k.lower(): v for k, v in (getattr(error, "headers", None) or {}).items()}
    if error.status_code == 404 and error.detail == "Not Found":
        return "not found: no such route (the API is described at /docs)"
    if error.status_code == 405:
        return f"method not allowed: this route accepts {headers.get('allow', 'other methods')}"
    if error.status_code == 400 and error.detail == "There was an error parsing the body":
        return "body: cannot be parsed as JSON (nested too deeply or a number too long)"
    return str(error.detail)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's:
    PUT and DELETE /admin/documents/{doc_id} are two routes)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if route.matches(request.scope)[0] != Match.NONE:  # PARTIAL: the path, not the method
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with an `error` sentence; inputs are never echoed back."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        body = _validation_body(list(error.errors()))
        if request.url.path.startswith(OPENAI_PREFIX):  # OpenAI answers a bad request with 400
            first = body["detail"][0] if body["detail"] else {"field": "body", "msg": ""}
            param = None if first["field"] == "body" else first["field"]
            message = first["msg"] if param is None and len(body["detail"]) == 1 else body["error"]
            if first.get("type") == "extra_forbidden":  # OpenAI's own words for it
                param, message = None, f"Unrecognized request argument supplied: {first['field']}"
            return JSONResponse(status_code=400, content=openai_error(400, message, param=param))
        return JSONResponse(status_code=422, content=_with_request_id(request, body))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        settings: Settings = request.app.state.settings
        if error.status_code == 405:
            allow = ", ".join(allowed_methods(request))
            error = StarletteHTTPException(405, error.detail, headers={"Allow": allow})
        message = public_message(_http_message(error), settings)
        detail = error.detail
        if isinstance(detail, str):
            detail = public_message(detail, settings)
        request_id = getattr(request.state, "request_id", None)
        return JSONResponse(
            status_code=error.status_code,
            content=error_body(
                request.url.path, error.status_code, message, request_id, detail=detail
            ),
            headers=getattr(error, "headers", None),
        )
