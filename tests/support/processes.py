"""Processes seen through /proc: this process's file-reading workers, parents, memory."""

from __future__ import annotations

import multiprocessing.forkserver
from pathlib import Path


def reading_workers_alive() -> list[int]:
    """The file-reading workers (ingest/folder/budget.py) still running: the children of this
    process's multiprocessing fork server."""
    server = multiprocessing.forkserver._forkserver._forkserver_pid
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if server is not None and int(fields[1]) == server and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def parent_of(pid: int) -> int:
    """The parent pid, from /proc (the field after the parenthesised command name)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (0 when /proc does not say)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
