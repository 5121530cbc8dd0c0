// The reader's page: ask, read the cited answer, open each citation highlighted in its article.
// Hand-written ES modules, no framework and no build step. Every view has a URL (/?q=...,
// /read/{doc_id}?start=S&end=E, /?view=search, /?view=articles), so links can be shared and
// the browser's Back and Forward replay them.
import { accessKey, lookup, postJson, request } from "./api.js";
import { answerSection, articleBody, describe, el, passageList, readHref, splitAt } from "./render.js";

const $ = (selector) => document.querySelector(selector);
const answers = new Map(); // mode + question -> /ask body: Back shows it without asking again
const articles = new Map(); // doc_id -> /documents/{doc_id} body
let afterKey = null; // what to run again once the reader has entered an access key

// ---------- progress and errors ----------

function setStatus(view, text, busy) {
  const status = $(`[data-status="${view}"]`);
  status.textContent = text;
  status.classList.toggle("busy", Boolean(busy));
}

function clearError(box, input) {
  box.replaceChildren();
  if (input) input.removeAttribute("aria-invalid");
}

// One place decides what each failure means to a reader and what they can do about it.
function showError(box, error, retry, input) {
  if (error.status === 401) {
    askForKey(retry);
    box.replaceChildren(el("p", { text: "This service needs an access key (see above)." }));
    return;
  }
  const parts = [];
  if (error.status === 422) {
    parts.push(el("p", { text: error.message }));
    if (input) input.setAttribute("aria-invalid", "true");
  } else if (error.status === 503) {
    parts.push(el("p", { className: "lead", text: "The index is loading: the articles are not ready yet. Please try again in a moment." }));
    parts.push(el("p", { className: "detail", text: `The service said: ${error.message}` }));
  } else if (error.status === 404) {
    parts.push(el("p", { text: "This article is not in the collection. It may have been removed." }));
  } else if (error.status === 0) {
    parts.push(el("p", { text: error.message }));
  } else {
    parts.push(el("p", { text: `Something went wrong (error ${error.status}): ${error.message}` }));
  }
  if (retry && error.status !== 422 && error.status !== 404) {
    parts.push(el("button", { type: "button", className: "retry", text: "Try again", onclick: retry }));
  }
  box.replaceChildren(...parts);
}

function askForKey(retry) {
  const hadKey = accessKey.get() !== null;
  accessKey.clear();
  afterKey = retry;
  $("#key-error").textContent = hadKey
    ? "That key was not accepted. Please check it and enter it again." : "";
  $("#key-form").hidden = false;
  $("#key-input").value = "";
  $("#key-input").focus();
}

$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("#key-input").value.trim();
  if (!key) {
    $("#key-error").textContent = "Please enter the access key.";
    return;
  }
  accessKey.set(key);
  $("#key-form").hidden = true;
  const retry = afterKey;
  afterKey = null;
  if (retry) retry();
});

// ---------- views ----------

function showView(name) {
  for (const panel of document.querySelectorAll("[data-view-panel]")) {
    panel.hidden = panel.dataset.viewPanel !== name;
  }
  for (const link of document.querySelectorAll("nav [data-view]")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// Move focus to new content (for screen readers and the keyboard) without jumping the page.
function focusOn(node) {
  node.focus({ preventScroll: true });
  const box = node.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) node.scrollIntoView({ block: "start" });
}

function showAnswer(body) {
  $("#ask-result").replaceChildren(answerSection(body));
  performance.mark("answer-shown"); // what `make bench-web` reads as the time to the answer
  return $("#answer-heading");
}

async function showAsk(question, mode) {
  showView("ask");
  const input = $("#question");
  const errors = $("#ask-error");
  clearError(errors, input);
  input.value = question ?? "";
  if (question === null) {
    document.title = "Ask the articles";
    $("#ask-result").replaceChildren();
    setStatus("ask", "");
    return;
  }
  document.title = `${question.trim().slice(0, 60) || "Question"} – Ask the articles`;
  const cacheKey = `${mode || ""}\n${question}`;
  if (answers.has(cacheKey)) {
    showAnswer(answers.get(cacheKey)).focus({ preventScroll: true });
    return;
  }
  $("#ask-result").replaceChildren();
  $("#ask-result").setAttribute("aria-busy", "true");
  setStatus("ask", "Searching the articles…", true);
  try {
    // Sent as typed, even empty: the service's own message says what to change.
    const body = await postJson("/ask", mode ? { question, mode } : { question });
    answers.set(cacheKey, body);
    setStatus("ask", body.abstained ? "No answer found in the articles." : "The answer is ready.");
    focusOn(showAnswer(body));
  } catch (error) {
    if (error.name === "AbortError") return;
    setStatus("ask", "");
    showError(errors, error, () => showAsk(question, mode), input);
  } finally {
    $("#ask-result").removeAttribute("aria-busy");
  }
}

async function showSearch(query, mode) {
  showView("search");
  const input = $("#search-query");
  const errors = $("#search-error");
  clearError(errors, input);
  input.value = query ?? "";
  $("#search-mode").value = ["dense", "bm25", "hybrid"].includes(mode) ? mode : "hybrid";
  $("#search-result").replaceChildren();
  document.title = "Search passages – Ask the articles";
  if (query === null) {
    setStatus("search", "");
    return;
  }
  setStatus("search", "Searching the articles…", true);
  const params = new URLSearchParams({ q: query, k: "10", mode: $("#search-mode").value });
  try {
    const body = await request(`/search?${params}`);
    setStatus("search", `${body.passages.length} passages found.`);
    $("#search-result").replaceChildren(
      el("h2", { id: "search-heading", tabindex: "-1", text: "Passages, best match first" }),
      passageList(body.passages, "passages search-passages", body.index_version));
    focusOn($("#search-heading"));
  } catch (error) {
    if (error.name === "AbortError") return;
    setStatus("search", "");
    showError(errors, error, () => showSearch(query, mode), input);
  }
}

async function showArticles() {
  showView("articles");
  document.title = "All articles – Ask the articles";
  const errors = $("#articles-error");
  clearError(errors);
  setStatus("articles", "Loading the list of articles…", true);
  try {
    const documents = await request("/documents");
    setStatus("articles", `${documents.length} articles.`);
    $("#articles-list").replaceChildren(...documents.map((d) => el("li", {},
      el("a", { href: readHref(d.doc_id), text: d.title }),
      el("p", { className: "meta", text: describe(d) }))));
  } catch (error) {
    if (error.name === "AbortError") return;
    setStatus("articles", "");
    showError(errors, error, showArticles);
  }
}

// The one way back: to the view the reader came from, by the browser's own history.
function setBackLink() {
  const back = $("#back");
  const { from, back: previous } = history.state || {};
  const labels = { ask: "← Back to the answer", search: "← Back to the search results", articles: "← Back to all articles" };
  back.textContent = labels[from] || "← Ask a question";
  back.dataset.back = labels[from] ? "history" : "";
  back.href = labels[from] && previous ? previous : "/";
}

function offset(params, name) {
  const raw = params.get(name);
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
}

async function showRead(docId, params) {
  showView("read");
  setBackLink();
  const errors = $("#read-error");
  clearError(errors);
  const text = $("#article-text");
  const version = params.get("version");
  const key = version ? `${docId}@${version}` : docId;
  let doc = articles.get(key);
  if (!doc) {
    text.replaceChildren();
    $("#article-title").textContent = "";
    $("#article-meta").textContent = "";
    $("#article-jump").hidden = true;
    setStatus("read", "Opening the article…", true);
    try {
      const query = version ? `?version=${encodeURIComponent(version)}` : "";
      doc = await request(`/documents/${encodeURIComponent(docId)}${query}`);
    } catch (error) {
      if (error.name === "AbortError") return;
      setStatus("read", "");
      showError(errors, error, () => showRead(docId, params));
      return;
    }
    articles.set(key, doc);
  }
  document.title = `${doc.title} – Ask the articles`;
  $("#article-title").textContent = doc.title;
  $("#article-meta").textContent = describe(doc);
  const start = offset(params, "start");
  const end = offset(params, "end");
  const cite = start === null || end === null || !splitAt(doc.text, start, end) ? null : [start, end];
  text.replaceChildren(...articleBody(doc, cite));
  $("#article-jump").hidden = !cite;
  if (!cite) {
    const asked = params.has("start") || params.has("end");
    setStatus("read", asked ? "The highlighted passage is not in this article; showing it whole." : "");
    window.scrollTo(0, 0);
    focusOn($("#article-title"));
    return;
  }
  setStatus("read", "The cited passage is highlighted.");
  revealMark();
}

function revealMark() {
  const mark = $("#cited");
  mark.scrollIntoView({ block: "center" });
  mark.focus({ preventScroll: true });
}

// ---------- routing ----------

function route() {
  const url = new URL(location.href);
  if (url.pathname.startsWith("/read/")) {
    return showRead(decodeURIComponent(url.pathname.slice("/read/".length)), url.searchParams);
  }
  const view = url.searchParams.get("view");
  if (view === "search") return showSearch(url.searchParams.get("q"), url.searchParams.get("mode"));
  if (view === "articles") return showArticles();
  return showAsk(url.searchParams.get("q"), url.searchParams.get("mode"));
}

function navigate(href) {
  const target = new URL(href, location.href);
  const visible = document.querySelector("[data-view-panel]:not([hidden])");
  const state = { from: visible && visible.dataset.viewPanel, back: location.href };
  if (target.href === location.href) history.replaceState(history.state, "", target);
  else history.pushState(state, "", target);
  route();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0
    || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.classList.contains("skip")) {
    event.preventDefault();
    $("#main").focus();
    return;
  }
  const target = new URL(link.href, location.href);
  if (target.origin !== location.origin) return;
  event.preventDefault();
  if (link.id === "back" && link.dataset.back === "history") history.back();
  else navigate(target.href);
});

$("#ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  navigate(`/?q=${encodeURIComponent($("#question").value)}`);
});

$("#search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams({ view: "search", q: $("#search-query").value, mode: $("#search-mode").value });
  navigate(`/?${params}`);
});

// An example drawn from the documents being served, under the question box.
async function showExample() {
  try {
    const { questions } = await lookup("/examples");
    if (!questions.length) return;
    const link = $("#example-link");
    link.textContent = `“${questions[0]}”`;
    link.href = `/?q=${encodeURIComponent(questions[0])}`;
    $("#ask-example").hidden = false;
  } catch {
    // no example (no index yet, or a key is needed): the hint reads well without one
  }
}

$("#article-jump button").addEventListener("click", revealMark);
showExample();
window.addEventListener("popstate", route);
route();
