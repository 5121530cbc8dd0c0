"""Test documents: real source files of every format written into a folder, the questions
they answer, small note corpora, and hostile files (slow PDFs, zip bombs, deep HTML)."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from fpdf import FPDF

# DejaVu, as matplotlib (a dependency) ships it: real PDFs with curly quotes and bullets
FONTS = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf"

# (heading, body) per page of the two-page PDF: a heading line, then a paragraph that fpdf2
# wraps over several lines, as real PDFs do.
PDF_PAGES = (
    (
        "Clustering in the Cold",
        "Honey bees do not hibernate. They form a tight cluster inside the hive and shiver "
        "their flight muscles to keep the queen warm through the coldest months of the year, "
        "rotating slowly from the cold outside of the cluster to its warm centre.",
    ),
    (
        "Feeding Before Spring",
        "A colony needs about twenty kilograms of stored honey to survive a long winter. When "
        "the stores run low, beekeepers place fondant directly above the cluster.",
    ),
)

NAV_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Growing Garlic at Home | Allotment Weekly</title>
<meta property="og:title" content="Growing Garlic at Home">
<meta property="og:site_name" content="Allotment Weekly">
<meta name="author" content="Priya Natarajan">
<meta property="article:published_time" content="2024-10-12T08:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/seeds">Seed catalogue</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav>
<article>
<h1>Growing Garlic at Home</h1>
<p>Garlic is planted in autumn, about six weeks before the ground freezes, so that the cloves
can grow roots before winter arrives and the plants are ready to grow quickly in spring.</p>
<h2>Choosing the Cloves</h2>
<p>Plant the largest cloves from healthy bulbs bought from a seed supplier, because
supermarket garlic is often treated to stop it from sprouting.</p>
<ul><li>Separate the cloves only on the day of planting</li>
<li>Keep the papery skin on each clove</li></ul>
<h2>Harvesting the Bulbs</h2>
<p>Lift the bulbs in early summer when the lower third of the leaves has turned brown, then
dry them in a warm and airy place for two weeks.</p>
</article>
<footer><p>Copyright 2024 Allotment Weekly. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/contact">Contact the editors</a></p></footer>
</body></html>
"""

MARKDOWN = """# Keeping a Sourdough Starter

A starter kept at room temperature needs feeding once a day. Discard half of it first.

## Feeding in the Fridge

A starter kept in the refrigerator only needs feeding once a week.

- Take it out of the fridge the night before
- Feed it twice before baking

## Signs of Hunger

A starter that smells of nail polish remover is hungry and should be fed more often.
"""

PLAIN = """Notes on Composting

A compost heap needs both green and brown material. Turn the heap every two weeks so that air
reaches the middle.
"""


def write_pdf(
    path: Path,
    pages: tuple[tuple[str, str], ...] = PDF_PAGES,
    *,
    title: str | None = "Winter Beekeeping Guide",
) -> Path:
    """A real PDF with one heading and one wrapped paragraph per page (core font, no files)."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for heading, body in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(text=heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(w=0, text=body)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def write_docx(path: Path) -> Path:
    """A small Word file: a title, a heading, a paragraph and a bulleted list."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Pump Care"
    document.add_paragraph("Pump Care", style="Title")
    document.add_heading("Seals", level=1)
    document.add_paragraph("Replace the seals every two years, or sooner if they crack.")
    document.add_paragraph("Switch the pump off first", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def write_mixed_folder(root: Path) -> Path:
    """The issue's folder: Markdown, text, HTML with nav and footer, a two-page PDF, a Word
    file, a subfolder, an undecodable .txt and a .png."""
    (root / "guides").mkdir(parents=True)
    write_docx(root / "guides" / "pumps.docx")
    (root / "guides" / "sourdough.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "compost.txt").write_text(PLAIN, encoding="utf-8")
    (root / "garlic.html").write_text(NAV_HTML, encoding="utf-8")
    write_pdf(root / "guides" / "bees.pdf")
    (root / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me br\xfbl\xe9e\n".encode("latin-1"))
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return root


# What the mixed folder answers: (question, document, words of the cited sentence, its
# section, its page).
SECTIONED = [
    ("How often should the compost heap be turned?", "compost.txt", "two weeks", None, None),
    (
        "How often does a sourdough starter in the fridge need feeding?",
        "guides--sourdough.md",
        "refrigerator",
        "Feeding in the Fridge",
        None,
    ),
    (
        "When should garlic bulbs be harvested?",
        "garlic.html",
        "Lift the bulbs",
        "Harvesting the Bulbs",
        None,
    ),
    (
        "How many kilograms of honey does a bee colony need for winter?",
        "guides--bees.pdf",
        "twenty kilograms",
        "Feeding Before Spring",
        2,
    ),
]

# One more document for a folder: where it goes, and its text.
NEW_SOURCE = "notes/otters.txt"
NEW_TEXT = """Sea Otters

Sea otters wrap themselves in kelp so that the tide does not carry them away while they sleep.
An adult eats about a quarter of its own weight in food every day.
"""


def write_notes(folder: Path, notes: dict[str, str]) -> Path:
    """A corpus of small plain-text notes: {file stem: one sentence of body}."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for stem, body in notes.items():
        (folder / f"{stem}.txt").write_text(f"{stem.title()} Notes\n\n{body}\n", encoding="utf-8")
    return folder


def slow_pdf(pages: int = 1, operators: int = 900_000) -> bytes:
    """A PDF of a few kilobytes whose every page is one flate stream of `operators` text-show
    operators: quick to write, minutes for a layout analysis to read."""
    content = zlib.compress(b"BT /F1 1 Tf " + b"(x) Tj " * operators + b"ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
            + content
            + b"\nendstream"
        )
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def docx_bomb(megabytes: int = 300) -> bytes:
    """A .docx of a few hundred kilobytes whose document part unzips to `megabytes` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        with archive.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>')
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


def deep_html(depth: int = 100_000) -> bytes:
    """HTML nested `depth` elements deep around one sentence."""
    return (
        b"<html><body>"
        + b"<div>" * depth
        + b"<p>Deep inside.</p>"
        + b"</div>" * depth
        + b"</body></html>"
    )
