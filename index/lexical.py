"""The keyword index: BM25 (bm25s, Lucene variant) over stemmed, stopword-free tokens."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

# Pyserini's BEIR settings; they also suit short article passages.
K1, B = 0.9, 0.4


@dataclass(frozen=True)
class LexicalIndex:
    """A BM25 model and the stemmer its vocabulary was built with."""

    bm25: bm25s.BM25
    stemmer: Stemmer.Stemmer
    _by_initial: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for term in self.bm25.vocab_dict:
            self._by_initial.setdefault(term[:1], []).append(term)

    def known_as(self, term: str) -> str | None:
        """The corpus term this term is (itself, or the word it is a typo of), if any."""
        if term in self.bm25.vocab_dict:
            return term
        if len(term) < 4:
            return None
        close = difflib.get_close_matches(term, self._by_initial.get(term[:1], []), 1, 0.8)
        return close[0] if close else None

    def terms(self, text: str) -> list[str]:
        """Content terms of any text (a long stopword list, so "what" or "did" never count)."""
        return bm25s.tokenize(
            [text],
            stopwords=list(STOPWORDS_EN_PLUS),
            stemmer=self.stemmer,
            return_ids=False,
            show_progress=False,
        )[0]

    def tokens(self, text: str) -> list[str]:
        """The query's BM25 terms (Lucene's stopwords, as the index) that the index knows."""
        terms = bm25s.tokenize(
            [text], stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )[0]
        vocab = self.bm25.vocab_dict
        return [t for t in terms if t in vocab]

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
