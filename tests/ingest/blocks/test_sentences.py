from hypothesis import given
from hypothesis import strategies as st

from ingest.blocks.block import CODE, LIST_ITEM, PARAGRAPH, TABLE, Block
from ingest.blocks.plain import plain_text, plain_view
from ingest.blocks.sentences import block_units, split_sentences
from ingest.readers.markdown_inline import inline_markup


def test_boundaries_abbreviations_and_quotations():
    text = 'Hello there. Dr. Smith said "Stop. Go." and left! Is it so? Yes.'
    assert [s.text for s in split_sentences(text)] == [
        "Hello there.",
        'Dr. Smith said "Stop. Go." and left!',
        "Is it so?",
        "Yes.",
    ]
    assert [s.is_question for s in split_sentences(text)] == [False, False, True, False]


def test_a_line_that_only_wraps_is_no_boundary():
    text = "The default priority value is 50, and the maximum is\n100. Lower\nvalues come first."
    units = block_units(text, Block(PARAGRAPH, 0, len(text)))
    assert [u.plain for u in units] == [
        "The default priority value is 50, and the maximum is 100.",
        "Lower values come first.",
    ]
    assert all(text[u.start : u.end] == u.text for u in units)
    assert units[0].text == "The default priority value is 50, and the maximum is\n100."


def test_markup_is_cited_but_not_read():
    text = "**Is it completely free?** Yes, see [the `price` list](https://x.org/p)."
    markup = inline_markup(text, 0, len(text))
    assert [text[a:b] for a, b in markup] == ["**", "**", "[", "`", "`", "](https://x.org/p)"]
    units = block_units(text, Block(PARAGRAPH, 0, len(text)), markup)
    assert [u.plain for u in units] == ["Is it completely free?", "Yes, see the price list."]
    assert (
        units[0].is_question and units[0].text == "Is it completely free?"
    )  # marks at the edges: not quoted
    assert units[1].text == text[units[1].start : units[1].end]


def test_quoted_question_inside_advice_is_not_a_question():
    [s] = split_sentences(
        'Ask open questions: "Is there anything on your mind?" rather than "Why?"'
    )
    assert not s.is_question


def test_lead_in():
    assert split_sentences("These might include:")[0].is_lead_in


def test_code_and_tables_are_units_of_their_own_and_never_cut():
    code = "def f(x):\n    return x. Then more.\n"
    [unit] = block_units(code, Block(CODE, 0, len(code) - 1))
    assert unit.kind == CODE and unit.plain == "def f(x):\n    return x. Then more."
    table = "a | b\nc. D | e"
    rows = (((0, 1), (4, 5)), ((6, 8), (13, 14)))
    [row] = block_units(table, Block(TABLE, 0, len(table), rows=rows))
    assert row.kind == TABLE and row.plain == "a | b\nc. | e"


def test_list_items_are_flagged():
    text = "Feed the starter daily"
    [item] = block_units(text, Block(LIST_ITEM, 0, len(text)))
    assert item.bullet and item.plain == text


words = st.text(alphabet=st.sampled_from(list("ab .?!\n\t*`[]()’A1")), max_size=120)


@given(words, st.lists(st.tuples(st.integers(0, 120), st.integers(1, 6)), max_size=5))
def test_every_unit_is_an_exact_span_and_reads_as_its_plain_text(text, raw_markup):
    markup = sorted({(a, min(a + n, len(text))) for a, n in raw_markup if a < len(text)})
    joined: list[tuple[int, int]] = []
    for a, b in markup:  # the readers give sorted, non-overlapping spans
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(b, joined[-1][1]))
        else:
            joined.append((a, b))
    if not text.strip():
        return
    previous_end = 0
    for unit in block_units(text, Block(PARAGRAPH, 0, len(text)), joined):
        assert text[unit.start : unit.end] == unit.text
        assert unit.plain == plain_text(text, unit.start, unit.end, joined)
        assert unit.plain and unit.plain == " ".join(unit.plain.split())
        assert unit.start >= previous_end
        previous_end = unit.end


@given(words)
def test_plain_view_maps_every_character_back(text):
    view = plain_view(text, 0, len(text))
    assert view.plain == " ".join(text.split())
    for position, char in enumerate(view.plain):
        raw = text[view.raw(position)]
        assert raw == char or (char == " " and raw.isspace())
