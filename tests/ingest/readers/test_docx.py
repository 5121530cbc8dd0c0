import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from ingest.blocks.block import CODE, HEADING, LIST_ITEM, TABLE
from ingest.corpus import build_document
from ingest.pipeline import document_sentences
from ingest.readers import SourceFile, UnreadableFile, reader_for
from ingest.readers.docx import MAX_RATIO, read_docx


def _report(path: Path) -> Path:
    """A Word report as people write them: title, byline, headings, a bulleted list with a
    nested item, a code sample in a monospaced font, and a table."""
    document = docx.Document()
    document.core_properties.title = "Quarterly Pump Maintenance"
    document.core_properties.author = "Ines Duarte"
    document.add_paragraph("Quarterly Pump Maintenance", style="Title")
    document.add_paragraph("By Ines Duarte")
    document.add_heading("Before You Start", level=1)
    document.add_paragraph(
        "Switch off the pump at the isolator and wait ten minutes. The housing stays hot "
        "long after the motor stops."
    )
    document.add_paragraph("Check the seals for cracks", style="List Bullet")
    document.add_paragraph("Replace them every two years", style="List Bullet 2")
    document.add_paragraph("Clean the inlet filter", style="List Bullet")
    document.add_heading("Logging the Service", level=1)
    document.add_paragraph("Record the service from the controller:")
    for line in ("pumpctl log --service", "    --note 'seals replaced'"):
        run = document.add_paragraph().add_run(line)
        run.font.name, run.font.size = "Courier New", Pt(9)
    table = document.add_table(rows=3, cols=2)
    for r, (part, interval) in enumerate(
        (("Part", "Interval"), ("Seal", "2 years"), ("Filter", "3 months"))
    ):
        table.cell(r, 0).text, table.cell(r, 1).text = part, interval
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_a_word_report_reads_into_blocks_with_its_properties(tmp_path: Path):
    path = _report(tmp_path / "pumps.docx")
    assert reader_for("PUMPS.DOCX", b"").format == "docx"
    doc = build_document(path.name, path.read_bytes())
    assert (doc.format, doc.title, doc.author) == (
        "docx",
        "Quarterly Pump Maintenance",
        "Ines Duarte",
    )
    assert [s.heading for s in doc.sections] == ["Before You Start", "Logging the Service"]
    items = [(b.level, doc.text[b.start : b.end]) for b in doc.blocks if b.kind == LIST_ITEM]
    assert items == [
        (0, "Check the seals for cracks"),
        (1, "Replace them every two years"),
        (0, "Clean the inlet filter"),
    ]
    [code] = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == CODE]
    assert code == "pumpctl log --service\n    --note 'seals replaced'"
    [table] = [b for b in doc.blocks if b.kind == TABLE]
    assert [[doc.text[a:b] for a, b in row] for row in table.rows][1] == ["Seal", "2 years"]
    sentences = [u.readable for u in document_sentences(doc)]
    assert "The housing stays hot long after the motor stops." in sentences
    assert not any("Ines Duarte" in s for s in sentences)  # the byline is a field, not body
    assert {s.name for s in doc.spans} >= {"author"}
    assert all(b.kind != HEADING or b.level for b in doc.blocks)


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (MAX_RATIO * 4096))
    with pytest.raises(UnreadableFile, match="ratio limit"):
        read_docx(SourceFile("bomb.docx", buffer.getvalue()))


def test_not_a_word_file(tmp_path: Path):
    with pytest.raises(UnreadableFile, match="not a Word file"):
        read_docx(SourceFile("fake.docx", b"this is plain text, not a zip"))
