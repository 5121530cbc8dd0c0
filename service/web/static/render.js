// Building the page's pieces from the service's JSON. Server text is only ever set as
// textContent, never parsed as HTML: the articles are whatever folder a user indexes.

const SIGNAL_NAMES = {
  dense_score: "meaning match",
  dense_rank: "meaning rank",
  bm25_score: "word match",
  bm25_rank: "word rank",
  sentence_score: "best sentence",
  sentence_rank: "sentence rank",
  fused_score: "combined score",
  retrieval_rank: "search rank",
};

export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function confidenceWords(confidence) {
  if (confidence >= 0.75) return { words: "High confidence", level: "high" };
  if (confidence >= 0.5) return { words: "Some confidence", level: "some" };
  return { words: "Low confidence", level: "low" };
}

// "Title › Section (page N)": the section is left out where it only repeats the title.
export function place(item) {
  const where = item.section && item.section !== item.title
    ? `${item.title} › ${item.section}` : item.title;
  return item.page !== undefined && item.page !== null ? `${where} (page ${item.page})` : where;
}

// `version`: the index version the offsets came from, so the article opens as it was then.
export function readHref(docId, start, end, version) {
  const path = `/read/${encodeURIComponent(docId)}`;
  const params = new URLSearchParams();
  if (start !== undefined) {
    params.set("start", start);
    params.set("end", end);
  }
  if (version) params.set("version", version);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

// Python counts offsets in code points, JavaScript strings in UTF-16 units: slicing the
// array of code points keeps a citation exact even past an emoji or other astral character.
export function splitAt(text, start, end) {
  const chars = Array.from(text);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end
    && end <= chars.length)) return null;
  return [chars.slice(0, start), chars.slice(start, end), chars.slice(end)].map((c) => c.join(""));
}

function formatDate(iso) {
  const date = new Date(`${iso}T00:00:00`);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" });
}

function excerpt(text) {
  const words = text.split(/\s+/);
  return words.length > 30 ? `${words.slice(0, 30).join(" ")}…` : text;
}

function formatSignal(value) {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function describe(doc) {
  return [
    doc.author ? `By ${doc.author}` : "Author not given",
    doc.published ? formatDate(doc.published) : "Date not given",
    doc.site,
    `File: ${doc.source}`,
  ].filter(Boolean).join(" · ");
}

export function passageList(passages, className, version) {
  return el("ol", { className }, ...passages.map((p) => el("li", { className: "passage" },
    el("p", { className: "where" }, el("a", { href: readHref(p.doc_id, p.start, p.end, version), text: place(p) })),
    el("p", { className: "excerpt", text: p.text }),
    el("dl", { className: "signals", "aria-label": "Why this passage was ranked here" },
      ...Object.entries(p.signals || {}).map(([name, value]) => el("div", {},
        el("dt", { text: SIGNAL_NAMES[name] || name.replace(/_/g, " ") }),
        el("dd", { text: formatSignal(value) })))))));
}

// The answer as the service wrote it, each [n] marker turned into a link to its citation.
function answerText(body) {
  const byNumber = new Map(body.citations.map((c) => [c.n, c]));
  const paragraph = el("p", { className: "answer-text" });
  let last = 0;
  for (const match of body.answer.matchAll(/\[(\d+)\]/g)) {
    const citation = byNumber.get(Number(match[1]));
    if (!citation) continue;
    paragraph.append(body.answer.slice(last, match.index), el("a", {
      className: "marker cite",
      href: readHref(citation.doc_id, citation.start, citation.end, body.index_version),
      "aria-label": `Source ${citation.n}: ${place(citation)}`,
      "data-n": citation.n,
      text: `[${citation.n}]`,
    }));
    last = match.index + match[0].length;
  }
  paragraph.append(body.answer.slice(last));
  return paragraph;
}

function answered(body, prefix) {
  const { words, level } = confidenceWords(body.confidence);
  return [
    el("p", { className: `confidence ${level}` }, el("strong", { text: words }),
      " — how closely the quoted sentences match your question."),
    answerText(body),
    el("h4", { text: "Where this comes from" }),
    el("ol", { className: "citations" }, ...body.citations.map((c) => el("li", { id: `${prefix}-citation-${c.n}`, "data-n": c.n },
      el("a", { className: "cite", href: readHref(c.doc_id, c.start, c.end, body.index_version), "data-n": c.n, text: place(c) }),
      c.kind === "code"
        ? el("pre", { className: "code" }, el("code", { text: c.display || c.quote }))
        : el("blockquote", { text: `“${c.display || c.quote}”` })))),
  ];
}

function abstained(body) {
  return [
    el("p", { className: "answer-text abstained", text: body.answer }),
    el("p", { text: "Nothing in the articles answers this closely enough to quote. These passages are the nearest they come and may still help." }),
    el("h4", { text: "Related reading" }),
    el("ul", { className: "related" }, ...body.passages.map((p) => el("li", {},
      el("a", { href: readHref(p.doc_id, p.start, p.end, body.index_version), text: place(p) }),
      el("p", { className: "excerpt", text: excerpt(p.text) })))),
  ];
}

// The answer first, then its citations (or related reading), then the ranking behind a
// disclosure. `prefix` keeps its ids apart from the other turns' answers.
function answerSection(body, prefix) {
  const heading = `${prefix}-answer`;
  const parts = [el("h3", { id: heading, className: "answer-heading", tabindex: "-1", text: "Answer" })];
  parts.push(...(body.abstained ? abstained(body) : answered(body, prefix)));
  if (body.passages.length) {
    parts.push(el("details", { className: "ranking" },
      el("summary", { text: `How the ${body.passages.length} passages were ranked` }),
      passageList(body.passages, "passages", body.index_version)));
  }
  return el("section", { className: "answer", "aria-labelledby": heading }, ...parts);
}

// ---------- the conversation: one item per question ----------

const squeeze = (text) => text.trim().replace(/\s+/g, " ");

// A turn as soon as it is asked: the question as typed, and a line saying the answer is coming.
export function turnItem(id, question) {
  return el("li", { className: "turn", id, "aria-busy": "true" },
    el("h2", { className: "asked", id: `${id}-question` },
      el("span", { className: "visually-hidden", text: "You asked: " }), question),
    el("p", { className: "waiting", text: "Searching the articles…" }));
}

// The turn with its answer: under the question, how the service read it when that differs
// (a follow-up read with the earlier questions), then the answer as a single question gets it.
export function answerTurn(item, body) {
  item.removeAttribute("aria-busy");
  const waiting = item.querySelector(".waiting");
  if (waiting) waiting.remove();
  const read = body.resolved_question;
  if (read && squeeze(read) !== squeeze(body.question)) {  // body.question: as typed, trimmed
    item.querySelector(".asked").after(el("p", { className: "read-as" }, "read as: ", el("q", { text: read })));
  }
  item.append(answerSection(body, item.id));
  return item;
}

// ---------- the reader: an article as its blocks ----------

// Offsets are code points (Python's), so the text is handled as an array of them.
function textOf(chars, start, end) {
  return chars.slice(start, end).join("");
}

// The parts of start..end a reader sees: inline markup (Markdown's **, backticks, link
// targets) left out, the cited span marked. `state.first` makes the first mark the one the
// page jumps to.
function pieces(chars, start, end, markup, cite, state) {
  const visible = [];
  let cursor = start;
  for (const [a, b] of markup) {
    if (b <= cursor || a >= end) continue;
    if (a > cursor) visible.push([cursor, a]);
    cursor = Math.max(cursor, b);
  }
  if (cursor < end) visible.push([cursor, end]);
  const out = [];
  for (const [a, b] of visible) {
    if (!cite || cite[1] <= a || cite[0] >= b) {
      out.push(textOf(chars, a, b));
      continue;
    }
    const from = Math.max(a, cite[0]);
    const to = Math.min(b, cite[1]);
    if (from > a) out.push(textOf(chars, a, from));
    const mark = el("mark", { text: textOf(chars, from, to), className: "cited" });
    if (state.first) {
      mark.id = "cited";
      mark.tabIndex = -1;
      state.first = false;
    }
    out.push(mark);
    if (to < b) out.push(textOf(chars, to, b));
  }
  return out;
}

const BLOCK_TAGS = { paragraph: "p", quote: "blockquote", caption: "p", list_item: "li" };

// Headings, paragraphs, lists, code and tables as such; the text between blocks that is no
// block (a byline, a date line) as a quiet aside, since answers cite it too.
export function articleBody(doc, cite) {
  const chars = Array.from(doc.text);
  const markup = (doc.markup || []).slice().sort((x, y) => x[0] - y[0]);
  const blocks = (doc.blocks || []).slice().sort((x, y) => x.start - y.start);
  const state = { first: true };
  const nodes = [];
  let list = null;
  let cursor = 0;
  const aside = (a, b) => {
    if (textOf(chars, a, b).trim()) {
      list = null;
      nodes.push(el("p", { className: "aside" }, ...pieces(chars, a, b, [], cite, state)));
    }
  };
  for (const block of blocks) {
    if (block.start < cursor) continue;
    const title = block.kind === "heading" && nodes.length === 0
      && textOf(chars, block.start, block.end) === doc.title;
    const cited = cite && cite[0] < block.end && cite[1] > block.start;
    if (title && !cited) {  // the page's own heading shows it already
      aside(cursor, block.start);
      cursor = block.end;
      continue;
    }
    aside(cursor, block.start);
    cursor = block.end;
    const inline = () => pieces(chars, block.start, block.end, markup, cite, state);
    if (block.kind === "list_item") {
      if (!list) {
        list = el("ul", { className: "items" });
        nodes.push(list);
      }
      list.append(el("li", { className: `level-${Math.min(block.level || 0, 4)}` }, ...inline()));
      continue;
    }
    list = null;
    if (block.kind === "heading") {
      const level = Math.min(Math.max(block.level || 2, 2), 4);
      nodes.push(el(`h${level}`, {}, ...inline()));
    } else if (block.kind === "code") {
      const code = pieces(chars, block.start, block.end, [], cite, state);
      nodes.push(el("pre", { className: "code" }, el("code", {}, ...code)));
    } else if (block.kind === "table" && block.rows && block.rows.length) {
      nodes.push(el("table", { className: "cells" }, el("tbody", {}, ...block.rows.map((row) =>
        el("tr", {}, ...row.map(([a, b]) => el("td", {}, ...pieces(chars, a, b, markup, cite, state))))))));
    } else {
      nodes.push(el(BLOCK_TAGS[block.kind] || "p", { className: block.kind }, ...inline()));
    }
  }
  aside(cursor, chars.length);
  return nodes;
}
