"""Debian's headless Chromium, driven by Playwright, for the web page's tests and tools.

Playwright's wheel carries its driver; the browser is the system's /usr/bin/chromium (the
Makefile installs the `chromium` package when it is missing), so nothing is downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Playwright, Response, expect

from service.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network beyond loopback: keep Chromium from trying to phone home.
QUIET_FLAGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
DESKTOP = {"width": 1100, "height": 760}
NARROW = {"width": 360, "height": 740}
ACCESSIBILITY_CHECK = (Path(__file__).parent / "accessibility.js").read_text(encoding="utf-8")


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium; as root it has to run without its sandbox."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    flags = [*QUIET_FLAGS, *(("--no-sandbox",) if os.geteuid() == 0 else ())]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=flags, headless=True)


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows now under reports/screenshots/ (a test artefact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def scroll_width(page: Page) -> int:
    """The page's full width in CSS pixels; wider than the viewport means a horizontal scroll."""
    return page.evaluate("document.documentElement.scrollWidth")


def is_ask(response: Response) -> bool:
    """Whether a response is the page's POST /ask."""
    return urlsplit(response.url).path == "/ask" and response.request.method == "POST"


def ask(page: Page, question: str) -> dict:
    """Type a question, press Enter, and return the /ask body the page received."""
    page.fill("#question", question)
    with page.expect_response(is_ask) as answered:
        page.press("#question", "Enter")
    expect(page.locator("#answer-text")).to_be_visible()
    return answered.value.json()


def mark_text(page: Page) -> str:
    """The text inside the reader's one <mark>, exactly as the DOM holds it."""
    mark = page.locator("#article-text mark")
    expect(mark).to_have_count(1)
    return mark.evaluate("node => node.textContent")


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the visible part of the page."""
    return page.locator(selector).evaluate(
        "node => { const r = node.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def accessibility_problems(page: Page) -> list[str]:
    """Text below WCAG AA contrast and form controls without a label, on the page as it is."""
    return page.evaluate(ACCESSIBILITY_CHECK)
