"""The HTML reader's view of a content tree: what each element is to a reader.

One `Node` wraps an element of either tree the reader walks: a page's own HTML, or
trafilatura's extraction (head, p, list/item, table/row/cell, quote, code). Furniture is
recognised here once: navigation, sidebars, footers, forms, permalink signs ("¶", "#") and
"Edit on GitHub" links are `skip`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_SKIP_TAGS = frozenset(
    "script style noscript template nav footer form button input select textarea svg iframe "
    "canvas object embed link meta img picture video audio map".split()
)
_SKIP_ROLES = frozenset({"navigation", "search", "complementary", "banner", "contentinfo"})
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(headerlink|anchor(?:js)?(?:-link)?|hash-link|header-anchor|permalink|"
    r"sidebar|sphinxsidebar|toc|tocs?-?tree|breadcrumbs?|related|footer|edit-?this-?page|"
    r"md-(?:source|footer|header|sidebar|nav|search|top|dialog|skip)|pagination|prev-?next|"
    r"navbar|navigation|nav-?header|nav-?footer|skip-?link|copybutton|copy-?button|feedback|linenos|visually-hidden|"
    r"sr-only|screen-reader-text|share|social|cookie|banner)(?:$|[\s_-])",
    re.IGNORECASE,
)
_PERMALINK_SIGNS = frozenset({"¶", "#", "§", "🔗", "link", "permalink", ""})
_EDIT_LINK = re.compile(
    r"^\s*(edit (on|in) \w+|edit this page|view (page )?source|show source|suggest (an )?edit|"
    r"improve this (page|doc)|report an issue|open an issue)\b",
    re.IGNORECASE,
)
_ADMONITION = re.compile(
    r"\b(admonition|note|warning|tip|hint|important|caution|danger|attention|seealso|callout|"
    r"alert|versionadded|versionchanged|deprecated)\b",
    re.IGNORECASE,
)
_GENERATORS = re.compile(
    r"sphinx|docutils|mkdocs|docusaurus|hugo|jekyll|gitbook|vuepress|vitepress|docfx|doxygen|"
    r"pdoc|asciidoctor|antora|jsdoc|rustdoc|javadoc|mdbook|starlight|nextra|docsify|docbook",
    re.IGNORECASE,
)
_DOC_THEMES = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' markdown-body ')]"
    " | //*[contains(@class, 'theme-doc-markdown')] | //*[contains(@class, 'md-content')]"
    " | //*[contains(@class, 'sphinxsidebar')] | //a[contains(@class, 'headerlink')]"
    " | //*[contains(@class, 'rst-content')]"
)
_MAIN_REGIONS = (
    "//*[@role='main']",
    "//main",
    "//article[contains(@class, 'md-content__inner')]",
    "//*[contains(@class, 'theme-doc-markdown')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' markdown-body ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//article",
    "//*[@id='content']",
    "//body",
)
_TITLE_SUFFIX = re.compile(r"\s+[—–|·-]\s+.*$")

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_TAGS = frozenset(
    "p div section article main aside header ul ol dl dt dd li pre table blockquote figure "
    "figcaption details summary h1 h2 h3 h4 h5 h6 head list item quote code row hr center "
    "address fieldset".split()
)
# Blocks whose text stands apart from its neighbours' even inside a line of text ("code" is
# left out: a page's inline <code> sits inside a sentence, "WARNING, which ...").
_SPACED_TAGS = _BLOCK_TAGS - {"code"}
_ROLE_OF = {
    **dict.fromkeys(_HEADINGS, "heading"),
    "head": "heading",
    "p": "paragraph",
    "pre": "code",
    "ul": "list",
    "ol": "list",
    "list": "list",
    "table": "table",
    "blockquote": "quote",
    "quote": "quote",
    "figcaption": "caption",
    "caption": "caption",
    "dt": "term",
    "hr": "skip",
}


@dataclass(frozen=True)
class Label:
    node: Node
    text: str


@dataclass(frozen=True)
class Page:
    tree: Any

    def declared_author(self) -> str | None:
        """The author the page's meta tags name (author, article:author, dc.creator)."""
        for path in (
            "//meta[@name='author']/@content",
            "//meta[@property='article:author']/@content",
            "//meta[translate(@name, 'DC.CREATOR', 'dc.creator')='dc.creator']/@content",
        ):
            for value in self.tree.xpath(path):
                name = " ".join(str(value).split())
                if name and not name.startswith("http"):
                    return name
        return None

    def generated_title(self) -> str | None:
        content = generated_content(self)
        heading = content.first_heading() if content is not None else None
        if heading:
            return heading
        titles = self.tree.xpath("//title")
        text = " ".join(titles[0].text_content().split()) if titles else ""
        return _TITLE_SUFFIX.sub("", text) or None


def parse_page(data: bytes) -> Page:
    import lxml.html

    return Page(lxml.html.document_fromstring(data))


def is_generated(page: Page) -> bool:
    """Whether a documentation generator made the page (its content region and furniture are
    marked): a generator meta tag, or a documentation theme's marks."""
    generator = page.tree.xpath("//meta[@name='generator']/@content")
    if any(_GENERATORS.search(value) for value in generator):
        return True
    return bool(page.tree.xpath(_DOC_THEMES))


def generated_content(page: Page) -> Node | None:
    """The region holding the page's content (the first of the usual marks that holds text)."""
    for path in _MAIN_REGIONS:
        for element in page.tree.xpath(path):
            node = Node(element)
            if len(node.all_text()) >= 200 or path == "//body":
                return node
    return None


class Node:
    """One element, read as a reader would."""

    __slots__ = ("element",)

    def __init__(self, element: Any) -> None:
        self.element = element

    @classmethod
    def of(cls, element: Any) -> Node:
        return cls(element)

    def tag(self) -> str:
        tag = self.element.tag
        return tag.lower() if isinstance(tag, str) else ""

    def _classes(self) -> str:
        return f"{self.element.get('class') or ''} {self.element.get('id') or ''}"

    def role(self) -> str:
        """skip, heading, paragraph, code, list, table, quote, caption, term, inline or
        container."""
        tag, element = self.tag(), self.element
        if not tag or tag in _SKIP_TAGS or element.get("aria-hidden") == "true":
            return "skip"
        if tag == "head" and (parent := element.getparent()) is not None and parent.tag == "html":
            return "skip"  # the page's <head>; trafilatura's <head> is a heading
        if element.get("role") in _SKIP_ROLES or element.get("hidden") is not None:
            return "skip"
        classes = self._classes()
        if classes.strip() and _FURNITURE.search(classes):
            return "skip"
        if tag == "a" and self._permalink_or_edit():
            return "skip"
        if tag == "aside" and not _ADMONITION.search(classes):
            return "skip"
        if tag == "code":
            return "code" if self._block_code() else "inline"
        if tag in _ROLE_OF:
            return _ROLE_OF[tag]
        if tag in {"div", "section", "aside"} and _ADMONITION.search(classes):
            return "quote"
        return "container" if tag in _BLOCK_TAGS or tag == "body" else "inline"

    def _permalink_or_edit(self) -> bool:
        text = " ".join("".join(self.element.itertext()).split())
        href = self.element.get("href") or ""
        if text.lower() in _PERMALINK_SIGNS and href.startswith("#"):
            return True
        return bool(_EDIT_LINK.match(text))

    def _block_code(self) -> bool:
        """trafilatura's `<code>` block (a child of the body, not inside a paragraph)."""
        parent = self.element.getparent()
        return (
            parent is not None
            and parent.tag in {"body", "item", "quote", "cell"}
            and ("\n" in "".join(self.element.itertext()) or parent.tag == "body")
        )

    def children(self) -> Iterator[Node]:
        for child in self.element:
            if isinstance(child.tag, str):
                yield Node(child)

    def tail_text(self) -> str:
        return self.element.tail or ""

    def is_block(self) -> bool:
        return self.role() not in {"inline", "skip"}

    def has_blocks(self) -> bool:
        return any(child.is_block() for child in self.children())

    def runs(self) -> Iterator[tuple[str, Node | str]]:
        """The node's content in order: ("text", inline text run) or ("block", child)."""
        buffer = [self.element.text or ""]
        for child in self.children():
            role = child.role()
            if role not in {"inline", "skip"}:
                yield "text", "".join(buffer)
                buffer = []
                yield "block", child
            elif role == "inline":
                buffer.append(" " if child.tag() in {"br", "lb"} else child.inline_text())
            buffer.append(child.tail_text())
        yield "text", "".join(buffer)

    def inline_text(self) -> str:
        """The text a reader sees, inline markup flattened, furniture left out, `<br>` a space,
        and a block inside (two paragraphs in one table cell) apart from its neighbours."""
        parts = [self.element.text or ""]
        for child in self.children():
            role = child.role()
            if role != "skip":
                tag = child.tag()
                text = " " if tag in {"br", "lb"} else child.inline_text()
                parts.append(f" {text} " if tag in _SPACED_TAGS else text)
            parts.append(child.tail_text())
        return " ".join("".join(parts).split())

    def all_text(self) -> str:
        return " ".join("".join(self.element.itertext()).split())

    def code_text(self) -> str:
        """A code block's text exactly as laid out (line numbers and copy buttons left out)."""
        parts = [self.element.text or ""]
        for child in self.children():
            if child.role() != "skip" or child.tag() == "code":
                parts.append("\n" if child.tag() in {"br", "lb"} else child.code_text())
            parts.append(child.tail_text())
        return "".join(parts)

    def heading_level(self) -> int:
        tag = self.tag()
        if tag in _HEADINGS:
            return _HEADINGS[tag]
        rend = self.element.get("rend") or ""
        return _HEADINGS.get(rend, 2)

    def is_ordered(self) -> bool:
        return self.tag() == "ol" or self.element.get("rend") == "ol"

    def list_items(self) -> Iterator[Node]:
        for child in self.children():
            if child.tag() in {"li", "item"}:
                yield child

    def item_text(self) -> str:
        """A list item's own words: its text before any block, or its first paragraph's."""
        for kind, value in self.runs():
            if kind == "text" and isinstance(value, str) and value.strip():
                return " ".join(value.split())
            if kind == "block" and isinstance(value, Node):
                return value.inline_text() if value.role() == "paragraph" else ""
        return ""

    def item_blocks(self) -> list[Node]:
        """The blocks inside a list item after its own words (nested lists, code, paragraphs)."""
        blocks = [v for k, v in self.runs() if k == "block" and isinstance(v, Node)]
        own = next((v for k, v in self.runs() if k == "text" and str(v).strip()), None)
        if own is None and blocks and blocks[0].role() == "paragraph":
            blocks = blocks[1:]
        return blocks

    def table_rows(self) -> list[list[str]]:
        rows = []
        for row in self.element.iter("tr", "row"):
            cells = [Node(c).inline_text() for c in row if c.tag in {"th", "td", "cell"}]
            rows.append(cells)
        return rows

    def admonition_title(self) -> Label | None:
        for child in self.children():
            classes = child._classes().lower()
            if "title" in classes or "heading" in classes or child.tag() == "summary":
                text = child.inline_text()
                return Label(child, text) if text else None
            return None
        return None

    def is_signature(self) -> bool:
        return "sig" in self._classes().lower() or "(" in self.inline_text()

    def first_heading(self) -> str | None:
        for element in self.element.iter("h1", "head"):
            text = Node(element).inline_text()
            if text:
                return text
        return None
