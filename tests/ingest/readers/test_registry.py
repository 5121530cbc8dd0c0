import pytest

from ingest.readers import READERS, reader_for


def test_every_format_registers_its_suffixes():
    assert {suffix: reader.format for suffix, reader in READERS.items()} == {
        ".txt": "text",
        ".text": "text",
        ".md": "markdown",
        ".markdown": "markdown",
        ".html": "html",
        ".htm": "html",
        ".pdf": "pdf",
        ".docx": "docx",
    }
    with pytest.raises(TypeError):
        READERS[".png"] = READERS[".txt"]  # type: ignore[index]  # the registry is read-only


@pytest.mark.parametrize(
    ("source", "fmt"),
    [
        ("a.MD", "markdown"),
        ("guides/b.Markdown", "markdown"),
        ("c.HTM", "html"),
        ("d.PDF", "pdf"),
        ("e.TXT", "text"),
    ],
)
def test_suffixes_match_in_any_case(source, fmt):
    reader = reader_for(source, b"Some text.\n")
    assert reader is not None and reader.format == fmt


def test_unknown_suffixes_have_no_reader():
    assert reader_for("photo.png", b"\x89PNG") is None
    assert reader_for("README", b"text") is None


@pytest.mark.parametrize(
    "data", [b"<!DOCTYPE html><html></html>", b"\xef\xbb\xbf\n  <HTML lang=en>", b"\n<html>"]
)
def test_a_text_file_that_is_really_html_is_read_as_html(data):
    for source in ("page.txt", "page.md"):
        reader = reader_for(source, data)
        assert reader is not None and reader.format == "html"
    assert reader_for("notes.txt", b"Notes about <html> tags\n").format == "text"
