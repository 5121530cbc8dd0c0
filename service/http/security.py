"""Access control: bearer keys compared in constant time; document ids that stay names."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ingest.documents import DOC_ID, MAX_DOC_ID  # the one definition: a name, never a path
from service.config import Settings

_admin_scheme = HTTPBearer(
    auto_error=False, scheme_name="AdminKey", description="The RAG_ADMIN_KEY, as a bearer token."
)
_query_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="The RAG_API_KEY, as a bearer token (only when the service sets one).",
)
Credentials = HTTPAuthorizationCredentials | None


def key_matches(presented: str | None, expected: str) -> bool:
    """Constant-time comparison of bytes, so a wrong key's timing reveals nothing about the key."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), expected.encode())


def _unauthorized(realm: str, credentials: Credentials) -> HTTPException:
    if credentials is None:
        message = f"missing API key: send `Authorization: Bearer <key>` ({realm} endpoints)"
        challenge = f'Bearer realm="{realm}"'
    else:
        message = f"invalid API key for the {realm} endpoints"
        challenge = f'Bearer realm="{realm}", error="invalid_token"'
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": challenge})


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def require_admin(
    request: Request, credentials: Annotated[Credentials, Depends(_admin_scheme)]
) -> None:
    """Admin endpoints need RAG_ADMIN_KEY; with none configured they are switched off (403)."""
    expected = _settings(request).admin_key
    if not expected:
        raise HTTPException(
            status_code=403,
            detail="admin endpoints are disabled: set RAG_ADMIN_KEY to enable them",
        )
    if credentials is None or not key_matches(credentials.credentials, expected):
        raise _unauthorized("admin", credentials)


async def require_query_key(
    request: Request, credentials: Annotated[Credentials, Depends(_query_scheme)]
) -> None:
    """Query endpoints are open unless RAG_API_KEY is set; then they need it as a bearer token.

    Async, like require_admin, so checking a key never takes a thread from the pool."""
    expected = _settings(request).api_key
    if expected and (credentials is None or not key_matches(credentials.credentials, expected)):
        raise _unauthorized("query", credentials)


# The path parameter as the OpenAPI schema states it: the id pattern, documented, not enforced
# by FastAPI, so that a malformed id keeps its meaning (404 to read or delete, 422 to create).
DocIdPath = Annotated[
    str,
    Path(
        description="A document id: letters, digits, '.', '_' or '-', at most 128 characters, "
        "starting with a letter or digit.",
        json_schema_extra={"pattern": DOC_ID.pattern, "maxLength": MAX_DOC_ID},
    ),
]


def check_doc_id(doc_id: str) -> str:
    """A document id is a name in the loaded index, never a path: anything else is 404."""
    if not DOC_ID.fullmatch(doc_id):
        raise HTTPException(
            status_code=404,
            detail="unknown document: ids are letters, digits, '.', '_' or '-' "
            "(at most 128 characters, starting with a letter or digit)",
        )
    return doc_id
