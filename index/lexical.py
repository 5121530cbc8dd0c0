"""The keyword index: BM25 (bm25s, Lucene variant) over stemmed, stopword-free tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer

# Pyserini's BEIR settings; they also suit short article passages.
K1, B = 0.9, 0.4


@dataclass(frozen=True)
class LexicalIndex:
    """A BM25 model and the stemmer its vocabulary was built with."""

    bm25: bm25s.BM25
    stemmer: Stemmer.Stemmer

    def terms(self, text: str) -> list[str]:
        """Stemmed, stopword-free terms of any text, known to the index or not."""
        return bm25s.tokenize(
            [text], stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )[0]

    def tokens(self, text: str) -> list[str]:
        """The query's stemmed terms that the index knows (unknown terms cannot score)."""
        vocab = self.bm25.vocab_dict
        return [t for t in self.terms(text) if t in vocab]

    def scores(self, text: str) -> np.ndarray:
        """A BM25 score for every passage (0 where no term matches)."""
        terms = self.tokens(text)
        if not terms:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)


def build_lexical(texts: Sequence[str]) -> LexicalIndex:
    """Index passage texts; rebuilt at load from the stored chunks, so nothing extra is saved."""
    stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer, show_progress=False)
    model = bm25s.BM25(k1=K1, b=B, method="lucene")
    model.index(tokens, show_progress=False)
    return LexicalIndex(model, stemmer)


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows with a positive score, best first (ties broken by row order, for stable output)."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    candidates = np.argpartition(-scores, k - 1)[:k]
    ordered = sorted(candidates, key=lambda row: (-scores[row], row))
    return [(int(row), float(scores[row])) for row in ordered if scores[row] > 0]
