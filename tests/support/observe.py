"""What a running service tells: the records its loggers write, and its /metrics series."""

from __future__ import annotations

import json
import logging
import time

import httpx


class LogRecords(logging.Handler):
    """The records of the named loggers at `level` and above, kept while inside `with`."""

    def __init__(self, *names: str, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.names = names
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> LogRecords:
        for name in self.names:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        for name in self.names:
            logging.getLogger(name).removeHandler(self)

    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]

    def access_lines(self) -> list[dict]:
        """The JSON access lines (one per request) among the records."""
        return [json.loads(r.getMessage()) for r in self.records if r.name == "rag.access"]

    def problems(self) -> list[str]:
        """The messages at WARNING or above."""
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


def metric_value(text: str, series: str) -> float:
    """The value of one exposed series (name plus labels exactly as written), else 0."""
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0


def wait_for_metric(http: httpx.Client, line: str, timeout: float = 10) -> str:
    """The /metrics text once it holds `line` (a request is counted just after it ends)."""
    deadline = time.monotonic() + timeout
    while line not in (text := http.get("/metrics").text):
        assert time.monotonic() < deadline, text
        time.sleep(0.02)
    return text
