"""Vectors stored on disk by (model fingerprint, text hash), so a rebuild embeds only new text.

One cache may serve several index roots (the articles' index, a BEIR index, test scratch roots).
Each root that builds with it is recorded here, so pruning (index/storage/retention.py) can keep
every row that any of them still uses, not only the rows of the root being cleaned.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads with the first embedding, not with `rag --help`
    import numpy as np

CACHE_FILE = "embeddings.sqlite3"  # under RAG_CACHE_DIR
STORE_EVERY = 2048  # texts encoded between two writes to the cache
Encode = Callable[[Sequence[str], bool], "np.ndarray"]  # (texts, progress) -> rows, in order


class EmbeddingCache:
    """Vectors keyed by (model fingerprint, text hash) in SQLite: rebuilds embed only new text."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, "
            "PRIMARY KEY (model, key))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS index_roots (path TEXT PRIMARY KEY, registered_at TEXT)"
        )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        import numpy as np

        found: dict[str, np.ndarray] = {}
        for offset in range(0, len(keys), 500):
            batch = list(keys[offset : offset + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                [model, *batch],
            )
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        import numpy as np

        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def register_root(self, root: Path) -> None:
        """Record that the index root `root` keeps versions built from this cache."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO index_roots VALUES (?, ?)",
                (str(root.resolve()), datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def registered_roots(self) -> list[Path]:
        """Every index root recorded as using this cache, whether or not it still exists."""
        return [Path(p) for (p,) in self._db.execute("SELECT path FROM index_roots ORDER BY path")]

    def forget_root(self, root: Path) -> None:
        with self._db:
            self._db.execute("DELETE FROM index_roots WHERE path = ?", (str(root),))

    def count(self) -> int:
        """How many vectors the cache holds, for every model."""
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def prune_except(self, keep: Iterable[tuple[str, str]]) -> int:
        """Delete every row whose (model, key) is not in `keep`; return how many went.

        One transaction: a reader sees the cache either before or after, never half pruned.
        """
        with self._db:
            self._db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS keep "
                "(model TEXT, key TEXT, PRIMARY KEY (model, key))"
            )
            self._db.execute("DELETE FROM temp.keep")
            self._db.executemany("INSERT OR IGNORE INTO temp.keep VALUES (?, ?)", keep)
            deleted = self._db.execute(
                "DELETE FROM vectors WHERE NOT EXISTS (SELECT 1 FROM temp.keep k "
                "WHERE k.model = vectors.model AND k.key = vectors.key)"
            ).rowcount
            self._db.execute("DELETE FROM temp.keep")
        return int(deleted)

    def close(self) -> None:
        self._db.close()


def embed_cached(
    texts: Sequence[str],
    *,
    fingerprint: str,
    cache: EmbeddingCache | None,
    encode: Encode,
    progress: bool = False,
) -> np.ndarray:
    """Rows for `texts` in order: cached ones read back, the rest encoded once each and stored.

    New vectors are stored every STORE_EVERY texts, so an interrupted bulk run (16,000 SciFact
    passages take minutes) resumes where it stopped instead of starting over.
    """
    import numpy as np

    if cache is None:
        return np.asarray(encode(texts, progress), dtype=np.float32)
    keys = [EmbeddingCache.key(t) for t in texts]
    known = cache.get_many(fingerprint, keys)
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    text_of = dict(zip(keys, texts, strict=True))
    for start in range(0, len(missing), STORE_EVERY):
        batch = missing[start : start + STORE_EVERY]
        fresh = np.asarray(encode([text_of[k] for k in batch], progress), dtype=np.float32)
        new = dict(zip(batch, fresh, strict=True))
        cache.put_many(fingerprint, new)
        known.update(new)
    return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)


class CachedEmbedding:
    """`embed` and `embed_query` for a backend that has `fingerprint`, `cache`, `dimension`
    and `_encode(texts, progress)`: both backends share this, so they cache alike."""

    fingerprint: str
    cache: EmbeddingCache | None

    @property
    def dimension(self) -> int:  # pragma: no cover - every backend overrides it
        raise NotImplementedError

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed texts, taking what the cache already holds and storing what it did not."""
        if not texts:
            import numpy as np

            return np.zeros((0, self.dimension), dtype=np.float32)
        return embed_cached(
            texts,
            fingerprint=self.fingerprint,
            cache=self.cache,
            encode=self._encode,
            progress=progress,
        )

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector; queries are not cached (they rarely repeat exactly)."""
        return self._encode([text], progress=False)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several query vectors in one model call; not cached, like `embed_query`."""
        return self._encode(list(texts), progress=False)
