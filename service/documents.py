"""Changing documents while serving: PUT and DELETE /admin/documents/{doc_id} (RAG_ADMIN_KEY).

Thin handlers over service/changes.py, which edits the corpus and publishes a new version (or
changes nothing at all). The worker that got the call then swaps to the new version at once
and replaces the reload marker, so every other worker follows within RAG_RELOAD_INTERVAL; no
restart. Status codes: 401 without the key, 403 when admin is off, 413 above
RAG_MAX_UPLOAD_BYTES, 422 for a file the readers cannot index (or not within the reading
budget, RAG_READ_*) or a doc_id that is not a valid name (a PUT names a document to create, so
a bad name is bad input; a DELETE of one is 404, as GET /documents/{doc_id} is), 404 for
deleting an unknown id, 409 when another change or build is running or the change would clash
with the corpus, 507 when the disk fills up (nothing is changed then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from starlette.datastructures import UploadFile
from starlette.types import Scope

from index.incremental import UnknownDocument
from index.manifest import IndexProblem
from ingest.budget import Cancelled
from ingest.documents import DOC_ID, CorpusError
from ingest.embed import Embedder
from ingest.readers import UnreadableFile
from service.changes import ChangeOutcome, StorageFull, Upload, put_upload, remove_by_id
from service.config import Settings
from service.engine import Engine
from service.errors import error_responses
from service.lifecycle import ReloadFailed
from service.operations import EngineDep
from service.schemas import ErrorBody
from service.security import DocIdPath, check_doc_id, key_matches, require_admin

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


class DocumentChanged(BaseModel):
    doc_id: str
    action: Literal["added", "replaced", "deleted", "excluded"] = Field(
        description="added or replaced (stored under uploads/), deleted (the upload's file "
        "deleted) or excluded (your own file kept, listed in .rag-removed.json)"
    )
    source: str = Field(description="The file's path inside the corpus.")
    title: str | None = Field(default=None, description="The title indexed (PUT only).")
    new_version: bool = Field(description="False when the corpus already said exactly this.")
    index_version: str = Field(description="The version this worker serves now.")
    previous_version: str | None
    documents: int
    chunks: int


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


def _new_doc_id(doc_id: str) -> str:
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


def _publish(
    request: Request, engine: Engine, change: Callable[[Settings, Embedder], ChangeOutcome]
) -> dict:
    """Run a change, then serve its version here and signal the other workers (in a thread)."""
    try:
        outcome = change(engine.settings, engine.embedder)
    except UnreadableFile as error:
        raise HTTPException(status_code=422, detail=f"file: {error}") from error
    except UnknownDocument as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except Cancelled as error:  # nobody is listening; the file's reading was stopped
        raise HTTPException(status_code=400, detail=f"nothing was changed: {error}") from error
    except StorageFull as error:
        raise HTTPException(status_code=507, detail=str(error)) from error
    except (CorpusError, IndexProblem) as error:  # busy, a clash, an empty index, a bad corpus
        raise HTTPException(status_code=409, detail=f"nothing was changed: {error}") from error
    try:
        request.app.state.reloader.reload_everywhere(engine)
    except ReloadFailed as error:  # published, but this worker cannot load what it wrote
        raise HTTPException(
            status_code=409,
            detail=f"the change was published as index version {outcome.result.version_id}, "
            f"but this worker could not load it: {error}",
        ) from error
    index, done = engine.index, outcome.changes[0]
    document = index.documents.get(done.doc_id) if done.action in {"added", "replaced"} else None
    return {
        "doc_id": done.doc_id,
        "action": done.action,
        "source": done.source,
        "title": document.title if document else None,
        "new_version": outcome.result.published,
        "index_version": index.version,
        "previous_version": outcome.previous_version,
        "documents": len(index.documents),
        "chunks": len(index.chunks),
    }


_UPLOAD_BODY = {
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
_TOO_LARGE = {413: {"model": ErrorBody, "description": "The upload is over RAG_MAX_UPLOAD_BYTES"}}
_WRONG_TYPE = {415: {"model": ErrorBody, "description": "Neither JSON nor a multipart form"}}
_CREATED = {201: {"model": DocumentChanged, "description": "Added (200 when it replaced one)"}}


def add_document_routes(app: FastAPI) -> None:
    """PUT and DELETE /admin/documents/{doc_id}."""

    @app.put(
        "/admin/documents/{doc_id}",
        response_model=DocumentChanged,
        responses={
            **_CREATED,
            **error_responses(400, 401, 403, 409, 422, 503, 507),
            **_TOO_LARGE,
            **_WRONG_TYPE,
        },
        dependencies=[Depends(require_admin)],
        openapi_extra=_UPLOAD_BODY,
    )
    async def put_document(
        doc_id: DocIdPath, request: Request, response: Response, engine: EngineDep
    ) -> dict:
        """Add or replace one document: a file (multipart, read by its suffix's reader) or JSON
        text; stored under the corpus's uploads/, published, served at once (201 if new)."""
        upload = await read_upload(request, _new_doc_id(doc_id))

        def gone() -> bool:  # asked from the worker thread while the file is being read
            return anyio.from_thread.run(request.is_disconnected)

        body = await anyio.to_thread.run_sync(
            lambda: _publish(request, engine, lambda s, e: put_upload(s, e, upload, gone))
        )
        response.status_code = 201 if body["action"] == "added" else 200
        return body

    @app.delete(
        "/admin/documents/{doc_id}",
        response_model=DocumentChanged,
        responses=error_responses(400, 401, 403, 404, 409, 503, 507),
        dependencies=[Depends(require_admin)],
    )
    async def delete_document(doc_id: DocIdPath, request: Request, engine: EngineDep) -> dict:
        """Remove one document: an upload's file is deleted; your own file stays in the corpus,
        listed in .rag-removed.json so a rebuild leaves it out. Published and served at once."""
        wanted = [check_doc_id(doc_id)]
        return await anyio.to_thread.run_sync(
            lambda: _publish(request, engine, lambda s, e: remove_by_id(s, e, wanted))
        )
