"""The packaged word table gives exactly wordfreq's Zipf values, without importing wordfreq."""

from __future__ import annotations

import random
import string
import subprocess
import sys
from importlib.metadata import version

import pytest
from wordfreq import get_frequency_list, zipf_frequency

from service.config import PROJECT_ROOT
from service.question.word_rarity import EnglishRarity, WordTable, build_table, english_rarity


@pytest.fixture(scope="module")
def table() -> WordTable:
    return WordTable()


def test_the_packaged_table_was_made_from_the_installed_wordfreq(table: WordTable) -> None:
    # If this fails after upgrading wordfreq: python -m service.question.word_rarity --write
    assert table.wordfreq_version == version("wordfreq")
    assert english_rarity().table is not None


def test_every_listed_word_has_wordfreqs_value(table: WordTable) -> None:
    rarity = english_rarity()
    words = [w for bucket in get_frequency_list("en") for w in bucket]
    plain = [w for w in words if table.zipf(w) is not None]
    assert len(plain) > 250_000  # the table really answers for most of the list
    assert [w for w in words if rarity.zipf(w) != zipf_frequency(w, "en")] == []


def test_unlisted_and_unusual_words_match_wordfreq_too(table: WordTable) -> None:
    rng = random.Random(7)
    made_up = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 45)))
        for _ in range(3000)
    ]
    unusual = ["covid19", "2024", "café", "naïve", "straße", "ﬁne", "x2", "über", "a_b", "ǆ"]
    rarity = english_rarity()
    for word in made_up + unusual:
        assert rarity.zipf(word) == zipf_frequency(word, "en"), word
    assert all(table.zipf(w) is None for w in unusual)  # only wordfreq can read these
    assert EnglishRarity(None).zipf("oxytocin") == zipf_frequency("oxytocin", "en")


def test_a_rebuilt_table_is_byte_for_byte_the_installed_one(tmp_path) -> None:
    build_table(tmp_path)
    packaged = PROJECT_ROOT / "service" / "question" / "english_words"
    for name in ("words.npy", "zipf.npy", "table.json"):
        assert (tmp_path / name).read_bytes() == (packaged / name).read_bytes(), name


def test_plain_questions_never_import_wordfreq() -> None:
    code = (
        "import sys; from service.answering.evidence import rare_unknown_word; "
        "r = rare_unknown_word('What did Freud say about oxytocin?', lambda w: False); "
        "print(r, 'wordfreq' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True
    )
    rarity, imported = done.stdout.split()
    assert float(rarity) > 0.4 and imported == "False"
