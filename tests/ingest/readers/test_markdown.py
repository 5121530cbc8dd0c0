from ingest.blocks.block import CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, TABLE
from ingest.corpus import build_document
from ingest.documents import Document
from ingest.pipeline import document_sentences

ARTICLE = """---
title: "Front Matter Title"
author: Jane Baker
date: 2024-03-01T09:00:00Z
---
Keeping Bees
============

*By Jane Baker*

Bees need water. They fetch it from ponds.

<!-- editor: check the figures below -->

## Feeding `sugar` **syrup**

Feed a one-to-one syrup in spring.

```text
1 kg sugar
1 l water
```

***

### Hive Checks

- Look for eggs
- Count the frames
"""

# A README as people write them: hard-wrapped at 72 columns, nested and wrapped list items,
# indented and fenced code, a table, a block quote, links and inline code.
README = """Installing the tool
===================

The tool runs on any system with Python 3.11 or newer. Install it from
the package index with `pip`, then check that the `tidy` command is on
your path; see [the installation notes][notes] for the details.

Before you start
----------------

* Make sure you have a working compiler, because two of the optional
  extensions are built from source when no wheel matches your system.
  * On Debian this is the `build-essential` package.
* Keep at least 200 MB free.

Run the installer:

    pip install tidy-tool
    tidy --version

Or from a checkout:

```console
$ git clone https://example.org/tidy.git
$ cd tidy
```

| Option | Default | Meaning |
|--------|---------|---------|
| `--width` | 72 | Column to wrap at |
| `--check` | off | Report, do not rewrite |

> **Is the tool free of charge?** Yes. It is released under the MIT
> licence, so you may use it at work as well.

[notes]: https://example.org/notes
"""


def _doc(text: str, source: str = "a.md") -> Document:
    return build_document(source, text.encode())


def _kinds(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]


def test_headings_come_from_the_markdown_structure():
    doc = _doc(ARTICLE)
    assert [s.heading for s in doc.sections] == [
        "Keeping Bees",
        "Feeding sugar syrup",
        "Hive Checks",
    ]
    assert doc.text == ARTICLE  # the citable text is the file itself


def test_no_heading_front_matter_fence_comment_or_byline_is_ever_a_sentence():
    doc = _doc(ARTICLE)
    units = document_sentences(doc)
    prose = [u.readable for u in units if u.kind != CODE]
    assert prose == [
        "Bees need water.",
        "They fetch it from ponds.",
        "Feed a one-to-one syrup in spring.",
        "Look for eggs",
        "Count the frames",
    ]
    [code] = [u for u in units if u.kind == CODE]
    assert code.text == "1 kg sugar\n1 l water"
    for never in ("#", "===", "---", "```", "<!--", "editor", "By Jane", "title:", "***"):
        assert all(never not in u.text for u in units)


def test_heading_spans_point_at_the_heading_words():
    doc = _doc(ARTICLE)
    first, feeding, checks = doc.sections
    assert ARTICLE[first.heading_start : first.heading_end] == "Keeping Bees"
    assert ARTICLE[checks.heading_start : checks.heading_end] == "Hive Checks"
    assert ARTICLE[feeding.heading_start : feeding.heading_end] == "Feeding `sugar` **syrup**"


def test_front_matter_gives_title_author_and_date_with_their_spans():
    doc = _doc(ARTICLE)
    assert (doc.title, doc.author, doc.published) == (
        "Front Matter Title",
        "Jane Baker",
        "2024-03-01",
    )
    stated = {s.name: ARTICLE[s.start : s.end] for s in doc.spans}
    assert stated == {
        "title": "Front Matter Title",
        "author": "Jane Baker",
        "published": "2024-03-01T09:00:00Z",
    }


def test_without_front_matter_the_first_hash_heading_is_the_title_and_bylines_count():
    text = "Intro line\n\n# Real Title\n\nBy Sam Green\nMarch 3, 2024\n\nBody text.\n"
    doc = _doc(text)
    assert doc.title == "Real Title"
    stated = {s.name: text[s.start : s.end] for s in doc.spans}
    assert stated == {"title": "Real Title", "author": "Sam Green", "published": "March 3, 2024"}
    assert [u.text for u in document_sentences(doc)] == ["Intro line", "Body text."]


def test_crlf_and_upper_case_suffix():
    text = "# Title\r\n\r\nFirst line.\r\n\r\n## Next\r\n\r\nSecond line.\r\n"
    doc = build_document("NOTES.MD", text.encode())
    assert doc.format == "markdown" and doc.text == text
    assert [(s.heading, text[s.start : s.end]) for s in doc.sections] == [
        ("Title", "First line."),
        ("Next", "Second line."),
    ]


def test_a_hard_wrapped_readme_reads_in_whole_sentences():
    doc = _doc(README, "README.md")
    units = document_sentences(doc)
    sentences = [u.readable for u in units if u.kind in (PARAGRAPH, QUOTE)]
    assert sentences[:3] == [
        "The tool runs on any system with Python 3.11 or newer.",
        "Install it from the package index with pip, then check that the tidy command is on "
        "your path; see the installation notes for the details.",
        "Run the installer:",
    ]
    for unit in units:
        assert README[unit.start : unit.end] == unit.text  # citations stay exact
    assert [s.heading for s in doc.sections] == ["Installing the tool", "Before you start"]


def test_nested_wrapped_list_items_keep_their_level():
    doc = _doc(README, "README.md")
    items = [(b.level, b) for b in doc.blocks if b.kind == LIST_ITEM]
    assert [level for level, _ in items] == [0, 1, 0]
    units = [u for u in document_sentences(doc) if u.kind == LIST_ITEM]
    assert units[0].readable == (
        "Make sure you have a working compiler, because two of the optional extensions are "
        "built from source when no wheel matches your system."
    )
    assert units[1].readable == "On Debian this is the build-essential package."


def test_indented_and_fenced_code_keep_their_lines_and_tables_their_cells():
    doc = _doc(README, "README.md")
    codes = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == CODE]
    assert codes == [
        "    pip install tidy-tool\n    tidy --version",
        "$ git clone https://example.org/tidy.git\n$ cd tidy",
    ]
    [table] = [b for b in doc.blocks if b.kind == TABLE]
    cells = [[doc.text[a:b] for a, b in row] for row in table.rows]
    assert cells[0] == ["Option", "Default", "Meaning"]
    assert cells[1] == ["`--width`", "72", "Column to wrap at"]
    [unit] = [u for u in document_sentences(doc) if u.kind == TABLE]
    assert unit.readable.splitlines()[1] == "--width | 72 | Column to wrap at"


def test_a_bold_question_in_a_quote_reads_as_a_question():
    doc = _doc(README, "README.md")
    quoted = [u for u in document_sentences(doc) if u.kind == QUOTE]
    assert quoted[0].readable == "Is the tool free of charge?" and quoted[0].is_question
    assert (
        quoted[2].readable
        == "It is released under the MIT licence, so you may use it at work as well."
    )
    assert "> " not in quoted[2].readable and "\n" in quoted[2].text  # cited as written
    assert all(b.kind != HEADING or b.level for b in doc.blocks)
