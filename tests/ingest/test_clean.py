from ingest.clean import clean_document, looks_like_heading
from ingest.documents import Document, content_hash
from tests.conftest import DISTANCING, STONEFIELD

STONEFIELD_HEADINGS = [
    "Why Men Pull Away When Relationships Deepen",
    "The Neuroscience of Male Withdrawal",
    "Masculine Identity Threats and Relationship Withdrawal",
    "Attachment Styles and Intimacy Patterns",
    "The Paradox of Asking Directly",
    "Recognising Withdrawal Patterns: 12 Behavioural Signs",
    "The Independence Paradox",
    "What Not to Do When He Withdraws",
    "Timeline Expectations: Normal vs Concerning Patterns",
    "Communication Strategies That Work",
    "When Professional Help Makes Sense",
    "Building Sustainable Connection",
    "Frequently Asked Questions",
    "Moving Forward With Understanding",
]


def _by_source(corpus, source):
    return next(d for d in corpus if d.source == source)


def test_glued_headings_are_split_and_offsets_kept(corpus):
    doc = _by_source(corpus, STONEFIELD)
    sections = clean_document(doc).sections
    assert [s.heading for s in sections] == STONEFIELD_HEADINGS
    for section in sections:
        body = doc.text[section.start : section.end]
        assert body == body.strip() and not body.endswith("|")
        assert doc.text[section.heading_start : section.heading_end] == section.heading
        # The heading is not part of its body: the body starts right where the heading ends.
        assert section.heading not in body[: len(section.heading)]
    neuro = sections[1]
    assert doc.text[neuro.start :].startswith("When men feel useful and valued")
    faq = sections[12]
    assert doc.text[faq.start :].startswith("How long should I give him space")


def test_boilerplate_lines_are_dropped(corpus):
    doc = _by_source(corpus, STONEFIELD)
    cleaned = clean_document(doc)
    dropped = [doc.text[s:e] for s, e in cleaned.dropped]
    for line in (
        "SIGN UP FOR OUR NEWSLETTER",
        "Archives",
        "The Devotion Blueprint",
        "Rob Stonefield",
        "Jan 4, 2026",
        "The Psychology Behind Emotional Distance |",
    ):
        assert line in dropped
    assert (
        dropped.count(
            "Unraveling the Mystery: Why Men Distance Themselves as Relationships Get Serious"
        )
        == 2
    )
    body = " ".join(doc.text[s.start : s.end] for s in cleaned.sections)
    assert "NEWSLETTER" not in body and "Archives" not in body
    assert all(s.start >= 424 for s in cleaned.sections)  # nothing before the first heading


def test_standalone_headings_of_the_other_article(corpus):
    doc = _by_source(corpus, DISTANCING)
    cleaned = clean_document(doc)
    assert cleaned.dropped == ()
    assert [s.heading for s in cleaned.sections] == [
        "Understanding Emotional Distancing in Men",
        "Psychological Reasons Men Withdraw in Love",
        "Attachment Styles in Dating and Their Impact",
        "Why Do Men Go Silent When Things Get Serious?",
        "How to Respond When He Pulls Away",
        "Conclusion: Navigating Emotional Distance With Awareness",
    ]


def test_heading_rules():
    assert looks_like_heading("The Paradox of Asking Directly", strict=True)
    assert not looks_like_heading("This is a sentence.", strict=False)
    assert not looks_like_heading("Key reasons men pull away:", strict=False)
    assert not looks_like_heading("Ronald Mc", strict=True)  # "McDonald" is not a glued heading
    assert not looks_like_heading("the lower case start", strict=True)


def test_camel_case_inside_a_sentence_is_not_a_heading():
    text = "Intro\n\nShe bought an iPhone and met Ronald McDonald there. Then she left.\n"
    doc = Document("d", "Intro", "d.txt", text, content_hash(text))
    [section] = clean_document(doc).sections
    assert text[section.start : section.end].startswith("She bought an iPhone")
