"""The keys test servers are started with, and the headers that present them."""

from __future__ import annotations

ADMIN_KEY = "admin-key-0123456789"  # RAG_ADMIN_KEY: reloads and document changes
API_KEY = "query-key-9876543210"  # RAG_API_KEY: every other route, when set


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


AUTH = bearer(ADMIN_KEY)  # what an operator sends to the admin routes
