"""Answers already given, kept for a repeat of the same question against the same index.

The key is the question as typed (case and spacing aside), the chat's earlier questions, the
request's options and the index version; the cache empties whenever the engine swaps or reloads
its index, so a published change is never answered from before it. Hits, misses and size are
read by /metrics. Throughput is measured on distinct questions (evaluation/bench), so the
cache never stands in for answering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


def normalised(text: str) -> str:
    """Case and spacing aside; everything else (punctuation included) still tells apart."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class AnswerKey:
    question: str
    history: tuple[str, ...]
    top_k: int
    mode: str
    index_version: str

    @classmethod
    def of(
        cls, question: str, history: Sequence[str], top_k: int, mode: str, version: str
    ) -> AnswerKey:
        return cls(normalised(question), tuple(map(normalised, history)), top_k, mode, version)


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    capacity: int


class AnswerCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `capacity` answers (0: off)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[AnswerKey, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: AnswerKey) -> V | None:
        if self.capacity <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self._misses += 1
                return None
            self._items.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: AnswerKey, value: V) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._items), self.capacity)
