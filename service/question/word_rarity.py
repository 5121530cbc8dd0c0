"""How common a word is in everyday English: wordfreq's Zipf frequency, mostly from a table.

wordfreq answers from a 320,000-word list that it decodes into a dict on first use: 0.3 s of
imports and loading in every process, and tens of MiB in every worker. So the plain words
(ASCII letters only, 289,000 of the list) are also kept in a table made from that same list
(`python -m service.question.word_rarity --write`), shipped in english_words/ and
memory-mapped: words of one length sorted in one fixed-width block, so a look-up is one
`np.searchsorted`, and the workers share the pages. The table names the wordfreq version it
was made from. Any other word (digits, accents, another script), or any word at all when the
installed wordfreq is another version, is asked of wordfreq itself, so every value is
exactly what `wordfreq.zipf_frequency(word, "en")` returns.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np

TABLE_DIR = Path(__file__).parent / "english_words"
WORDS_FILE, ZIPF_FILE, META_FILE = "words.npy", "zipf.npy", "table.json"
PLAIN = re.compile(r"[a-z]+")  # one wordfreq token as it is: no digit, case or Unicode rules
LANGUAGE = "en"


class WordTable:
    """wordfreq's plain English words, by length; Zipf values stored in hundredths."""

    def __init__(self, directory: Path = TABLE_DIR) -> None:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        self.wordfreq_version: str = meta["wordfreq"]
        blob = np.load(directory / WORDS_FILE, mmap_mode="r", allow_pickle=False)
        centi = np.load(directory / ZIPF_FILE, mmap_mode="r", allow_pickle=False)
        self._blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        byte, row = 0, 0
        for length, count in meta["blocks"]:
            words = blob[byte : byte + length * count].view(f"S{length}")
            self._blocks[length] = (words, centi[row : row + count])
            byte, row = byte + length * count, row + count
        if byte != len(blob) or row != len(centi):
            raise ValueError(f"{directory}: the word table's blocks do not cover its files")

    def zipf(self, word: str) -> float | None:
        """The word's Zipf frequency (0.0 when the list lacks it), or None for a word that is
        not plain ASCII letters, which only wordfreq's own tokeniser can look up."""
        if not PLAIN.fullmatch(word):
            return None
        block = self._blocks.get(len(word))
        if block is None:
            return 0.0
        words, centi = block
        key = word.encode("ascii")
        at = int(np.searchsorted(words, key))
        return int(centi[at]) / 100 if at < len(words) and words[at] == key else 0.0


class EnglishRarity:
    """Zipf frequencies for question words: the table where it answers, wordfreq otherwise."""

    def __init__(self, table: WordTable | None) -> None:
        self.table = table
        self.zipf = functools.lru_cache(maxsize=65536)(self._zipf)  # questions reuse words

    def _zipf(self, word: str) -> float:
        found = self.table.zipf(word) if self.table is not None else None
        if found is not None:
            return found
        from wordfreq import zipf_frequency  # 0.3 s, once per process, only for such words

        return zipf_frequency(word, LANGUAGE)


@functools.cache
def english_rarity() -> EnglishRarity:
    """The shared read-only look-up; the table only when it matches the installed wordfreq."""
    table = WordTable()
    return EnglishRarity(table if table.wordfreq_version == version("wordfreq") else None)


def build_table(directory: Path = TABLE_DIR) -> int:
    """Write the table from the installed wordfreq (its values, verified); returns its size."""
    from wordfreq import get_frequency_list, zipf_frequency

    plain = {w for bucket in get_frequency_list(LANGUAGE) for w in bucket if PLAIN.fullmatch(w)}
    words = sorted(plain, key=lambda w: (len(w), w))
    zipf = [zipf_frequency(w, LANGUAGE) for w in words]
    centi = np.asarray([round(z * 100) for z in zipf], dtype=np.uint16)
    if any(c / 100 != z for c, z in zip(centi.tolist(), zipf, strict=True)):
        raise ValueError("a Zipf value is not a whole number of hundredths")
    blocks: dict[int, int] = {}
    for w in words:
        blocks[len(w)] = blocks.get(len(w), 0) + 1
    directory.mkdir(parents=True, exist_ok=True)
    blob = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
    np.save(directory / WORDS_FILE, blob, allow_pickle=False)
    np.save(directory / ZIPF_FILE, centi, allow_pickle=False)
    meta = {"wordfreq": version("wordfreq"), "language": LANGUAGE, "blocks": sorted(blocks.items())}
    (directory / META_FILE).write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return len(words)


# The languages whose everyday words are kept (service/question/language.py tells a question in
# one of them from English), and what counts as everyday: Zipf 3, about once per million words.
COMMON_LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl")
COMMON_ZIPF = 3.0


def common_words_file(language: str, directory: Path = TABLE_DIR) -> Path:
    return directory / f"common-{language}.txt"


def build_common_words(directory: Path = TABLE_DIR) -> int:
    """One file per language of its words at or above COMMON_ZIPF, lower-cased, one a line."""
    from wordfreq import iter_wordlist, zipf_frequency

    total = 0
    for language in COMMON_LANGUAGES:
        common = []
        for word in iter_wordlist(language):
            if zipf_frequency(word, language) < COMMON_ZIPF:
                break  # the list is in order of frequency
            common.append(word)
        common_words_file(language, directory).write_text("\n".join(common) + "\n", "utf-8")
        total += len(common)
    return total


@functools.cache
def common_words(language: str) -> frozenset[str]:
    """A language's everyday words (a build output, made with the table)."""
    return frozenset(common_words_file(language).read_text(encoding="utf-8").split())


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m service.question.word_rarity --write")
    print(f"{build_table()} words written to {TABLE_DIR}")
    print(f"{build_common_words()} everyday words of {len(COMMON_LANGUAGES)} languages written")
