"""A server's memory is read for it and every process under it, as workers are."""

from __future__ import annotations

import os
import subprocess
import sys

from evaluation.runs.server_process import children, process_tree_memory, rss_kib


def test_the_memory_of_a_process_tree_lists_every_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in children(os.getpid())
        memory = {m.pid: m for m in process_tree_memory(os.getpid())}
        assert memory[os.getpid()].role == "server" and child.pid in memory
        ours = memory[os.getpid()]
        assert (
            ours.rss_kib == rss_kib(os.getpid()) or abs(ours.rss_kib - rss_kib(os.getpid())) < 10240
        )
        assert ours.pss_kib is None or 0 < ours.pss_kib <= ours.rss_kib
    finally:
        child.kill()
        child.wait()
    assert process_tree_memory(2**22 + 12345) == []  # no such process: nothing, no error
