"""Reading a BEIR dataset folder the way BEIR's own loader does, and turning it into Documents.

A BEIR dataset is a folder with `corpus.jsonl` ({"_id", "title", "text"}), `queries.jsonl`
({"_id", "text"}) and `qrels/<split>.tsv` (query-id, corpus-id, score; header line). As in
BEIR, a score of 0 is a judgement of "not relevant", and a query without any relevant document
is not evaluated (pytrec_eval has nothing to score it against).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.corpus import build_document
from ingest.documents import Document, content_hash
from ingest.folder.metadata import DocumentMetadata
from ingest.readers import UnreadableFile
from ingest.readers.text import READER as TEXT_READER


class BeirError(ValueError):
    """The dataset folder is not usable BEIR data; the message names the file and line."""


@dataclass(frozen=True)
class BeirDataset:
    name: str
    directory: Path
    split: str
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # query id -> text, only those evaluated, in qrels order
    qrels: dict[str, dict[str, int]]
    dropped_queries: tuple[str, ...] = ()  # in the qrels but without a query text


def _jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    if not path.is_file():
        raise BeirError(
            f"{path} does not exist (a BEIR folder has corpus.jsonl, queries.jsonl "
            "and qrels/<split>.tsv)"
        )
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise BeirError(f"{path.name} line {number}: invalid JSON ({error.msg})") from error
            if not isinstance(record, dict) or not isinstance(record.get("_id"), str | int):
                raise BeirError(f"{path.name} line {number}: expected an object with an '_id'")
            yield number, record


def load_corpus(path: Path) -> dict[str, tuple[str, str]]:
    """doc id -> (title, text); a duplicate id is an error."""
    corpus: dict[str, tuple[str, str]] = {}
    for number, record in _jsonl(path):
        doc_id = str(record["_id"])
        if doc_id in corpus:
            raise BeirError(f"{path.name} line {number}: duplicate _id {doc_id!r}")
        corpus[doc_id] = (str(record.get("title") or "").strip(), str(record.get("text") or ""))
    if not corpus:
        raise BeirError(f"{path} holds no document")
    return corpus


def load_queries(path: Path) -> dict[str, str]:
    return {str(record["_id"]): str(record.get("text") or "") for _, record in _jsonl(path)}


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query id -> {doc id: grade}; "\\r" stripped, a header line skipped, order kept."""
    if not path.is_file():
        raise BeirError(f"{path} does not exist")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) == 4:  # TREC style: query, iteration, doc, grade
                fields = [fields[0], fields[2], fields[3]]
            if len(fields) != 3:
                raise BeirError(f"{path.name} line {number}: expected 3 tab-separated fields")
            query, doc, grade = (f.strip() for f in fields)
            try:
                value = int(float(grade))
            except ValueError as error:
                if number == 1:  # the header: query-id corpus-id score
                    continue
                raise BeirError(
                    f"{path.name} line {number}: score {grade!r} is not a number"
                ) from error
            qrels.setdefault(query, {})[doc] = value
    return qrels


def load_dataset(
    directory: Path, split: str = "test", limit_queries: int | None = None
) -> BeirDataset:
    """The corpus, and the queries of `split` that have a relevant document (optionally the
    first `limit_queries` of them, in qrels order)."""
    if not directory.is_dir():
        raise BeirError(f"BEIR dataset folder {directory} does not exist")
    qrels_path = directory / "qrels" / f"{split}.tsv"
    qrels = load_qrels(qrels_path)
    corpus = load_corpus(directory / "corpus.jsonl")
    texts = load_queries(directory / "queries.jsonl")
    judged = [q for q, docs in qrels.items() if any(grade > 0 for grade in docs.values())]
    dropped = tuple(q for q in judged if q not in texts)
    kept = [q for q in judged if q in texts]
    if limit_queries is not None:
        kept = kept[:limit_queries]
    if not kept:
        raise BeirError(f"{qrels_path} has no judged query that queries.jsonl holds")
    return BeirDataset(
        name=directory.resolve().name,
        directory=directory,
        split=split,
        corpus=corpus,
        queries={q: texts[q] for q in kept},
        qrels={q: qrels[q] for q in kept},
        dropped_queries=dropped,
    )


DOCUMENT_TEXT = "title + blank line + text"  # recorded in every report's config


def document_text(title: str, body: str) -> str:
    """A record's text as indexed: the title on its own line above the body, so the plain-text
    reader makes it the section heading (and every passage's embedding input starts with it)."""
    return f"{title}\n\n{body}" if title else body


def to_documents(corpus: dict[str, tuple[str, str]]) -> list[Document]:
    """One Document per record, read by the plain-text reader exactly as a .txt file of a
    corpus folder would be."""
    documents = []
    for doc_id, (title, body) in corpus.items():
        text = document_text(title, body)
        if not text.strip():
            text = doc_id  # an empty document still gets a passage, so ids stay aligned
        meta = DocumentMetadata(doc_id=doc_id, title=title or doc_id)
        try:
            documents.append(build_document(doc_id, text.encode("utf-8"), meta, TEXT_READER))
        except UnreadableFile:  # nothing but boilerplate: no passage, as ever, but the id stays
            documents.append(Document(doc_id, title or doc_id, doc_id, text, content_hash(text)))
    return documents
