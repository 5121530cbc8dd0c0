import pytest

from ingest.fields.names import (
    is_navigation,
    is_role_or_credential,
    looks_like_name,
    looks_like_site,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rob Stonefield", True),
        ("Ana de la Cruz", True),
        ("Dr. Mary O'Neil", True),
        ("Tomás Reyes", True),
        ("Jean-Luc Picard", True),
        ("Ana de la Cruz and Li Wei", True),
        ("Mary Ann Smith Jones Taylor", False),  # five capitalised words: not one person
        ("Why Men Pull Away", False),
        ("Keeping the Bees", False),
        ("Archives", False),  # one word is not enough for a bare name
        ("rob stonefield", False),
        ("Ten Signs 2024", False),
    ],
)
def test_looks_like_name(text, expected):
    assert looks_like_name(text) is expected


def test_a_byline_may_name_one_word():
    assert looks_like_name("Reuters", min_words=1) and not looks_like_name("Dr.", min_words=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HealthHarbor", True),
        ("The Night Owl Review", True),
        ("Brookvale Sleep Centre", True),
        ("example.com", True),
        ("Home", False),
        ("Privacy Policy", False),
        ("The Authors", False),
        ("a mother of two", False),
        ("This content is for information only", False),
        ("March 3, 2024", False),
    ],
)
def test_looks_like_site(text, expected):
    assert looks_like_site(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RN", True),
        ("MD PhD", True),
        ("Ph.D.", True),
        ("Jr.", True),
        ("Staff Writer", True),
        ("Senior Health Reporter", True),
        ("Harvard University", True),
        ("Restwell Journal", False),
        ("HealthHarbor", False),
    ],
)
def test_roles_and_credentials(text, expected):
    assert is_role_or_credential(text) is expected


@pytest.mark.parametrize(
    ("line", "menu_only", "expected"),
    [
        ("Home", False, True),
        ("  Sign In ", False, True),
        ("SIGN UP FOR OUR NEWSLETTER", False, True),
        ("Home | About | Contact", False, True),
        ("[Home](/) · [Blog](/blog)", False, True),
        ("Share", False, True),
        ("Share", True, False),  # a share bar follows a headline; it does not mark a site
        ("Archives", True, True),
        ("Health A-Z", False, False),
        ("The Teenage Body Clock", False, False),
        ("Subscribe to get weekly tips on sleep and health delivered to you", False, False),
    ],
)
def test_navigation(line, menu_only, expected):
    assert is_navigation(line, menu_only=menu_only) is expected
