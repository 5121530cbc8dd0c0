"""The reader's page in a real headless Chromium, against a real server, model and index."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

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

ABSTAINED = "The articles do not answer this question."

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
    expect(page.locator("#confidence strong")).to_have_text(
        re.compile(r"^(High|Some|Low) confidence$")
    )
    for citation in body["citations"]:
        item = page.locator(f"#citation-{citation['n']}")
        where = citation["title"]
        if citation["section"] != citation["title"]:
            where += f" › {citation['section']}"
        expect(item.locator("a.cite")).to_have_text(where)
        expect(item.locator("blockquote")).to_have_text(f"“{citation['quote']}”")
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
    citation = body["citations"][1]
    page.locator(f"#citation-{citation['n']} a.cite").click()

    assert mark_text(page) == citation["quote"]
    # the offsets and the index version they came from: the article opens as it was answered
    expect(page).to_have_url(
        re.compile(
            rf"/read/{citation['doc_id']}\?start={citation['start']}&end={citation['end']}"
            rf"&version={body['index_version']}$"
        )
    )
    doc = client.get(f"/documents/{citation['doc_id']}").json()
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
    assert mark_text(page) == citation["quote"]
    page.go_back()  # the browser's own Back works the same way
    expect(page.locator("#answer-text")).to_have_text(body["answer"])


def test_an_off_topic_question_abstains_and_lists_related_reading(page, live_server):
    page.goto(live_server.url + "/")
    body = ask(page, OFF_TOPIC)

    assert body["abstained"] and body["answer"] == ABSTAINED
    expect(page.locator("#answer-text")).to_have_text(ABSTAINED)
    expect(page.locator(".citations")).to_have_count(0)
    expect(page.locator("#confidence")).to_have_count(0)
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
            " outline: getComputedStyle(a).outlineStyle}; })()"
        )
        if "cite" in focused["cls"]:
            assert focused["outline"] != "none"  # focus is visible
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

    page.locator("#citation-1 a.cite").click()
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
    expect(page.locator("#question")).to_have_value(SPACE_QUESTION)

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
    expect(page.locator("#answer-heading")).to_be_visible()
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
    expect(page.locator("#answer-text")).to_be_visible()
    expect(status).to_have_text("The answer is ready.")


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
        citation = body["citations"][0]
        text = httpx.get(f"{server.url}/documents/{citation['doc_id']}").json()["text"]
        assert any(ord(c) > 0xFFFF for c in text[: citation["start"]])  # the case in question
        page.locator(f"#citation-{citation['n']} a.cite").click()
        assert mark_text(page) == citation["quote"]


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
    expect(page.locator("#citation-1 a.cite")).to_have_text(
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
    page.locator("#citation-1 a.cite").click()
    expect(page.locator("#article-text mark")).to_be_visible()
    assert accessibility_problems(page) == []
    page.goto(live_server.url + "/?view=search&q=space&mode=hybrid")
    expect(page.locator(".search-passages .passage").first).to_be_visible()
    assert accessibility_problems(page) == []
    page.goto(live_server.url + "/?q=" + quote("   "))
    expect(page.locator("#ask-error")).not_to_be_empty()
    assert accessibility_problems(page) == []
