"""The keyword index: BM25 (bm25s, Lucene variant) over stemmed, stopword-free tokens.

It is built once, with the version, and saved beside it (`bm25.*` files); a load
memory-maps the score matrix, so only the postings of the terms a query uses are read.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS
from bm25s.tokenization import Tokenized

# Pyserini's BEIR settings; they also suit short article passages.
K1, B = 0.9, 0.4
STEMMER = "english"
TOKEN_BATCH = 50_000  # passages tokenised at once
# bm25s's file names, prefixed so they sit flat among the version's other files
FILES = {
    "data_name": "bm25.data.npy",
    "indices_name": "bm25.indices.npy",
    "indptr_name": "bm25.indptr.npy",
    "vocab_name": "bm25.vocab.json",
    "params_name": "bm25.params.json",
    "nnoc_name": "bm25.nonoccurrence.npy",
}
# bm25s.tokenize's own rule (scikit-learn's token pattern on lower-cased text, stopwords out,
# then the stemmer), without its per-call overhead: it builds a stopword set and three progress
# bars per call, a third of a millisecond for one question, several times a request.
# tests/index/test_lexical.py checks that both give the same terms.
_split = re.compile(r"(?u)\b\w\w+\b").findall
_CONTENT_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
_QUERY_STOPWORDS = frozenset(STOPWORDS_EN)


def is_stopword(word: str) -> bool:
    """Whether a lower-cased word is on the long stopword list the content terms leave out."""
    return word in _CONTENT_STOPWORDS


def _stemmed(text: str, stopwords: frozenset[str], stemmer: Stemmer.Stemmer) -> list[str]:
    return stemmer.stemWords([t for t in _split(text.lower()) if t not in stopwords])


_THREAD = threading.local()


def stem(word: str) -> str:
    """One word as the index stems it ("workers" -> "worker"), for rules that compare words
    outside BM25 (a stemmer object per thread: PyStemmer's are not safe to share)."""
    stemmer = getattr(_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _THREAD.stemmer = Stemmer.Stemmer(STEMMER)
    return stemmer.stemWord(word.lower())


def content_terms(texts: Sequence[str], stemmer: Stemmer.Stemmer | None = None) -> list[list[str]]:
    """Content terms of each text (a long stopword list, so "what" or "did" never count)."""
    stemmer = stemmer or Stemmer.Stemmer(STEMMER)
    return [_stemmed(text, _CONTENT_STOPWORDS, stemmer) for text in texts]


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
        return content_terms([text], self.stemmer)[0]

    def tokens(self, text: str) -> list[str]:
        """The query's BM25 terms (Lucene's stopwords, as the index) that the index knows."""
        vocab = self.bm25.vocab_dict
        return [t for t in self.query_tokens(text) if t in vocab]

    def scores(self, text: str) -> np.ndarray:
        """A BM25 score for every passage (0 where no term matches)."""
        return self.scores_of(self.tokens(text))

    def query_tokens(self, text: str) -> list[str]:
        """All of a query's BM25 tokens (Lucene's stopwords, as the index), known or not."""
        return _stemmed(text, _QUERY_STOPWORDS, self.stemmer)

    def scores_of(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 scores for already tokenised terms the index knows."""
        if not terms:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.bm25.get_scores(list(terms)), dtype=np.float32)

    def save(self, directory: Path) -> None:
        """Write the BM25 model's arrays and vocabulary into a version directory."""
        self.bm25.save(directory, **FILES, show_progress=False)


def build_lexical(texts: Sequence[str]) -> LexicalIndex:
    """Index passage texts (at build time; `load_lexical` reads the saved index).

    Token ids are given in order of first appearance: bm25s's own tokenizer numbers them by
    iterating a set, which differs between processes (string hashing is salted), and the
    saved files must be the same for the same corpus. Texts are tokenised in batches, so only
    ids, not a string per token, are held for a large corpus.
    """
    stemmer = Stemmer.Stemmer(STEMMER)
    vocabulary: dict[str, int] = {}
    ids: list[list[int]] = []
    texts = list(texts)
    for first in range(0, len(texts), TOKEN_BATCH):
        words = bm25s.tokenize(
            texts[first : first + TOKEN_BATCH],
            stopwords="en",
            stemmer=stemmer,
            return_ids=False,
            show_progress=False,
        )
        ids += [[vocabulary.setdefault(w, len(vocabulary)) for w in ws] for ws in words]
    model = bm25s.BM25(k1=K1, b=B, method="lucene")
    model.index(Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
    return LexicalIndex(model, stemmer)


def load_lexical(directory: Path, mapped: bool = True) -> LexicalIndex:
    """The saved BM25 index of a version, its score matrix memory-mapped or read whole."""
    model = bm25s.BM25.load(directory, **FILES, mmap=mapped, show_progress=False, verbosity=0)
    return LexicalIndex(model, Stemmer.Stemmer(STEMMER))


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows with a positive score, best first (ties broken by row order, for stable output)."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    candidates = np.argpartition(-scores, k - 1)[:k]
    ordered = sorted(candidates, key=lambda row: (-scores[row], row))
    return [(int(row), float(scores[row])) for row in ordered if scores[row] > 0]
