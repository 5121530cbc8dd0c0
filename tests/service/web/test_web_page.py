"""The reader's page in a real headless Chromium, against a real server, model and index."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect, sync_playwright

from service.engine import Engine
from service.http.app import create_app
from service.web.routes import ASSETS
from tests.support.browser import (
    DESKTOP,
    NARROW,
    accessibility_problems,
    ask,
    in_viewport,
    is_ask,
    launch_chromium,
    mark_text,
    screenshot,
    scroll_width,
)
from tests.support.indexes import EXTRA_DOC, EXTRA_DOC_ID, EXTRA_QUESTION, build_version
from tests.support.paths import CORPUS, LIST_QUESTION, OFF_TOPIC, SPACE_QUESTION
from tests.support.server import LiveServer

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

ABSTAINED = "The articles do not answer this question."
FOLLOW_UP = "And how should I respond?"  # leans on the question before it
TURNS = "#conversation > li.turn"

expect.set_options(timeout=20_000)  # the first /ask on a busy 2-core machine can take seconds


@pytest.fixture(scope="module")  # Playwright's loop must not outlive this module's tests
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context per test: its own sessionStorage, history and viewport."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert script_errors == []  # no uncaught exception in the page's scripts


def citation(page: Page, n: int, turn: int = -1) -> Locator:
    """The listed citation [n] of a turn of the conversation (by default the newest)."""
    return page.locator(TURNS).nth(turn).locator(f".citations > li[data-n='{n}']")


def ask_turn(page: Page, question: str) -> tuple[dict, dict]:
    """Ask in the conversation as it is: the JSON the page sent to /ask and the answer it got."""
    turns = page.locator(TURNS)
    before = turns.count()
    page.fill("#question", question)
    with page.expect_response(is_ask) as answered:
        page.press("#question", "Enter")
    expect(turns).to_have_count(before + 1)
    expect(turns.last.locator(".answer-text")).to_be_visible()
    response = answered.value
    return response.request.post_data_json, response.json()


def test_asking_shows_the_answer_its_citations_and_confidence_in_words(page, live_server):
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.goto(live_server.url + "/")
    body = ask(page, LIST_QUESTION)

    assert not body["abstained"] and len(body["citations"]) >= 2
    answer = page.locator("#answer-text")
    assert answer.evaluate("node => node.textContent") == body["answer"]
    markers = answer.locator("a.marker")
    expect(markers).to_have_count(len(body["citations"]))
    expect(page.locator(".confidence strong")).to_have_text(
        re.compile(r"^(High|Some|Low) confidence$")
    )
    for cited in body["citations"]:
        item = citation(page, cited["n"])
        where = cited["title"]
        if cited["section"] != cited["title"]:
            where += f" › {cited['section']}"
        expect(item.locator("a.cite")).to_have_text(where)
        expect(item.locator("blockquote")).to_have_text(f"“{cited['quote']}”")
    screenshot(page, "answer")
    ranking = page.locator("details.ranking")
    expect(ranking.locator(".passage").first).to_be_hidden()  # behind a disclosure
    ranking.locator("summary").click()
    expect(ranking.locator(".passage")).to_have_count(len(body["passages"]))
    expect(ranking.locator(".signals").first).to_contain_text("meaning match")
    assert origins == {urlsplit(live_server.url).netloc}  # nothing from any other host


def test_a_citation_opens_its_article_with_exactly_the_quote_marked(page, live_server, client):
    page.goto(live_server.url + "/")
    body = ask(page, LIST_QUESTION)
    cited = body["citations"][1]
    citation(page, cited["n"]).locator("a.cite").click()

    assert mark_text(page) == cited["quote"]
    # the offsets and the index version they came from: the article opens as it was answered
    expect(page).to_have_url(
        re.compile(
            rf"/read/{cited['doc_id']}\?start={cited['start']}&end={cited['end']}"
            rf"&version={body['index_version']}$"
        )
    )
    doc = client.get(f"/documents/{cited['doc_id']}").json()
    shown = " ".join(page.locator("#article-text").evaluate("node => node.textContent").split())
    for block in doc["blocks"]:  # the whole article, not an excerpt
        if block["kind"] != "heading" or doc["text"][block["start"] : block["end"]] != doc["title"]:
            assert " ".join(doc["text"][block["start"] : block["end"]].split()) in shown
    assert in_viewport(page, "#article-text mark")
    screenshot(page, "reader")

    page.get_by_role("link", name="Back to the answer").click()
    expect(page.locator("#answer-text")).to_have_text(body["answer"])
    expect(page).to_have_url(re.compile(r"/\?q="))
    page.go_forward()
    assert mark_text(page) == cited["quote"]
    page.go_back()  # the browser's own Back works the same way
    expect(page.locator("#answer-text")).to_have_text(body["answer"])


def test_a_follow_up_is_sent_with_the_earlier_question_and_both_turns_stay(page, live_server):
    asks: list[str] = []
    page.on("request", lambda r: asks.append(r.url) if urlsplit(r.url).path == "/ask" else None)
    page.goto(live_server.url + "/")
    sent, first = ask_turn(page, LIST_QUESTION)
    assert sent == {"question": LIST_QUESTION}  # a conversation's first question stands alone
    sent, second = ask_turn(page, FOLLOW_UP)
    assert sent == {"question": FOLLOW_UP, "history": [LIST_QUESTION]}

    turns = page.locator(TURNS)
    expect(turns).to_have_count(2)
    for turn, (question, body) in zip(
        turns.all(), [(LIST_QUESTION, first), (FOLLOW_UP, second)], strict=True
    ):
        expect(turn.locator(".asked")).to_have_text(f"You asked: {question}")
        expect(turn.locator(".answer-text")).to_have_text(body["answer"])
        expect(turn.locator(".citations > li")).to_have_count(len(body["citations"]))
    assert first["citations"] and second["citations"]
    # the follow-up was read with the first question's subject, and says so under the question
    assert first["resolved_question"] == LIST_QUESTION
    assert second["resolved_question"] not in ("", FOLLOW_UP)
    expect(turns.first.locator(".read-as")).to_have_count(0)
    expect(turns.last.locator(".read-as")).to_have_text(f"read as: {second['resolved_question']}")
    expect(page.locator("#answer-text")).to_have_text(second["answer"])  # the newest answer

    # newest at the bottom; the conversation scrolls and the box stays at the window's bottom
    assert turns.first.bounding_box()["y"] < turns.last.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollHeight") > DESKTOP["height"]
    page.evaluate("window.scrollTo(0, 0)")  # the first question at the top...
    assert in_viewport(page, "#turn-1-question")
    box = page.locator("#ask-form").bounding_box()  # ...and the box on the window's bottom edge
    assert abs(box["y"] + box["height"] - DESKTOP["height"]) <= 1
    assert in_viewport(page, "#question")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert in_viewport(page, "#question")  # under the newest turn
    last = turns.last.bounding_box()
    assert last["y"] + last["height"] <= page.locator("#ask-form").bounding_box()["y"] + 1

    # a citation of the first turn still opens its span, and Back returns to it
    cited = first["citations"][1]
    link = citation(page, cited["n"], turn=0).locator("a.cite")
    link.click()
    assert mark_text(page) == cited["quote"]
    expect(page).to_have_url(
        re.compile(rf"/read/{cited['doc_id']}\?start={cited['start']}&end={cited['end']}&")
    )
    page.get_by_role("link", name="Back to the answer").click()
    expect(turns).to_have_count(2)
    expect(link).to_be_focused()
    marker = turns.first.locator("a.marker").first
    number = int(marker.get_attribute("data-n"))
    marker.click()
    assert mark_text(page) == next(c for c in first["citations"] if c["n"] == number)["quote"]
    page.go_back()
    expect(turns.last.locator(".answer-text")).to_have_text(second["answer"])
    assert len(asks) == 2  # coming back asks nothing again


def test_new_conversation_clears_it_and_the_next_question_stands_alone(page, live_server):
    page.goto(live_server.url + "/")
    clear = page.get_by_role("button", name="New conversation")
    expect(clear).to_be_hidden()  # nothing to clear yet
    ask_turn(page, LIST_QUESTION)
    _, second = ask_turn(page, FOLLOW_UP)
    turns = page.locator(TURNS)

    asks: list[str] = []
    page.on("request", lambda r: asks.append(r.url) if urlsplit(r.url).path == "/ask" else None)
    page.reload()  # the conversation is kept for the tab, and nothing is asked again
    expect(turns).to_have_count(2)
    expect(page.locator("#answer-text")).to_have_text(second["answer"])
    expect(turns.last.locator(".read-as")).to_have_text(f"read as: {second['resolved_question']}")

    clear.click()
    expect(turns).to_have_count(0)
    expect(page.locator("#conversation")).to_be_hidden()
    expect(page.locator("#answer-text")).to_have_count(0)
    expect(clear).to_be_hidden()
    expect(page.locator("#question")).to_be_focused()
    expect(page).to_have_url(live_server.url + "/")
    page.go_back()  # the follow-up's page: offered again in the box, not asked unbidden
    expect(page.locator("#question")).to_have_value(FOLLOW_UP)
    expect(turns).to_have_count(0)
    assert asks == []

    sent, body = ask_turn(page, SPACE_QUESTION)
    assert sent == {"question": SPACE_QUESTION}  # the cleared questions are not sent
    assert body["resolved_question"] == SPACE_QUESTION
    expect(turns).to_have_count(1)
    expect(page.locator(".read-as")).to_have_count(0)
    page.reload()
    expect(turns).to_have_count(1)
    expect(turns.first.locator(".asked")).to_have_text(f"You asked: {SPACE_QUESTION}")


def test_an_off_topic_question_abstains_and_lists_related_reading(page, live_server):
    page.goto(live_server.url + "/")
    body = ask(page, OFF_TOPIC)

    assert body["abstained"] and body["answer"] == ABSTAINED
    expect(page.locator("#answer-text")).to_have_text(ABSTAINED)
    expect(page.locator(".citations")).to_have_count(0)
    expect(page.locator(".confidence")).to_have_count(0)
    related = page.locator(".related a")
    expect(related).to_have_count(len(body["passages"]))
    first = body["passages"][0]
    expect(related.first).to_have_attribute(
        "href",
        f"/read/{first['doc_id']}?start={first['start']}&end={first['end']}"
        f"&version={body['index_version']}",
    )
    screenshot(page, "abstention")


@pytest.mark.parametrize("question", ["   ", "why " * 1001], ids=["whitespace", "over-4000"])
def test_a_rejected_question_shows_the_services_message_under_the_box(page, live_server, question):
    page.goto(live_server.url + "/")
    page.fill("#question", question)
    with page.expect_response(is_ask) as answered:
        page.click("button:has-text('Ask')")
    response = answered.value
    assert response.status == 422

    error = page.locator("#ask-error")
    expect(error).to_have_text(response.json()["error"])
    assert error.evaluate("node => node.previousElementSibling.id") == "ask-hint"
    expect(page.locator("#question")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#answer-text")).to_have_count(0)


def test_keyboard_alone_asks_reaches_every_citation_and_opens_the_reader(page, live_server):
    page.goto(live_server.url + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    page.keyboard.type(LIST_QUESTION)
    with page.expect_response(is_ask) as answered:
        page.keyboard.press("Enter")
    body = answered.value.json()
    expect(page.locator("#answer-text")).to_be_visible()

    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const a = document.activeElement;"
            " return {cls: a.className, n: a.dataset.n || null, href: a.getAttribute('href'),"
            " outline: getComputedStyle(a).outlineStyle, bottom: a.getBoundingClientRect().bottom,"
            " box: document.querySelector('#ask-form').getBoundingClientRect().top}; })()"
        )
        if "cite" in focused["cls"]:
            assert focused["outline"] != "none"  # focus is visible
            assert focused["bottom"] <= focused["box"] + 1  # and not under the question box
            reached.append(focused)
        if len(reached) == 2 * len(body["citations"]):  # each marker and each listed citation
            break
    numbers = sorted(int(f["n"]) for f in reached)
    assert numbers == sorted(2 * [c["n"] for c in body["citations"]])

    last = body["citations"][-1]  # focus is on the last listed citation: open it
    assert page.evaluate("document.activeElement.dataset.n") == str(last["n"])
    page.keyboard.press("Enter")
    assert mark_text(page) == last["quote"]
    assert page.evaluate("document.activeElement.tagName") == "MARK"


def test_the_page_fits_360_pixels(page, live_server):
    page.set_viewport_size(NARROW)
    page.goto(live_server.url + "/?q=" + quote(SPACE_QUESTION))
    expect(page.locator("#answer-text")).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]
    screenshot(page, "narrow-360")
    page.locator("details.ranking summary").click()
    assert scroll_width(page) <= NARROW["width"]  # the passages and their signals too

    ask_turn(page, FOLLOW_UP)  # two turns, the box at the bottom, still no sideways scroll
    assert scroll_width(page) <= NARROW["width"]
    assert in_viewport(page, "#question")
    screenshot(page, "narrow-360-conversation")

    citation(page, 1, turn=0).locator("a.cite").click()
    expect(page.locator("#article-text mark")).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]
    page.goto(live_server.url + "/?view=articles")
    expect(page.locator("#articles-list li").first).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]


def test_a_shared_question_link_answers_on_load_and_its_first_citation_marks_the_faq(
    page, live_server
):
    with page.expect_response(is_ask) as answered:
        page.goto(live_server.url + "/?q=" + quote(SPACE_QUESTION))
    body = answered.value.json()
    expect(page.locator("#answer-text")).to_have_text(body["answer"])
    expect(page.locator(f"{TURNS} .asked")).to_have_text(f"You asked: {SPACE_QUESTION}")
    expect(page.locator("#question")).to_have_value("")  # ready for a follow-up

    first = body["citations"][0]
    assert first["section"] == "Frequently Asked Questions"
    page.locator("#answer-text a.marker").first.click()
    assert mark_text(page) == first["quote"]
    assert first["quote"].startswith("Research suggests 3 to 7 days")


def test_a_shared_reader_link_marks_text_start_to_end(page, live_server, client):
    doc = client.get("/documents").json()[0]
    full = client.get(f"/documents/{doc['doc_id']}").json()
    text = full["text"]
    block = max(full["blocks"], key=lambda b: b["end"] - b["start"])  # 40 characters inside it
    start = (block["start"] + block["end"]) // 2 - 20
    end = start + 40
    page.goto(f"{live_server.url}/read/{doc['doc_id']}?start={start}&end={end}")

    assert mark_text(page) == text[start:end]
    assert in_viewport(page, "#article-text mark")
    expect(page.locator("#back")).to_have_text("← Ask a question")
    page.locator("#back").click()
    expect(page).to_have_url(live_server.url + "/")

    page.goto(f"{live_server.url}/read/{doc['doc_id']}?start={end}&end={start}")
    expect(page.locator("#article-title")).to_have_text(doc["title"])
    expect(page.locator("#article-text mark")).to_have_count(0)
    expect(page.locator('[data-status="read"]')).to_contain_text("not in this article")
    page.goto(f"{live_server.url}/read/no-such-article")
    expect(page.locator("#read-error")).to_contain_text("not in the collection")


README = """# Installing Tidy

Tidy runs on any system with Python 3.11 or newer. Install it with `pip`,
then check that the `tidy` command is on your path before you go on.

## Before you start

* Make sure you have a working compiler, because two of the optional
  extensions are built from source when no wheel matches your system.
  * On Debian this is the `build-essential` package.

Run the installer:

    pip install tidy-tool

| Option | Default |
|--------|---------|
| `--width` | 72 |
"""


def test_the_reader_shows_headings_lists_code_and_tables_with_the_citation_marked(
    page, tmp_path, settings, embedder
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "README.md").write_text(README, encoding="utf-8")
    scratch = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index")
    engine = Engine(scratch, embedder, build_version(scratch.index_dir, corpus, embedder))
    start = README.index("Make sure")
    end = README.index("your system.") + len("your system.")
    with LiveServer(create_app(scratch, engine)) as server:
        page.goto(f"{server.url}/read/README.md?start={start}&end={end}")
        article = page.locator("#article-text")
        expect(article.locator("h2")).to_have_text("Before you start")
        expect(article.locator("li")).to_have_count(2)
        expect(article.locator("li.level-1")).to_have_text(
            "On Debian this is the build-essential package."
        )
        expect(article.locator("pre code")).to_have_text("    pip install tidy-tool")
        expect(article.locator("table td")).to_have_text(["Option", "Default", "--width", "72"])
        marked = article.locator("li mark")  # the cited item, its wrapping collapsed on screen
        assert " ".join(marked.inner_text().split()) == " ".join(README[start:end].split())
        assert mark_text(page) == README[start:end]  # and exactly the quoted characters
        expect(article).not_to_contain_text("`")  # inline markup is cited, never shown


def test_the_example_under_the_box_comes_from_the_documents_served(page, live_server, client):
    examples = client.get("/examples").json()["questions"]
    assert examples
    page.goto(live_server.url + "/")
    link = page.locator("#example-link")
    expect(link).to_have_text(f"“{examples[0]}”")
    link.click()
    expect(page.locator(f"{TURNS} .answer-heading")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/\?q="))


def test_search_mode_ranks_passages_and_shows_their_signals(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Search passages").click()
    page.fill("#search-query", "silent treatment")
    page.select_option("#search-mode", "bm25")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/search") as searched:
        page.press("#search-query", "Enter")
    body = searched.value.json()

    assert body["mode"] == "bm25" and body["passages"]
    passages = page.locator(".search-passages .passage")
    expect(passages).to_have_count(len(body["passages"]))
    expect(passages.first.locator(".signals")).to_contain_text("word match")
    expect(page).to_have_url(re.compile(r"view=search&q=silent\+treatment&mode=bm25"))
    first = body["passages"][0]
    passages.first.locator(".where a").click()
    assert mark_text(page) == first["text"]
    page.get_by_role("link", name="Back to the search results").click()
    expect(passages).to_have_count(len(body["passages"]))
    expect(page.locator("#search-mode")).to_have_value("bm25")


def test_the_documents_list_shows_each_article_and_opens_it(page, live_server, client):
    documents = client.get("/documents").json()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="All articles").click()
    items = page.locator("#articles-list li")
    expect(items).to_have_count(len(documents))
    for item, doc in zip(items.all(), documents, strict=True):
        expect(item.locator("a")).to_have_text(doc["title"])
        meta = item.locator(".meta")
        expect(meta).to_contain_text(f"File: {doc['source']}")
        expect(meta).to_contain_text(f"By {doc['author']}" if doc["author"] else "Author not given")
        if doc["published"]:
            expect(meta).to_contain_text(doc["published"][:4])  # the year, however it is spelt
    dated = next(d for d in documents if d["published"])
    page.get_by_role("link", name=dated["title"]).click()
    full = client.get(f"/documents/{dated['doc_id']}").json()
    expect(page.locator("#article-title")).to_have_text(dated["title"])
    shown = page.locator("#article-text").evaluate("node => node.textContent")
    headings = [b for b in full["blocks"] if b["kind"] == "heading"]
    expect(page.locator("#article-text h2, #article-text h3")).to_have_count(len(headings))
    assert "".join(shown.split()) in "".join(full["text"].split())  # the text, in its order
    page.get_by_role("link", name="Back to all articles").click()
    expect(items).to_have_count(len(documents))


def test_with_an_api_key_the_page_asks_for_it_once_and_sends_it_as_a_header(page, engine, settings):
    key = "reader-key-7Yq2"
    sent: list[tuple[str, str | None]] = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("authorization"))))
    with LiveServer(create_app(replace(settings, api_key=key), engine)) as server:
        for path in ("/", "/read/anything", *(f"/static/{name}" for name in ASSETS)):
            assert httpx.get(server.url + path).status_code == 200  # the page itself is open
        assert httpx.get(server.url + "/documents").status_code == 401
        page.goto(server.url + "/")
        page.fill("#question", SPACE_QUESTION)
        page.press("#question", "Enter")
        expect(page.locator("#key-form")).to_be_visible()
        expect(page.locator("#key-input")).to_be_focused()
        page.fill("#key-input", "wrong-key")
        page.press("#key-input", "Enter")
        expect(page.locator("#key-error")).to_contain_text("not accepted")
        page.fill("#key-input", key)
        page.press("#key-input", "Enter")
        expect(page.locator("#answer-text")).to_be_visible()
        expect(page.locator("#key-form")).to_be_hidden()

        page.goto(server.url + "/?view=articles")  # kept for the tab: not asked again
        expect(page.locator("#articles-list li").first).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('rag-api-key')") == key
    assert not [url for url, _ in sent if key in url]  # never in a URL
    api_calls = [(u, h) for u, h in sent if urlsplit(u).path in ("/ask", "/documents")]
    assert api_calls[-1] == (server.url + "/documents", f"Bearer {key}")
    assert (server.url + "/ask", f"Bearer {key}") in api_calls


def test_while_no_index_is_loaded_the_page_says_so_and_retries(page, tmp_path, settings, engine):
    loading = replace(settings, model_dir=tmp_path / "no-model", index_dir=tmp_path / "index")
    app = create_app(loading)  # the lifespan fails to load, so the service answers 503
    with LiveServer(app) as server:
        page.goto(server.url + "/?q=" + quote(SPACE_QUESTION))
        error = page.locator("#ask-error")
        expect(error).to_contain_text("The index is loading")
        expect(error).to_contain_text("no index loaded")

        app.state.engine = engine  # what the lifespan does once an index has loaded
        with page.expect_response(is_ask) as answered:
            error.get_by_role("button", name="Try again").click()
        assert answered.value.status == 200
        expect(page.locator("#answer-text")).to_have_text(answered.value.json()["answer"])
        expect(error).to_be_empty()


def test_a_slow_answer_shows_progress(page, live_server):
    page.goto(live_server.url + "/")
    session = page.context.new_cdp_session(page)
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.fill("#question", SPACE_QUESTION)
    page.press("#question", "Enter")
    status = page.locator('[data-status="ask"]')
    expect(status).to_have_text("Searching the articles…")
    assert status.get_attribute("aria-live") == "polite"
    turn = page.locator(TURNS)  # the question is in the conversation at once, its answer due
    expect(turn.locator(".asked")).to_have_text(f"You asked: {SPACE_QUESTION}")
    expect(turn.locator(".waiting")).to_have_text("Searching the articles…")
    expect(turn).to_have_attribute("aria-busy", "true")
    expect(page.locator("#answer-text")).to_be_visible()
    expect(status).to_have_text("The answer is ready.")
    expect(turn.locator(".waiting")).to_have_count(0)
    expect(turn).not_to_have_attribute("aria-busy", "true")


def test_offsets_past_astral_characters_still_mark_the_quote(page, tmp_path, settings, embedder):
    """Python counts code points and JavaScript UTF-16 units; emoji make the two differ."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    title, rest = EXTRA_DOC.split("\n", 1)
    (corpus / f"{EXTRA_DOC_ID}.txt").write_text(f"{title}\n\n🍞🥖🥐 𝒷𝓇𝑒𝒶𝒹\n{rest}", "utf-8")
    scratch = replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index")
    engine = Engine(scratch, embedder, build_version(scratch.index_dir, corpus, embedder))
    with LiveServer(create_app(scratch, engine)) as server:
        page.goto(server.url + "/")
        body = ask(page, EXTRA_QUESTION)
        cited = body["citations"][0]
        text = httpx.get(f"{server.url}/documents/{cited['doc_id']}").json()["text"]
        assert any(ord(c) > 0xFFFF for c in text[: cited["start"]])  # the case in question
        citation(page, cited["n"]).locator("a.cite").click()
        assert mark_text(page) == cited["quote"]


def test_a_citations_page_number_is_shown_when_the_service_gives_one(page, live_server):
    """`page` is an optional citation field (PDF sources); the real answer gets one added."""

    def with_page_numbers(route: Route) -> None:
        body = route.fetch().json()
        for citation in body["citations"]:
            citation["page"] = citation["n"] + 2
        route.fulfill(json=body)

    page.route("**/ask", with_page_numbers)
    page.goto(live_server.url + "/")
    body = ask(page, SPACE_QUESTION)
    first = body["citations"][0]
    expect(citation(page, 1).locator("a.cite")).to_have_text(
        f"{first['title']} › {first['section']} (page 3)"
    )


def test_the_page_and_its_assets_are_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert client.get("/read/why-men-pull-away?start=1&end=5").text == page.text
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    for path in ("/static/routes.py", "/static/index.html.bak", "/static/..%2Froutes.py"):
        assert client.get(path).status_code == 404


def test_text_contrast_and_labels_meet_wcag_aa(page, live_server):
    page.goto(live_server.url + "/?q=" + quote(LIST_QUESTION))
    expect(page.locator("#answer-text")).to_be_visible()
    page.locator("details.ranking summary").click()
    assert accessibility_problems(page) == []
    ask_turn(page, FOLLOW_UP)  # the conversation: questions, "read as", the box below
    expect(page.locator(".read-as")).to_have_count(1)
    assert accessibility_problems(page) == []
    citation(page, 1, turn=0).locator("a.cite").click()
    expect(page.locator("#article-text mark")).to_be_visible()
    assert accessibility_problems(page) == []
    page.goto(live_server.url + "/?view=search&q=space&mode=hybrid")
    expect(page.locator(".search-passages .passage").first).to_be_visible()
    assert accessibility_problems(page) == []
    page.goto(live_server.url + "/?q=" + quote("   "))
    expect(page.locator("#ask-error")).not_to_be_empty()
    assert accessibility_problems(page) == []
