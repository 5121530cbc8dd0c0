"""The question's scores against one index version, each computed once per request.

Retrieval and answering both read the question's cosine to sentences, to section headings and
its dense neighbours. They are computed here, on first need, and kept for the request:

- Sentence cosines. With an exact index (vectors in memory) the first ask computes the cosine
  of every sentence in one matrix product, which retrieval's best-sentence list needs anyway;
  every later read is a lookup, so a sentence has one cosine per request, whoever asks. With an
  approximate (large) index the vectors stay on disk and only the sentences asked for are
  scored, each once.
- Heading cosines, per section.
- The dense search: one FAISS search, as deep as the deepest list asks; a shallower ask reads
  its prefix (an IVF search's top k is the prefix of its top k' > k).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.dense import is_exact, search_dense
from service.serving import ServingIndex


class QueryScores:
    """Scores of one query vector against one serving index, memoised for one request."""

    def __init__(self, index: ServingIndex, vector: np.ndarray) -> None:
        self._index, self._vector = index, vector
        self.exact = is_exact(index.dense)
        self._all: np.ndarray | None = None
        self._some: dict[int, float] = {}
        self._headings: dict[int, float] = {}
        self._dense: list[tuple[int, float]] = []
        self._dense_depth = 0

    def all_sentences(self) -> np.ndarray:
        """Every sentence's cosine (exact indexes only: their vectors are in memory)."""
        if self._all is None:
            self._all = np.asarray(self._index.sentence_vectors @ self._vector)
        return self._all

    def sentences(self, sids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The cosines of these sentences, in order."""
        if self.exact:
            return self.all_sentences()[np.asarray(sids, dtype=np.int64)]
        wanted = [int(s) for s in sids if int(s) not in self._some]
        if wanted:
            fresh = np.asarray(self._index.sentence_vectors[wanted] @ self._vector)
            self._some.update(zip(wanted, (float(x) for x in fresh), strict=True))
        return np.asarray([self._some[int(s)] for s in sids], dtype=np.float32)

    def sentence(self, sid: int) -> float:
        if self.exact:
            return float(self.all_sentences()[sid])
        if sid not in self._some:
            self._some[sid] = float(self._index.sentence_vectors[sid] @ self._vector)
        return self._some[sid]

    def heading(self, section: int) -> float:
        """The cosine of a section's heading (or its document's title)."""
        if section not in self._headings:
            self._headings[section] = float(self._index.section_vectors[section] @ self._vector)
        return self._headings[section]

    def dense(self, depth: int) -> list[tuple[int, float]]:
        """The `depth` nearest passages, best first; one search serves every depth up to the
        deepest asked so far."""
        if depth > self._dense_depth:
            self._dense = search_dense(self._index.dense, self._vector, depth)
            self._dense_depth = depth
        return self._dense[:depth]
