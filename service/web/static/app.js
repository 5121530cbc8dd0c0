// The reader's page: a conversation of cited answers, each citation opening its article with
// the quote highlighted. Hand-written ES modules, no framework and no build step. Every view
// has a URL (/?q=..., /read/{doc_id}?start=S&end=E, /?view=search, /?view=articles), so links
// can be shared and the browser's Back and Forward replay them.
import { accessKey, cancel, lookup, postJson, request } from "./api.js";
import { answerTurn, articleBody, describe, el, passageList, readHref, splitAt, turnItem } from "./render.js";

const $ = (selector) => document.querySelector(selector);
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
  keepClearOfBox();
}

// The question box stays at the bottom of the window while the conversation scrolls under it:
// what focus or scrolling brings into view is kept above it (the scroll padding), and content
// counts as in sight only above its top.
function keepClearOfBox() {
  const box = $("#ask-view").hidden ? 0 : $("#ask-form").getBoundingClientRect().height;
  document.documentElement.style.scrollPaddingBottom = `${box}px`;
}
new ResizeObserver(keepClearOfBox).observe($("#ask-form"));

function visibleBottom() {
  if ($("#ask-view").hidden) return window.innerHeight;
  return Math.min(window.innerHeight, $("#ask-form").getBoundingClientRect().top);
}

// Move focus to new content (for screen readers and the keyboard) without jumping the page;
// `shown` (the node itself by default) is brought into view when it is not in sight, unless
// it starts near the top already (the first answer, under the question box's old place).
function focusOn(node, shown = node, block = "start") {
  node.focus({ preventScroll: true });
  const box = shown.getBoundingClientRect();
  if (box.top < 0 || (box.bottom > visibleBottom() && box.top > window.innerHeight / 3)) {
    shown.scrollIntoView({ block });
  }
}

// ---------- the conversation ----------

// Each turn: { id, question, mode, body }, oldest first. Kept for the tab, so Back from an
// article and a reload find the conversation as it was. Turn ids only grow: a history entry
// names its turn ({ turn: id } in history.state), and ids below `cleared` belong to
// conversations the reader has put away.
const CONVERSATION_STORAGE = "rag-conversation";
const MAX_HISTORY = 5; // earlier questions /ask reads
const MAX_HISTORY_CHARS = 1000; // of each, the end (where a long message asks) is sent
let conversation = { next: 1, cleared: 1, turns: [] };
let pending = null; // { id, item, question } of the turn waiting for its answer
let openedFrom = null; // the citation link that opened the reader, to come back to

function loadConversation() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CONVERSATION_STORAGE));
    if (saved && Number.isInteger(saved.next) && Number.isInteger(saved.cleared)
      && Array.isArray(saved.turns) && saved.turns.every((t) => Number.isInteger(t.id)
        && typeof t.question === "string" && t.body && typeof t.body.answer === "string"
        && Array.isArray(t.body.citations) && Array.isArray(t.body.passages))) {
      conversation = saved;
    }
  } catch {
    // nothing saved, or not by this page: start empty
  }
}

function saveConversation() {
  try {
    sessionStorage.setItem(CONVERSATION_STORAGE, JSON.stringify(conversation));
  } catch {
    // storage full or refused: the conversation still lives in the page
  }
}

const turnId = (id) => `turn-${id}`;

// The newest answer carries id="answer-text" (the one `make bench-web` and the tests wait for).
function markNewest(item) {
  const previous = document.getElementById("answer-text");
  if (previous) previous.removeAttribute("id");
  const text = item.querySelector(".answer-text");
  if (text) text.id = "answer-text";
}

function renderConversation() {
  const list = $("#conversation");
  list.replaceChildren(...conversation.turns.map((turn) =>
    answerTurn(turnItem(turnId(turn.id), turn.question), turn.body)));
  if (list.lastElementChild) markNewest(list.lastElementChild);
  updateConversation();
}

function updateConversation() {
  const empty = conversation.turns.length === 0 && !pending;
  $("#conversation").hidden = empty;
  $("#new-conversation").hidden = empty;
}

function scrollToEnd() {
  window.scrollTo(0, document.documentElement.scrollHeight);
}

// A question asked: it joins the conversation at once, its answer follows. The earlier
// questions go with it, so a follow-up ("and why?") is read with their subject.
async function askTurn(question, mode) {
  const input = $("#question");
  const errors = $("#ask-error");
  const id = conversation.next++;
  saveConversation();
  history.replaceState({ ...history.state, turn: id }, "");
  const item = turnItem(turnId(id), question);
  pending = { id, item, question };
  $("#conversation").append(item);
  updateConversation();
  input.value = "";
  setStatus("ask", "Searching the articles…", true);
  item.scrollIntoView({ block: "nearest" });
  // Sent as typed, even empty: the service's own message says what to change.
  const payload = { question };
  if (mode) payload.mode = mode;
  const earlier = conversation.turns
    .slice(-MAX_HISTORY)
    .map((turn) => turn.question.slice(-MAX_HISTORY_CHARS).trim())
    .filter((text) => text);
  if (earlier.length) payload.history = earlier;
  try {
    const body = await postJson("/ask", payload);
    if (!pending || pending.id !== id) { // put away (a new conversation) as it arrived
      item.remove();
      return;
    }
    conversation.turns.push({ id, question, mode: mode || null, body });
    saveConversation();
    pending = null;
    markNewest(answerTurn(item, body));
    setStatus("ask", body.abstained ? "No answer found in the articles." : "The answer is ready.");
    performance.mark("answer-shown"); // what `make bench-web` reads as the time to the answer
    focusOn(item.querySelector(".answer-heading"), item);
  } catch (error) {
    item.remove();
    if (pending && pending.id === id) pending = null;
    updateConversation();
    if (error.name === "AbortError") return;
    setStatus("ask", "");
    if (!input.value) input.value = question; // to correct it, or send it again
    showError(errors, error, () => {
      clearError(errors, input);
      askTurn(question, mode);
    }, input);
  }
}

// Back to a turn already answered: to the citation that opened the reader, or to the turn.
function showTurn(turn, fromReader) {
  const item = document.getElementById(turnId(turn.id));
  if (fromReader && openedFrom && openedFrom.isConnected) {
    focusOn(openedFrom, openedFrom, "center");
  } else if (item) {
    focusOn(item.querySelector(".answer-heading"), item);
  }
}

async function showAsk(question, mode) {
  const fromReader = !$("#read-view").hidden;
  showView("ask");
  const input = $("#question");
  const errors = $("#ask-error");
  clearError(errors, input);
  if (question === null) {
    document.title = "Ask the articles";
    input.value = "";
    if (!pending) setStatus("ask", "");
    if (fromReader && openedFrom && openedFrom.isConnected) focusOn(openedFrom, openedFrom, "center");
    else scrollToEnd();
    return;
  }
  document.title = `${question.trim().slice(0, 60) || "Question"} – Ask the articles`;
  const id = (history.state || {}).turn;
  const turn = conversation.turns.find((t) => t.id === id);
  if (turn) {
    input.value = "";
    showTurn(turn, fromReader);
  } else if (pending && pending.id === id) {
    input.value = "";
  } else if (Number.isInteger(id) && id < conversation.cleared) {
    // from a conversation put away since: ready to ask again, not asked unbidden
    input.value = question;
    scrollToEnd();
  } else {
    await askTurn(question, mode);
  }
}

$("#new-conversation").addEventListener("click", () => {
  if (pending) cancel();
  pending = null;
  conversation = { next: conversation.next, cleared: conversation.next, turns: [] };
  saveConversation();
  renderConversation();
  navigate("/");
  setStatus("ask", "New conversation started.");
  $("#question").focus();
});

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

function navigate(href, newEntry = false) {
  const target = new URL(href, location.href);
  const visible = document.querySelector("[data-view-panel]:not([hidden])");
  const state = { from: visible && visible.dataset.viewPanel, back: location.href };
  if (target.href === location.href && !newEntry) history.replaceState(history.state, "", target);
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
  if (link.id !== "back") openedFrom = link.closest("#conversation") ? link : null;
  if (link.id === "back" && link.dataset.back === "history") history.back();
  else navigate(target.href);
});

// Every question sent is a new turn, even one asked before: a history entry of its own.
$("#ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  navigate(`/?q=${encodeURIComponent($("#question").value)}`, true);
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
loadConversation();
renderConversation();
showExample();
window.addEventListener("popstate", route);
route();
