"""Time to the first answer in Chromium, and the page's weight: `make bench-web` prints both.

A figure, not a test: it serves the configured corpus (`rag serve`'s settings, building the
index when needed), opens `/?q=...` in a fresh browser context per run (nothing cached, as for
a first visit) and reports, per run, the page's own time from navigation to the answer being
shown (a `performance.mark` set by app.js) and the wall-clock time Playwright saw.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import time
from urllib.parse import quote, urlsplit

from playwright.sync_api import Response, sync_playwright

from service.config import settings_from_env
from service.http.app import create_app
from service.web.routes import ASSETS, STATIC_DIR
from tests.support.browser import DESKTOP, launch_chromium
from tests.support.paths import SPACE_QUESTION
from tests.support.server import LiveServer

PAGE_FILES = ("index.html", *ASSETS)


def page_weight() -> tuple[int, int]:
    """Bytes of the page's files (HTML, its scripts and style sheet) as stored, and gzipped."""
    raw = [(STATIC_DIR / name).read_bytes() for name in PAGE_FILES]
    return sum(len(b) for b in raw), sum(len(gzip.compress(b, 6)) for b in raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--question", default=SPACE_QUESTION)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    raw, packed = page_weight()
    print(f"page weight: {raw} bytes (html+js+css, {len(PAGE_FILES)} files), {packed} gzipped")
    app = create_app(settings_from_env())
    logging.getLogger("rag.access").setLevel(logging.WARNING)
    rows: list[tuple[float, float, float]] = []
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        url = f"{server.url}/?q={quote(args.question)}"
        for _ in range(args.runs):
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            started = time.perf_counter()
            with page.expect_response(lambda r: urlsplit(r.url).path == "/ask") as asked:
                page.goto(url)
            page.wait_for_selector("#answer-text", state="visible")
            wall = (time.perf_counter() - started) * 1000
            shown = page.evaluate("performance.getEntriesByName('answer-shown')[0].startTime")
            response: Response = asked.value
            rows.append((shown, wall, response.json()["timings_ms"]["total"]))
            context.close()
        browser.close()
    print(f"time to first answer in Chromium, {args.runs} fresh visits to /?q=...:")
    print(f"{'run':>4} {'page (ms)':>10} {'wall (ms)':>10} {'/ask in server (ms)':>20}")
    for n, (shown, wall, server_ms) in enumerate(rows, 1):
        print(f"{n:>4} {shown:>10.0f} {wall:>10.0f} {server_ms:>20.1f}")
    for label, column in (("page", 0), ("wall", 1)):
        values = [row[column] for row in rows]
        print(
            f"{label}: first {values[0]:.0f} ms, median {statistics.median(values):.0f} ms, "
            f"max {max(values):.0f} ms"
        )


if __name__ == "__main__":
    main()
