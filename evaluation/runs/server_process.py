"""The service under test as operating-system processes: `rag serve` started and stopped for
a benchmark, and the memory of the server and of every process under it.

`rag serve --workers N` is a supervisor and N workers (plus multiprocessing's resource tracker),
so a server's memory is listed per process, as RSS and as PSS (each shared page divided among
the processes that map it, so PSS adds up and RSS does not). Linux only (/proc).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now, for a server about to start."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ProcessMemory:
    """One process of the server: its role, resident and proportional set sizes in KiB."""

    pid: int
    role: str
    rss_kib: int
    pss_kib: int | None


def _status_kib(pid: int, key: str, name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_kib(pid: int) -> int | None:
    """Resident set size of one process from /proc (Linux), in KiB."""
    return _status_kib(pid, "VmRSS:", "status")


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            found += [int(p) for p in task.read_text().split()]
    return sorted(set(found))


def _role(pid: int, root: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    if pid == root:
        return "server"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker" if "multiprocessing" in command or "spawn" in command else "child"


def tree(pid: int) -> list[int]:
    """A process and every process under it."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += children(current)
    return pids


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and every process under it, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def process_tree_memory(pid: int) -> list[ProcessMemory]:
    """The server process and every process under it (workers, uvicorn's helpers)."""
    found = []
    for p in tree(pid):
        rss = rss_kib(p)
        if rss is not None:
            found.append(
                ProcessMemory(p, _role(p, pid), rss, _status_kib(p, "Pss:", "smaps_rollup"))
            )
    return found


def is_ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    try:
        with opener.open(f"{url}/ready", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def spawned_server(
    port: int,
    workers: int | None = None,
    startup_timeout: float = 180.0,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """`rag serve` on loopback (settings from the RAG_* environment, and `env` over it);
    SIGTERM when done."""
    rag = Path(sys.executable).with_name("rag")
    command = [str(rag), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while not is_ready(url):
            if process.poll() is not None:
                raise RuntimeError(f"rag serve exited with {process.returncode} during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("rag serve did not become ready in time")
            time.sleep(0.25)
        yield url, process.pid
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, as an operator stops `rag serve`; killed if it has not ended within 40 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
