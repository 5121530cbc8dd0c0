"""Error answers: every 4xx/5xx is JSON with an `error` sentence naming the field or problem."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.schemas import ErrorBody

_WHY = {
    400: "The body is not valid UTF-8 or cannot be parsed",
    401: "Missing or wrong API key (see the WWW-Authenticate header)",
    403: "Admin endpoints are disabled (RAG_ADMIN_KEY is not set)",
    404: "Unknown document",
    409: "The index on disk cannot be loaded; the previous index keeps serving",
    413: "The body is larger than RAG_MAX_BODY_BYTES",
    422: "Invalid input; `error` names the field",
    500: "Internal error; the body holds only a request id, the log the details",
    503: "No index loaded",
}


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
    if error.get("type") == "json_invalid":
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


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with an `error` sentence; inputs are never echoed back."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        body = _validation_body(list(error.errors()))
        return JSONResponse(status_code=422, content=_with_request_id(request, body))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = _http_message(error)
        return JSONResponse(
            status_code=error.status_code,
            content=_with_request_id(request, {"error": message, "detail": error.detail}),
            headers=getattr(error, "headers", None),
        )
