"""Documents over HTTP: GET /documents and /documents/{doc_id} for readers (behind RAG_API_KEY
when it is set), and PUT and DELETE /admin/documents/{doc_id} to change them (RAG_ADMIN_KEY).

Thin handlers over service/changes/apply.py, which edits the corpus and publishes a new version (or
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
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from index.incremental import UnknownDocument
from index.load import load_documents
from index.storage.manifest import IndexNotFound, IndexProblem
from ingest.documents import CorpusError, Document
from ingest.embed import Embedder
from ingest.folder.budget import Cancelled
from ingest.readers import UnreadableFile
from service.changes.apply import ChangeOutcome, StorageFull, put_upload, remove_by_id
from service.config import Settings
from service.engine import Engine
from service.http.dependencies import EngineDep
from service.http.errors import QUERY_ERRORS, error_responses
from service.http.runtime.lifecycle import ReloadFailed
from service.http.schemas import DocumentFull, DocumentMeta
from service.http.security import DocIdPath, check_doc_id, require_admin, require_query_key
from service.http.uploads import TOO_LARGE, UPLOAD_BODY, WRONG_TYPE, new_doc_id, read_upload


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


_CREATED = {201: {"model": DocumentChanged, "description": "Added (200 when it replaced one)"}}


def add_document_routes(app: FastAPI, settings: Settings) -> None:
    """GET /documents and /documents/{doc_id}, PUT and DELETE /admin/documents/{doc_id}."""
    guard = [Depends(require_query_key)] if settings.api_key else []

    @app.get(
        "/documents", response_model=list[DocumentMeta], dependencies=guard, responses=QUERY_ERRORS
    )
    def documents(engine: EngineDep) -> list[dict]:
        """Every indexed document's metadata."""
        return [d.metadata() for d in engine.index.documents.values()]

    @app.get(
        "/documents/{doc_id}",
        response_model=DocumentFull,
        dependencies=guard,
        responses=error_responses(404, 409, *QUERY_ERRORS),
    )
    def document(
        doc_id: DocIdPath,
        engine: EngineDep,
        version: Annotated[
            str | None,
            Query(
                max_length=200,
                description="An index version (a citation's `index_version`): its text, for "
                "as long as that version is kept (RAG_KEEP_VERSIONS). Default: the one served.",
            ),
        ] = None,
    ) -> dict:
        """One document with its citable text, so a citation's offsets can be checked, and the
        index version it is from."""
        check_doc_id(doc_id)
        index = engine.index
        served = index.version if version is None else version
        documents = index.documents if served == index.version else kept_documents(engine, served)
        doc = documents.get(doc_id)
        if doc is None:
            where = "" if version is None else f" in index version {version!r}"
            raise HTTPException(status_code=404, detail=f"unknown document {doc_id!r}{where}")
        return {
            **doc.metadata(),
            "text": doc.text,
            "index_version": served,
            "format": doc.format,
            "blocks": [b.to_record() for b in doc.blocks],
            "markup": [list(span) for span in doc.markup],
            "pages": list(doc.pages),
        }

    @app.put(
        "/admin/documents/{doc_id}",
        response_model=DocumentChanged,
        responses={
            **_CREATED,
            **error_responses(400, 401, 403, 409, 422, 503, 507),
            **TOO_LARGE,
            **WRONG_TYPE,
        },
        dependencies=[Depends(require_admin)],
        openapi_extra=UPLOAD_BODY,
    )
    async def put_document(
        doc_id: DocIdPath, request: Request, response: Response, engine: EngineDep
    ) -> dict:
        """Add or replace one document: a file (multipart, read by its suffix's reader) or JSON
        text; stored under the corpus's uploads/, published, served at once (201 if new)."""
        upload = await read_upload(request, new_doc_id(doc_id))

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


def kept_documents(engine: Engine, version: str) -> dict[str, Document]:
    """The documents of an older kept version: 404 when it is unknown or pruned, 409 when it
    is on disk but damaged."""
    try:
        return load_documents(engine.settings.index_dir, version)
    except IndexNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except IndexProblem as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
