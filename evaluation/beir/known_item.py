"""A known-item set with long queries, written in BEIR layout from any BEIR corpus.

Each query is one long document's body (its title left out) followed by the two-sentence
closing a long message often ends with ("Sorry for the long message. Thanks in advance ..."),
which names nothing in any document, and has the document's own id: the one relevant document
is the query's own, so run it with `--keep-identical-ids`. A retriever that reads a long query
whole finds its document at rank 1 almost every time; one that keeps only a long query's last
sentences (where a rambling message's question often sits, but here only the closing) finds
nothing. That is the guard on long-query handling:

    python -m evaluation.beir.known_item ../shared/benchmarks/scifact /tmp/known-item
    rag eval beir /tmp/known-item --keep-identical-ids
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from evaluation.beir.data import BeirError, load_corpus

LONG_QUERY_CHARS = 1000  # longer than the embedding model's 256-word-piece window holds
CLOSINGS = (  # two sentences each, content-free, one with the kind of question a sign-off asks
    "Sorry for the long message. Thanks in advance to anyone who reads this far.",
    "Does anyone know more about this? Thank you for your time.",
    "I hope that makes sense. I am grateful for any thoughts you can share.",
)


@dataclass(frozen=True)
class KnownItemSet:
    """What was written: the folder, and how many documents and queries it holds."""

    directory: Path
    documents: int
    queries: int


def choose_queries(corpus: dict[str, tuple[str, str]], count: int, min_chars: int) -> list[str]:
    """Ids of `count` documents whose body is at least `min_chars` long, spread evenly over
    the corpus order (so they are not all from one end of it)."""
    long_ones = [doc_id for doc_id, (_, body) in corpus.items() if len(body) >= min_chars]
    if len(long_ones) < count:
        raise BeirError(
            f"only {len(long_ones)} documents have a body of {min_chars}+ characters; "
            f"{count} queries were asked for"
        )
    step = len(long_ones) / count
    return [long_ones[int(i * step)] for i in range(count)]


def write_known_item_set(
    source: Path,
    out: Path,
    *,
    documents: int = 300,
    queries: int = 60,
    min_chars: int = LONG_QUERY_CHARS,
) -> KnownItemSet:
    """The first `documents` documents of `source`'s corpus, with `queries` of them (long
    bodies, each with a closing) as queries for themselves, written to `out` as corpus.jsonl,
    queries.jsonl and qrels/test.tsv."""
    if queries > documents:
        raise BeirError(f"{queries} queries need at least as many documents, not {documents}")
    corpus = dict(list(load_corpus(source / "corpus.jsonl").items())[:documents])
    chosen = choose_queries(corpus, queries, min_chars)
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, (title, body) in corpus.items():
            record = {"_id": doc_id, "title": title, "text": body}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for number, doc_id in enumerate(chosen):
            text = f"{corpus[doc_id][1].strip()} {CLOSINGS[number % len(CLOSINGS)]}"
            record = {"_id": doc_id, "text": text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    lines = ["query-id\tcorpus-id\tscore", *(f"{doc_id}\t{doc_id}\t1" for doc_id in chosen)]
    (out / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return KnownItemSet(out, len(corpus), len(chosen))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a BEIR dataset folder (its corpus.jsonl)")
    parser.add_argument("out", type=Path, help="where to write the known-item set")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--min-chars", type=int, default=LONG_QUERY_CHARS)
    args = parser.parse_args(argv)
    try:
        written = write_known_item_set(
            args.source,
            args.out,
            documents=args.documents,
            queries=args.queries,
            min_chars=args.min_chars,
        )
    except BeirError as error:
        parser.exit(2, f"error: {error}\n")
    print(
        f"{written.documents} documents, {written.queries} known-item queries in "
        f"{written.directory}\nrun: rag eval beir {written.directory} --keep-identical-ids"
    )


if __name__ == "__main__":
    main()
