"""Query embeddings of concurrent requests, computed together.

The model costs much the same for a few short questions as for one (a call's fixed cost
dominates at these lengths), so questions that arrive while the model is busy wait for it and
then go in one call: group commit. A question that arrives at an idle model is embedded at once,
so one client's latency never waits on a window; batches form only under load, as large as what
arrived meanwhile (at most `max_batch`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

MAX_BATCH = 16  # questions per model call; past this, padding costs more than the call
# A model call pads every question to the longest: questions are grouped by length so that no
# call holds one more than twice as long as its shortest (a rambling message goes alone).
MAX_LENGTH_RATIO = 2.0


def by_length(texts: list[str]) -> list[list[int]]:
    """Positions of `texts` in groups of similar length, shortest first."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    groups: list[list[int]] = []
    for i in order:
        if groups and len(texts[i]) <= MAX_LENGTH_RATIO * max(len(texts[groups[-1][0]]), 8):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


@dataclass
class _Waiting:
    text: str
    done: threading.Event = field(default_factory=threading.Event)
    vector: np.ndarray | None = None
    error: BaseException | None = None


class QueryBatcher:
    """`embed(text)` from any thread; concurrent callers share model calls."""

    def __init__(
        self, embed_many: Callable[[Sequence[str]], np.ndarray], max_batch: int = MAX_BATCH
    ) -> None:
        self._embed_many = embed_many
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._busy = False
        self.calls = 0  # model calls made (for the benchmark's batch-size figure)
        self.embedded = 0  # questions embedded

    @property
    def waiting(self) -> int:
        """Questions queued for the next model call."""
        with self._lock:
            return len(self._queue)

    def embed(self, text: str) -> np.ndarray:
        me = _Waiting(text)
        with self._lock:
            self._queue.append(me)
            lead = not self._busy
            if lead:
                self._busy = True
        if lead:
            self._drain()
        else:
            me.done.wait()
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _drain(self) -> None:
        """Embed what is queued, batch after batch, until the queue is empty."""
        while True:
            with self._lock:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                if not batch:
                    self._busy = False
                    return
            for group in by_length([w.text for w in batch]):
                members = [batch[i] for i in group]
                try:
                    vectors = self._embed_many([w.text for w in members])
                except BaseException as error:  # its waiters hear of it; the rest go on
                    for waiting in members:
                        waiting.error = error
                else:
                    for waiting, vector in zip(members, vectors, strict=True):
                        waiting.vector = vector
                self.calls += 1
                self.embedded += len(members)
                for waiting in members:
                    waiting.done.set()
