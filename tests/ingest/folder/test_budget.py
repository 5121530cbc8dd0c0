"""Reading within a budget: hostile files are refused naming the limit they broke, the caller
is untouched, a cancelled read stops its worker, and good files read exactly as in-process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.corpus import read_corpus
from ingest.folder.budget import BudgetedReader, Cancelled, OverBudget, ReadingBudget
from ingest.readers import SourceFile, UnreadableFile
from tests.support.files import deep_html, docx_bomb, slow_pdf, write_mixed_folder
from tests.support.processes import reading_workers_alive as workers_alive

TIGHT = ReadingBudget(cpu_seconds=2, seconds_per_mb=0)


@pytest.mark.parametrize("pages", [1, 4])
def test_a_pdf_slow_to_parse_is_refused_at_its_cpu_budget(pages: int):
    data = slow_pdf(pages)
    assert len(data) < 40_000  # a few kilobytes...
    started = time.monotonic()
    # The CPU-time limit, or on a machine so busy that the worker gets under half a core, the
    # wall-time limit (twice the CPU budget) that backs it: either way the file is refused.
    limit = "CPU-time budget of 2 s|wall-time budget of 4 s"
    with BudgetedReader(TIGHT) as reader, pytest.raises(OverBudget, match=limit):
        reader.read(SourceFile("slow.pdf", data))
    assert time.monotonic() - started < 2 * TIGHT.cpu_for(len(data)) + 5  # ...refused in seconds


def test_the_cpu_budget_grows_with_the_file():
    budget = ReadingBudget(cpu_seconds=30, seconds_per_mb=60)
    assert budget.cpu_for(0) == 30 and budget.cpu_for(2_000_000) == 150
    assert budget.wall_for(2_000_000) == 300


def test_a_word_zip_bomb_is_refused():
    with (
        BudgetedReader(TIGHT) as reader,
        pytest.raises(UnreadableFile, match=r"expands \d+ bytes.*ratio limit"),
    ):
        reader.read(SourceFile("bomb.docx", docx_bomb(300)))


def test_deeply_nested_html_is_refused_or_read_in_seconds_and_harms_nothing():
    started = time.monotonic()
    with BudgetedReader(TIGHT) as reader:
        try:
            document = reader.read(SourceFile("deep.html", deep_html(100_000)))
        except UnreadableFile as error:
            assert str(error)  # a reason, e.g. that no main text was found
        else:
            assert "Deep inside." in document.text
        assert time.monotonic() - started < 2 * TIGHT.cpu_for(0) + 5
        page = b"<html><body><p>An ordinary page after it is read as ever.</p></body></html>"
        assert "ordinary page" in reader.read(SourceFile("ok.html", page)).text


def test_text_over_the_size_limit_is_refused_naming_it():
    budget = ReadingBudget(max_chars=1_000)
    with BudgetedReader(budget) as reader, pytest.raises(OverBudget, match="RAG_READ_MAX_CHARS"):
        reader.read(SourceFile("long.txt", ("A sentence of text. " * 100).encode()))


def test_a_reader_past_the_memory_budget_is_refused_and_the_next_file_is_read():
    with BudgetedReader(ReadingBudget(memory_mb=300)) as reader:
        with pytest.raises(OverBudget, match="memory budget of 300 MB"):
            reader.read(SourceFile("big.txt", b"word " * 20_000_000))  # 100 MB of text
        assert reader.read(SourceFile("fine.txt", b"Fine\n\nStill reading.\n")).text


def test_a_cancelled_read_stops_its_worker_at_once():
    asked = time.monotonic()
    with BudgetedReader(ReadingBudget(cpu_seconds=60)) as reader:
        with pytest.raises(Cancelled):
            reader.read(SourceFile("slow.pdf", slow_pdf(1)), lambda: time.monotonic() > asked + 1)
        assert time.monotonic() - asked < 5
        deadline = time.monotonic() + 5
        while workers_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers_alive() == []


@pytest.mark.alone  # a busy neighbour would make it a wall-time refusal (twice the CPU budget)
def test_a_folder_reads_the_same_within_the_budget_and_skips_the_hostile_file(tmp_path: Path):
    folder = write_mixed_folder(tmp_path / "mixed")
    here = read_corpus(folder)  # in this process, without a budget
    (folder / "slow.pdf").write_bytes(slow_pdf(1))
    with BudgetedReader(TIGHT, workers=2) as reader:
        within = read_corpus(folder, reader.read_many)
    assert within.documents == here.documents
    (refused,) = [s for s in within.skipped if s.source == "slow.pdf"]
    assert "CPU-time budget of 2 s" in refused.reason
