from hypothesis import given
from hypothesis import strategies as st

from ingest.sentences import split_sentences


def test_offsets_and_boundaries():
    text = (
        'Hello there. Dr. Smith said "Stop. Go." and left! Is it so? Yes.\n'
        "  • Item one\n  • Item two"
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Hello there.",
        'Dr. Smith said "Stop. Go." and left!',
        "Is it so?",
        "Yes.",
        "Item one",
        "Item two",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.bullet for s in sentences] == [False] * 4 + [True, True]
    assert sentences[2].is_question and not sentences[3].is_question


def test_quoted_question_inside_advice_is_not_a_question():
    [s] = split_sentences(
        'Ask open questions: "Is there anything on your mind?" rather than "Why?"'
    )
    assert not s.is_question


def test_lead_in_line():
    sentences = split_sentences("These might include:\n  • One thing")
    assert sentences[0].is_lead_in and not sentences[1].is_lead_in


@given(st.text(alphabet=st.sampled_from(list('ab .?!\n•"’A1')), max_size=200))
def test_every_sentence_is_an_exact_span(text):
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end
