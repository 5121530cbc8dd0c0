"""The same article in the layouts people's files have: hard-wrapped text and Markdown, a
documentation page, a paged PDF with a running header and footer, and a Word file.

An article is what its original reads as (its blocks, with the readers' own plain text), so
every layout says the same words in the same structure; only the file around them differs.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.blocks.block import CODE, HEADING, LIST_ITEM, QUOTE, TABLE
from ingest.blocks.plain import plain_text
from ingest.blocks.sentences import code_text
from ingest.documents import Document

WIDTH = 72
ORIGINAL = "original"
LAYOUTS = ("original", "wrapped-txt", "wrapped-md", "html", "pdf", "docx")
_FONTS = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf"
_NUMBERED = re.compile(r"\b(\d[\d.,%]*)")


@dataclass(frozen=True)
class Part:
    kind: str
    text: str  # as read; code as written; a table's rows joined by newlines, cells by " | "
    level: int = 0


@dataclass(frozen=True)
class Article:
    stem: str
    title: str
    bylines: tuple[str, ...]  # "By Jane Doe", "Published 2024-03-01": lines, not blocks
    parts: tuple[Part, ...]


def article(doc: Document) -> Article:
    """What an original document says, block by block, as its reader reads it."""
    parts = []
    for block in sorted(doc.blocks, key=lambda b: b.start):
        if block.kind == CODE:
            text = code_text(doc.text, block)
        elif block.kind == TABLE:
            text = "\n".join(
                " | ".join(plain_text(doc.text, a, b, doc.markup) for a, b in row)
                for row in block.rows
            )
        else:
            text = plain_text(doc.text, block.start, block.end, doc.markup)
        if block.kind == HEADING and text == doc.title and not parts:
            continue
        parts.append(Part(block.kind, text, block.level))
    bylines = []  # the lines stating author, date and site, word for word
    for span in sorted(doc.spans, key=lambda s: s.start):
        if span.name == "title":
            continue
        start = doc.text.rfind("\n", 0, span.start) + 1
        end = doc.text.find("\n", span.end)
        line = " ".join(doc.text[start : len(doc.text) if end < 0 else end].split())
        if span.name == "site" and line == doc.text[span.start : span.end]:
            line = f"© {line}"  # a masthead's bare name says "site" only above a menu
        if line and line not in bylines:
            bylines.append(line)
    stem = Path(doc.source).stem
    return Article(stem, doc.title, tuple(bylines), tuple(parts))


def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _joined(chunks: list[tuple[str, str]]) -> str:
    """Blocks one after another, a blank line between them (none between two list items)."""
    out: list[str] = []
    previous = None
    for kind, text in chunks:
        if out:
            out.append("\n" if kind == previous == LIST_ITEM else "\n\n")
        out.append(text)
        previous = kind
    return "".join(out) + "\n"


def wrapped_text(a: Article) -> str:
    chunks = [("title", a.title)] + ([("byline", "\n".join(a.bylines))] if a.bylines else [])
    for part in a.parts:
        if part.kind == LIST_ITEM:
            text = _fill(part.text, "  " * part.level + "- ", "  " * part.level + "  ")
        elif part.kind == CODE:
            text = textwrap.indent(part.text, "    ")
        elif part.kind in (HEADING, TABLE):
            text = part.text
        elif part.kind == QUOTE:
            text = _fill(part.text, "> ", "> ")
        else:
            text = _fill(part.text)
        chunks.append((part.kind, text))
    return _joined(chunks)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<\[\]])")


def _escaped(text: str) -> str:
    """Text that Markdown reads as the same words (its special characters escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def wrapped_markdown(a: Article) -> str:
    chunks = [("title", f"# {a.title}")] + [("byline", line) for line in a.bylines]
    for part in a.parts:
        if part.kind == HEADING:
            text = f"{'#' * min(max(part.level, 1) + 1, 6)} {_escaped(part.text)}"
        elif part.kind == LIST_ITEM:
            text = _fill(_escaped(part.text), "  " * part.level + "- ", "  " * part.level + "  ")
        elif part.kind == CODE:
            text = f"```\n{part.text}\n```"
        elif part.kind == TABLE:
            rows = [row.split(" | ") for row in _escaped(part.text).split("\n")]
            lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            text = "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])
        elif part.kind == QUOTE:
            text = _fill(_escaped(part.text), "> ", "> ")
        else:
            text = _fill(_escaped(part.text))
        chunks.append((part.kind, text))
    return _joined(chunks)


def _inline(text: str) -> str:
    """Escaped, wrapped source lines, numbers set as inline code (as documentation pages do)."""
    escaped = _NUMBERED.sub(r"<code>\1</code>", html.escape(text, quote=False))
    return "\n".join(textwrap.wrap(escaped, WIDTH, break_on_hyphens=False))


def doc_page(a: Article) -> str:
    body = [f'<h1>{html.escape(a.title)}<a class="headerlink" href="#top">¶</a></h1>']
    body += [f'<p class="byline">{html.escape(line)}</p>' for line in a.bylines]
    open_list = False
    for n, part in enumerate(a.parts):
        if part.kind != LIST_ITEM and open_list:
            body.append("</ul>")
            open_list = False
        if part.kind == HEADING:
            level = min(max(part.level, 1) + 1, 6)
            body.append(
                f'<h{level} id="s{n}">{html.escape(part.text)}'
                f'<a class="headerlink" href="#s{n}">¶</a></h{level}>'
            )
        elif part.kind == LIST_ITEM:
            if not open_list:
                body.append("<ul>")
                open_list = True
            body.append(f"<li>{_inline(part.text)}</li>")
        elif part.kind == CODE:
            body.append(f"<pre>{html.escape(part.text)}</pre>")
        elif part.kind == TABLE:
            rows = [row.split(" | ") for row in part.text.split("\n")]
            cells = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                for row in rows
            )
            body.append(f"<table>{cells}</table>")
        elif part.kind == QUOTE:
            body.append(f'<div class="admonition note"><p>{_inline(part.text)}</p></div>')
        else:
            body.append(f"<p>{_inline(part.text)}</p>")
    if open_list:
        body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"<title>{html.escape(a.title)} — Field Notes documentation</title>\n"
        '<meta name="generator" content="Sphinx 7.2.6">\n</head><body>\n'
        '<nav class="related"><ul><li><a href="index.html">Field Notes</a> »</li>'
        '<li><a href="genindex.html">Index</a></li></ul></nav>\n'
        '<div class="document"><div class="body" role="main">\n'
        + "\n".join(body)
        + '\n</div></div>\n<div class="sphinxsidebar" role="navigation"><h3>Navigation</h3>'
        '<ul><li><a href="#">Contents</a></li><li><a href="#">Search</a></li></ul>'
        '<a href="https://example.org/edit">Edit on GitHub</a></div>\n'
        '<footer class="footer">© Copyright 2024, Field Notes. Created using Sphinx.</footer>\n'
        "</body></html>\n"
    )


def write_pdf(a: Article, path: Path) -> None:
    from fpdf import FPDF

    class _Paged(FPDF):
        def header(self) -> None:
            self.set_font("body", size=8)
            self.cell(0, 6, a.title, align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", size=8)
            self.cell(0, 6, f"Page {self.page_no()}", align="C")

    pdf = _Paged()
    pdf.set_title(a.title)
    pdf.add_font("body", "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("mono", "", str(_FONTS / "DejaVuSansMono.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("body", "B", 18)
    pdf.multi_cell(0, 9, a.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("body", size=10)
    for line in a.bylines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for part in a.parts:
        pdf.ln(3)
        if part.kind == HEADING:
            pdf.set_font("body", "B", 14 if part.level <= 2 else 12)
            pdf.multi_cell(0, 7, part.text, new_x="LMARGIN", new_y="NEXT")
        elif part.kind == CODE:
            pdf.set_font("mono", size=9)
            pdf.multi_cell(0, 4.5, part.text, new_x="LMARGIN", new_y="NEXT")
        elif part.kind == LIST_ITEM:
            pdf.set_font("body", size=10)
            pdf.set_x(pdf.l_margin + 4 + 6 * part.level)
            pdf.multi_cell(0, 5, f"• {part.text}", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("body", size=10)
            pdf.multi_cell(0, 5, part.text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_docx(a: Article, path: Path) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = a.title
    document.core_properties.author = ""
    document.add_paragraph(a.title, style="Title")
    for line in a.bylines:
        document.add_paragraph(line)
    for part in a.parts:
        if part.kind == HEADING:
            document.add_heading(part.text, level=min(max(part.level, 1), 8))
        elif part.kind == LIST_ITEM:
            style = "List Bullet" if part.level == 0 else f"List Bullet {min(part.level + 1, 3)}"
            document.add_paragraph(part.text, style=style)
        elif part.kind == CODE:
            for line in part.text.split("\n"):
                run = document.add_paragraph().add_run(line)
                run.font.name, run.font.size = "Courier New", Pt(9)
        elif part.kind == TABLE:
            rows = [row.split(" | ") for row in part.text.split("\n")]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        elif part.kind == QUOTE:
            document.add_paragraph(part.text, style="Quote")
        else:
            document.add_paragraph(part.text)
    document.save(str(path))


def _text_writer(render: Callable[[Article], str]) -> Callable[[Article, Path], None]:
    return lambda a, path: path.write_text(render(a), encoding="utf-8")


WRITERS: dict[str, tuple[str, Callable[[Article, Path], None]]] = {
    "wrapped-txt": (".txt", _text_writer(wrapped_text)),
    "wrapped-md": (".md", _text_writer(wrapped_markdown)),
    "html": (".html", _text_writer(doc_page)),
    "pdf": (".pdf", write_pdf),
    "docx": (".docx", write_docx),
}


def render(articles: list[Article], layout: str, folder: Path) -> dict[str, str]:
    """Write every article in one layout into `folder`; the new file name of each stem."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix, write = WRITERS[layout]
    names = {}
    for item in articles:
        name = f"{item.stem}{suffix}"
        write(item, folder / name)
        names[item.stem] = name
    return names
