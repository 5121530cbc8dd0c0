import pytest

from ingest.fields.dates import is_update_keyword, iso_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Jan 4, 2026", "2026-01-04"),
        ("January 4 2026", "2026-01-04"),
        ("Sept. 30, 2024", "2024-09-30"),
        ("Sep 14, 2023", "2023-09-14"),
        ("March 3rd, 2024", "2024-03-03"),
        ("4th March, 2024", "2024-03-04"),
        ("3rd of March 2024", "2024-03-03"),
        ("3 March 2024", "2024-03-03"),
        ("Tuesday, March 3, 2024", "2024-03-03"),
        ("2024-03-01", "2024-03-01"),
        ("2024/03/01", "2024-03-01"),
        ("2024-03-01T10:00:00Z", "2024-03-01"),
        ("Feb 30, 2024", None),
        ("2024-13-01", None),
        ("03/03/2024", None),  # ambiguous: 3 March or March 3
        ("March 2024", None),
        ("Marching 3, 2024", None),
        ("sometime in 2024", None),
    ],
)
def test_iso_date(text, iso):
    assert iso_date(text) == iso


@pytest.mark.parametrize(
    ("keyword", "updated"),
    [
        ("Last updated", True),
        ("Medically reviewed", True),
        ("Modified", True),
        ("Published", False),
        ("Posted on", False),
        (None, False),
    ],
)
def test_update_keywords(keyword, updated):
    assert is_update_keyword(keyword) is updated
