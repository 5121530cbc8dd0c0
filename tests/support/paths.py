"""Where the test data lives, and the bundled corpus's canonical documents and questions."""

from __future__ import annotations

from pathlib import Path

from service.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
# The two bundled articles: their file names, and the doc ids the corpus reader gives them.
DISTANCING = "000_cc2df97eb338bddd.txt"
STONEFIELD = "002_3bb7be61ddf7c7d6.txt"
DISTANCING_ID = "emotional-distancing-in-men"
STONEFIELD_ID = "why-men-pull-away"

# Questions the bundled articles answer (or, the last, do not).
SPACE_QUESTION = "How long should I give him space when he pulls away?"
LIST_QUESTION = "What are the signs he's pulling away but still cares?"
OFF_TOPIC = "What is the capital of France?"
# What users type that is not ASCII English: accents, other scripts, emoji.
FOREIGN_QUESTIONS = (
    "¿Por qué se aleja cuando la relación se vuelve seria?",
    "Warum zieht er sich zurück, obwohl er mich liebt?",
    "Pourquoi s’éloigne-t-il quand ça devient sérieux ?",
    "彼はなぜ距離を置くのですか？",
    "Почему он отдаляется?",
    "why is he so distant 😢",
)

SUITES = PROJECT_ROOT / "evaluation" / "suites"
SUITE = SUITES / "articles.jsonl"  # the public suite, on the bundled corpus
SLEEP = PROJECT_ROOT / "evaluation" / "corpora" / "sleep"

# ../shared beside the repository: the benchmarks no package ships.
SHARED: Path = PROJECT_ROOT.parent / "shared"
SCIFACT = SHARED / "benchmarks" / "scifact"
