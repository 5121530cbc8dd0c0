from ingest.corpus import build_document
from ingest.readers import SourceFile
from ingest.readers.markdown import read_markdown
from ingest.sentences import split_sentences

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


def _read(text: str, source: str = "a.md"):
    return read_markdown(SourceFile(source, text.encode()))


def test_headings_come_from_the_markdown_structure():
    extracted = _read(ARTICLE)
    assert [s.heading for s in extracted.sections] == [
        "Keeping Bees",
        "Feeding sugar syrup",
        "Feeding sugar syrup",  # the code block's lines, apart from its fence lines
        "Hive Checks",
    ]
    assert extracted.text == ARTICLE  # the citable text is the file itself


def test_no_heading_front_matter_fence_comment_or_byline_line_is_ever_body():
    extracted = _read(ARTICLE)
    body = "\n".join(ARTICLE[s.start : s.end] for s in extracted.sections)
    for never in ("#", "===", "---", "```", "<!--", "editor", "By Jane", "title:", "***"):
        assert never not in body
    sentences = [
        s.text for sec in extracted.sections for s in split_sentences(ARTICLE, sec.start, sec.end)
    ]
    assert sentences[:3] == [
        "Bees need water.",
        "They fetch it from ponds.",
        "Feed a one-to-one syrup in spring.",
    ]
    assert "Look for eggs" in sentences and "Keeping Bees" not in sentences


def test_heading_spans_point_at_the_heading_words():
    extracted = _read(ARTICLE)
    first = extracted.sections[0]
    assert ARTICLE[first.heading_start : first.heading_end] == "Keeping Bees"
    checks = extracted.sections[-1]
    assert ARTICLE[checks.heading_start : checks.heading_end] == "Hive Checks"
    feeding = extracted.sections[1]
    assert ARTICLE[feeding.heading_start : feeding.heading_end] == "Feeding `sugar` **syrup**"


def test_front_matter_gives_title_author_and_date_with_their_spans():
    extracted = _read(ARTICLE)
    assert (extracted.title, extracted.author, extracted.published) == (
        "Front Matter Title",
        "Jane Baker",
        "2024-03-01",
    )
    stated = {s.name: ARTICLE[s.start : s.end] for s in extracted.spans}
    assert stated == {
        "title": "Front Matter Title",
        "author": "Jane Baker",
        "published": "2024-03-01T09:00:00Z",
    }


def test_without_front_matter_the_first_hash_heading_is_the_title_and_bylines_count():
    text = "Intro line\n\n# Real Title\n\nBy Sam Green\nMarch 3, 2024\n\nBody text.\n"
    extracted = _read(text)
    assert extracted.title == "Real Title"
    stated = {s.name: text[s.start : s.end] for s in extracted.spans}
    assert stated == {"title": "Real Title", "author": "Sam Green", "published": "March 3, 2024"}
    assert [text[s.start : s.end] for s in extracted.sections] == ["Intro line", "Body text."]
    assert extracted.sections[0].heading == "Real Title"  # text before any heading


def test_crlf_and_upper_case_suffix():
    text = "# Title\r\n\r\nFirst line.\r\n\r\n## Next\r\n\r\nSecond line.\r\n"
    doc = build_document("NOTES.MD", text.encode())
    assert doc.format == "markdown" and doc.text == text
    assert [(s.heading, text[s.start : s.end]) for s in doc.sections] == [
        ("Title", "First line."),
        ("Next", "Second line."),
    ]
