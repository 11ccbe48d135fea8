"""Every page in a real browser (Debian's chromium driven by Playwright).

For each page in both languages: no console error, no failed request, no request to any
host but the local server; every figure loaded; every formula typeset; the language
switcher lands on the same page in the other language; search finds pages in the page's
language; the bytes the page loads stay under the budget; screenshots at 1280x900 and
390x844 go to build/browser/ (CI keeps them).

Without a browser these tests skip and say how to get one, unless LOSSBOOK_REQUIRE_BROWSER=1
(set by .ci/run and the GitHub workflow), which turns the skip into a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from conftest import LANGS, ROOT

PAGES = sorted(p.relative_to(ROOT / "docs" / "zh") for p in (ROOT / "docs" / "zh").glob("*.md"))
# The notebook pages, rendered by mkdocs-jupyter: checked like the lessons (but not searched).
NOTEBOOK_PAGES = [Path("notebooks") / f"{p.stem}.ipynb" for p in PAGES if p.name != "index.md"
                  and "```python" in (ROOT / "docs" / "zh" / p).read_text(encoding="utf-8")]
OUT = ROOT / "build" / "browser"
# Bytes one page may load on a first visit, uncompressed (a static server without gzip).
PAGE_BUDGET = 600 * 1024
SEARCHES = {
    "zh": {"mse.md": "均方误差", "custom_loss.md": "分位数", "cross_entropy.md": "交叉熵",
           "softmax_cross_entropy.md": "softmax", "index.md": "损失函数", "speed.md": "编译",
           "performance.md": "加速比"},
    "en": {"mse.md": "squared", "custom_loss.md": "quantile", "cross_entropy.md": "entropy",
           "softmax_cross_entropy.md": "softmax", "index.md": "loss", "speed.md": "XLA",
           "performance.md": "speed-up"},
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def find_browser():
    path = os.environ.get("LOSSBOOK_CHROMIUM")
    if path:
        return path if Path(path).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def page_path(lang: str, page: Path) -> str:
    stem = page.with_suffix("")
    return ("en/" if lang == "en" else "") + ("" if stem.name == "index" else f"{stem}/")


@pytest.fixture(scope="module")
def browser():
    executable = find_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        message = ("no browser: install Debian's chromium and a CJK font "
                   "(apt-get install chromium fonts-wqy-microhei), or point "
                   "LOSSBOOK_CHROMIUM at a Chromium or Chrome executable")
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(built_site):
    """The built site on 127.0.0.1, as a plain static server would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly and counts the body bytes it sends."""

    sent = 0

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        type(self).sent += len(data)
        outputfile.write(data)


@pytest.fixture(scope="module")
def report():
    OUT.mkdir(parents=True, exist_ok=True)
    weights = {}
    yield weights
    (OUT / "page-weights.json").write_text(json.dumps(weights, indent=1, sort_keys=True))


class Visit:
    """Opens a page and records its console errors, failed requests and hosts."""

    def __init__(self, browser, url, viewport):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.problems, self.hosts = [], set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)
        self.page.on("request", lambda r: self.hosts.add(r.url.split("/")[2])
                     if r.url.startswith("http") else None)
        _QuietHandler.sent = 0
        self.page.goto(url, wait_until="networkidle")
        self.first_load = _QuietHandler.sent  # what the server sent for this first visit

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def close(self):
        self.context.close()


def load_figures(page) -> None:
    """Scrolls to each figure (they load lazily) and waits until it has been drawn."""
    for figure in page.query_selector_all("article img"):
        figure.scroll_into_view_if_needed()
        try:
            page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=figure,
                                   timeout=10000)
        except Exception as err:  # noqa: BLE001 - say which figure
            raise AssertionError(f"figure not loaded: {figure.get_attribute('src')}") from err


def search(page, query) -> bool:
    """Types a query as a reader would and waits for results.

    Material reads the query on keyup; an IME (and Playwright's fill) inserts CJK text
    without one, so a final key press stands in for the reader's last keystroke.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = "input.md-search__input"
    page.fill(box, query)
    page.press(box, "End")
    try:
        page.wait_for_selector(".md-search-result__item", timeout=15000)
    except PlaywrightTimeout:
        return False
    return True


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES + NOTEBOOK_PAGES, ids=str)
def test_page_in_a_browser(browser, server, report, lang, page):
    """Loads cleanly and locally, shows its figures and math, switches language, searches."""
    url = server + page_path(lang, page)
    visit = Visit(browser, url, {"width": 1280, "height": 900})
    p = visit.page
    try:
        local = server.split("/")[2]
        assert visit.hosts <= {local}, f"requests to other hosts: {visit.hosts - {local}}"
        load_figures(p)
        if page.parts[0] == "notebooks":
            drawn = p.eval_on_selector_all(
                ".jp-OutputArea-output img",
                "els => els.map(e => e.complete && e.naturalWidth > 0)")
            assert all(drawn), "a notebook figure did not render"
        text = p.inner_text("article")
        for raw in ("\\frac", "\\sum", "$$", "\\(", "\\["):
            assert raw not in text, f"raw TeX {raw!r} on the page"
        sizes = p.eval_on_selector_all(
            "article math", "els => els.map(e => e.getBoundingClientRect().width)")
        assert all(width > 0 for width in sizes), "a formula was not laid out"
        shots = OUT / lang
        shots.mkdir(parents=True, exist_ok=True)
        stem = page.with_suffix("").as_posix().replace("/", "-")
        p.evaluate("window.scrollTo(0, 0)")  # sticky header and sidebars at the top
        p.screenshot(path=str(shots / f"{stem}-1280.png"), full_page=True)
        report[f"{lang}/{page}"] = visit.first_load

        # Search, in the page's language only (each language has its own index).
        query = SEARCHES[lang].get(str(page))
        if query:
            assert search(p, query), f"searching {query!r} found nothing"
            links = p.eval_on_selector_all(".md-search-result__link",
                                           "els => els.map(e => e.href)")
            assert links and all(("/en/" in link) == (lang == "en") for link in links), links
            own = server + page_path(lang, page)
            assert any(link.split("#")[0].split("?")[0] == own for link in links), (
                f"searching {query!r} does not find {own} among {links}"
            )
            p.keyboard.press("Escape")

        # The language switcher goes to the same page in the other language.
        other = "en" if lang == "zh" else "zh"
        p.eval_on_selector(f"a.md-select__link[hreflang={other}]", "e => e.click()")
        p.wait_for_url(server + page_path(other, page))
        assert visit.problems == [], visit.problems
    finally:
        visit.close()

    phone = Visit(browser, url, {"width": 390, "height": 844})
    try:
        load_figures(phone.page)
        phone.page.evaluate("window.scrollTo(0, 0)")
        phone.page.screenshot(path=str(OUT / lang / f"{stem}-390.png"), full_page=True)
        overflow = phone.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
        assert phone.problems == [], phone.problems
    finally:
        phone.close()


def test_largest_page_stays_under_budget(report):
    """After the page tests: the heaviest lesson's first visit loads less than the budget.

    Notebook pages are recorded too but not held to it: mkdocs-jupyter inlines
    JupyterLab's stylesheets into each of them (about 1 MB).
    """
    lessons = {key: size for key, size in report.items() if "/notebooks/" not in key}
    if not lessons:
        pytest.skip("the browser tests did not run")
    heaviest = max(lessons, key=lessons.get)
    assert lessons[heaviest] <= PAGE_BUDGET, (
        f"{heaviest} loads {lessons[heaviest] / 1024:.0f} KiB > {PAGE_BUDGET / 1024:.0f} KiB"
    )
