"""Reading an upload: the body limit for a PUT bearing the admin key, and the body as a file
(a multipart form) or JSON text, with the fields a caller may state about it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from starlette.datastructures import UploadFile
from starlette.types import Scope

from ingest.documents import DOC_ID
from service.changes.apply import Upload
from service.config import Settings
from service.http.schemas import ErrorBody
from service.http.security import key_matches

PREFIX = "/admin/documents/"
FIELD_LIMITS = {"title": 500, "author": 300, "published": 100}


class DocumentFields(BaseModel):
    """What a caller may state about an upload; each wins over what the file says."""

    model_config = ConfigDict(extra="forbid")

    title: StrictStr | None = Field(default=None, min_length=1, max_length=FIELD_LIMITS["title"])
    author: StrictStr | None = Field(default=None, min_length=1, max_length=FIELD_LIMITS["author"])
    published: StrictStr | None = Field(
        default=None, min_length=1, max_length=FIELD_LIMITS["published"]
    )


class DocumentText(DocumentFields):
    text: StrictStr = Field(min_length=1, description="The document, as plain text.")


def upload_limit(settings: Settings) -> Callable[[Scope], int]:
    """The body limit of a request: RAG_MAX_UPLOAD_BYTES for a PUT of a document bearing the
    admin key, RAG_MAX_BODY_BYTES for everything else, so a client without the key can never
    make a worker hold an upload-sized body."""

    def limit_for(scope: Scope) -> int:
        key = settings.admin_key
        putting = scope.get("method") == "PUT" and str(scope.get("path", "")).startswith(PREFIX)
        if key and putting and _bears(scope, key):
            return settings.max_upload_bytes
        return settings.max_body_bytes

    return limit_for


def _bears(scope: Scope, key: str) -> bool:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return scheme.lower() == "bearer" and key_matches(token.strip(), key)
    return False


def _invalid(field: tuple[str, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": field, "msg": message, "type": "value_error"}])


def new_doc_id(doc_id: str) -> str:
    if not DOC_ID.fullmatch(doc_id):
        raise _invalid(
            ("path", "doc_id"),
            "ids are letters, digits, '.', '_' or '-' (at most 128 characters, starting with "
            "a letter or digit)",
        )
    return doc_id


def _in_body(error: ValidationError) -> RequestValidationError:
    """Pydantic's errors located in the body, as FastAPI's own validation reports them."""
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()])


async def read_upload(request: Request, doc_id: str) -> Upload:
    """The upload in the body: a multipart form with one `file` (and optional title, author,
    published fields), or JSON {"text", "title"?, "author"?, "published"?}."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        async with request.form(max_files=1, max_fields=len(FIELD_LIMITS)) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _invalid(("body", "file"), "send the document as a form field named 'file'")
            try:
                fields = DocumentFields.model_validate(
                    {k: v for k, v in form.items() if k != "file"}
                )
            except ValidationError as error:
                raise _in_body(error) from error
            data = await upload.read()
            return Upload(doc_id, upload.filename or "", data, **fields.model_dump())
    if media != "application/json" and not media.endswith("+json"):
        raise HTTPException(
            status_code=415,
            detail=f"content-type {media!r}: send application/json or multipart/form-data",
        )
    try:
        body = DocumentText.model_validate_json(await request.body())
    except ValidationError as error:
        raise _in_body(error) from error
    fields = body.model_dump(exclude={"text"})
    return Upload(doc_id, f"{doc_id}.txt", body.text.encode("utf-8"), **fields)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DocumentText.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **{name: {"type": "string"} for name in FIELD_LIMITS},
                    },
                }
            },
        },
    }
}
TOO_LARGE = {413: {"model": ErrorBody, "description": "The upload is over RAG_MAX_UPLOAD_BYTES"}}
WRONG_TYPE = {415: {"model": ErrorBody, "description": "Neither JSON nor a multipart form"}}
