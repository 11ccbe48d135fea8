"""Every page in a real browser (Debian's chromium driven by Playwright).

For each page in both languages: no console error, no failed request, no request to any
host but the local server; every figure loaded; every formula typeset; the language
switcher lands on the same page in the other language; search finds pages in the page's
language; the bytes the page loads stay under the budget; at phone widths (390 and 320 px)
the page does not scroll sideways and no formula is wider than the column; screenshots at
1280x900, 390x844 and 320x640 go to build/browser/ (CI keeps them; whole lessons, notebooks'
first screens).

Chromium renders with the fonts tests/fonts.conf names and no other (FONTCONFIG_FILE), so
layout, and so "scrolls sideways", is the same on every machine; a named font file that is
missing fails (or skips) like a missing browser.
Pages are visited a few at a time (the async API); each page still has its own test,
which reports what went wrong on it.

Without a browser these tests skip and say how to get one, unless LOSSBOOK_REQUIRE_BROWSER=1
(set by .ci/run and the GitHub workflow), which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import shutil
import threading
import traceback
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
# The Performance report is left out of the index (its front matter): no query for it.
SEARCHES = {
    "zh": {"mse.md": "均方误差", "custom_loss.md": "分位数", "cross_entropy.md": "交叉熵",
           "robust_regression.md": "离群点", "binary_cross_entropy.md": "二元交叉熵",
           "imbalanced.md": "召回率",
           "softmax_cross_entropy.md": "softmax", "index.md": "损失函数", "speed.md": "编译",
           "keras_pitfalls.md": "陷阱"},
    "en": {"mse.md": "squared", "custom_loss.md": "quantile", "cross_entropy.md": "entropy",
           "robust_regression.md": "outlier", "binary_cross_entropy.md": "sigmoid",
           "imbalanced.md": "recall",
           "softmax_cross_entropy.md": "softmax", "index.md": "loss", "speed.md": "XLA",
           "keras_pitfalls.md": "traps"},
}
# The font set the browser renders with: the files tests/fonts.conf accepts, from these
# Debian packages (.ci/run and the GitHub workflow install them).
FONTS_CONF = ROOT / "tests" / "fonts.conf"
FONT_PACKAGES = ("fonts-dejavu-core", "fonts-dejavu-extra", "fonts-wqy-microhei")
# The families those files hold: nothing else may render a page.
FONT_FAMILIES = {"DejaVu Sans", "DejaVu Sans Mono", "DejaVu Serif", "DejaVu Math TeX Gyre",
                 "WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono"}
# Phone widths: a common phone, and the narrowest still in use (iPhone SE 1st gen).
PHONES = ({"width": 390, "height": 844}, {"width": 320, "height": 640})
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


# Pages visited at once (each with its own server, so each first load is counted alone).
JOBS = 2


def font_files() -> list[str]:
    """The font files tests/fonts.conf lets the browser use."""
    import xml.etree.ElementTree as ET

    accepted = ET.parse(FONTS_CONF).getroot().findall("./selectfont/acceptfont/glob")
    return [glob.text.strip() for glob in accepted]


def missing_fonts() -> list[str]:
    return [path for path in font_files() if not Path(path).is_file()]


def browser_env() -> dict:
    """The browser's environment: the machine's, but only the project's fonts."""
    return dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))


def _browser_or_skip():
    executable = find_browser()
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        executable = None
    message = None
    if executable is None:
        message = ("no browser: install Debian's chromium and the project's fonts "
                   f"(apt-get install chromium {' '.join(FONT_PACKAGES)}), or point "
                   "LOSSBOOK_CHROMIUM at a Chromium or Chrome executable")
    elif missing_fonts():
        message = (f"the fonts tests/fonts.conf names are missing: {', '.join(missing_fonts())}; "
                   f"install them: apt-get install {' '.join(FONT_PACKAGES)}")
    if message:
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return executable


async def _launch(playwright, executable):
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                            env=browser_env())


class _Server:
    """The built site on 127.0.0.1, as a plain static server would serve it, counting the
    body bytes it sends."""

    def __init__(self, directory):
        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def copyfile(handler, source, outputfile):  # noqa: N805 - the server counts
                data = source.read()
                self.sent += len(data)
                path = handler.path.split("?")[0]
                self.served[path] = self.served.get(path, 0) + len(data)
                outputfile.write(data)

        self.sent, self.served, self.directory = 0, {}, Path(directory)
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def visits(built_site):
    """Every page of both languages checked in the browser, JOBS at a time:
    ``{(lang, page): None or what went wrong}`` and the bytes of each first visit.

    Started by conftest as soon as the site is built, beside the other tests."""
    from conftest import after_build_result

    return after_build_result("visits", lambda: visit_everything(built_site))


def visit_everything(built_site):
    executable = _browser_or_skip()
    OUT.mkdir(parents=True, exist_ok=True)
    servers = [_Server(built_site) for _ in range(JOBS)]
    weights: dict = {}
    try:
        results = asyncio.run(_visit_all(executable, servers, weights))
    finally:
        for server in servers:
            server.close()
    (OUT / "page-weights.json").write_text(json.dumps(weights, indent=1, sort_keys=True))
    return results, weights


async def _visit_all(executable, servers, weights):
    from playwright.async_api import async_playwright

    todo = [(lang, page) for page in PAGES + NOTEBOOK_PAGES for lang in LANGS]
    results = {}

    async def worker(server, browser):
        while todo:
            lang, page = todo.pop(0)
            try:
                await check_page(browser, server, lang, page, weights)
                results[lang, str(page)] = None
            except Exception as err:  # noqa: BLE001 - reported by the page's own test
                results[lang, str(page)] = "".join(traceback.format_exception_only(err))

    async with async_playwright() as playwright:
        browser = await _launch(playwright, executable)
        try:
            await asyncio.gather(*(worker(server, browser) for server in servers))
        finally:
            await browser.close()
    return results


class Visit:
    """Opens a page and records its console errors, failed requests and hosts."""

    def __init__(self, browser, server, viewport):
        self.browser, self.server, self.viewport = browser, server, viewport
        self.problems, self.hosts = [], set()

    async def open(self, url):
        """Opens ``url`` and waits until it has settled."""
        self.context = await self.browser.new_context(viewport=self.viewport)
        self.page = await self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)
        self.page.on("request", lambda r: self.hosts.add(r.url.split("/")[2])
                     if r.url.startswith("http") else None)
        self.server.sent, self.server.served = 0, {}
        await self.page.goto(url, wait_until="networkidle")
        await self._settle()
        self.first_load = self.server.sent  # what the server sent for this first visit
        return self.page

    async def _settle(self):
        """Waits until the search worker, which every page starts after it has loaded,
        has arrived and the network is quiet again: the same bytes counted on every run.
        The search index is not among them: the page asks for it only when the reader
        turns to the search (docs/overrides/main.html)."""
        for _ in range(100):
            if any("/assets/javascripts/workers/search." in path
                   for path in self.server.served):
                break
            await self.page.wait_for_timeout(100)
        else:
            raise AssertionError("the page never started its search worker")
        await self.page.wait_for_load_state("networkidle")
        await self.page.wait_for_timeout(300)
        await self.page.wait_for_load_state("networkidle")
        assert not self.fetched_index(), "the search index was fetched before any search"

    def fetched_index(self) -> bool:
        return any(path.endswith("/search/search_index.json") for path in self.server.served)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    async def close(self):
        await self.context.close()


async def load_figures(page) -> None:
    """Scrolls to each figure (they load lazily) and waits until it has been drawn."""
    for figure in await page.query_selector_all("article img"):
        await figure.scroll_into_view_if_needed()
        try:
            await page.wait_for_function("e => e.complete && e.naturalWidth > 0",
                                         arg=figure, timeout=15000)
        except Exception as err:  # noqa: BLE001 - say which figure
            src = await figure.get_attribute("src")
            raise AssertionError(f"figure not loaded: {src}") from err


async def search(page, query) -> bool:
    """Types a query as a reader would and waits for results.

    Material reads the query on keyup; an IME (and Playwright's fill) inserts CJK text
    without one, so a final key press stands in for the reader's last keystroke.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    box = "input.md-search__input"
    await page.fill(box, query)
    await page.press(box, "End")
    try:
        await page.wait_for_selector(".md-search-result__item", timeout=20000)
    except PlaywrightTimeout:
        return False
    return True


async def check_page(browser, server, lang, page, weights):
    """Loads cleanly and locally, shows its figures and math, searches, fits a phone,
    switches language."""
    url = server.url + page_path(lang, page)
    visit = Visit(browser, server, {"width": 1280, "height": 900})
    try:
        p = await visit.open(url)
        local = server.url.split("/")[2]
        assert visit.hosts <= {local}, f"requests to other hosts: {visit.hosts - {local}}"
        await load_figures(p)
        if page.parts[0] == "notebooks":
            drawn = await p.eval_on_selector_all(
                ".jp-OutputArea-output img",
                "els => els.map(e => e.complete && e.naturalWidth > 0)")
            assert all(drawn), "a notebook figure did not render"
        text = await p.inner_text("article")
        if await p.query_selector(".lossbook-notebooks"):  # a lesson: "Run this lesson"
            # text_content: the box is folded (a closed <details>), innerText would be empty.
            command = await p.text_content(".lossbook-run pre code")
            assert command.strip() == (f"pip install --extra-index-url {server.url}simple/ "
                                       '"lossbook[cpu,figures]"'), command
        for raw in ("\\frac", "\\sum", "$$", "\\(", "\\["):
            assert raw not in text, f"raw TeX {raw!r} on the page"
        sizes = await p.eval_on_selector_all(
            "article math", "els => els.map(e => e.getBoundingClientRect().width)")
        assert all(width > 0 for width in sizes), "a formula was not laid out"
        shots = OUT / lang
        shots.mkdir(parents=True, exist_ok=True)
        stem = page.with_suffix("").as_posix().replace("/", "-")
        await p.evaluate("window.scrollTo(0, 0)")  # sticky header and sidebars at the top
        # Whole lessons; a notebook's first screen (whole, they take seconds to encode).
        lesson = page.parts[0] != "notebooks"
        await p.screenshot(path=str(shots / f"{stem}-1280.png"), full_page=lesson)
        weights[f"{lang}/{page}"] = visit.first_load

        # Search, in the page's language only (each language has its own index).
        query = SEARCHES[lang].get(str(page))
        if query:
            assert await search(p, query), f"searching {query!r} found nothing"
            assert visit.fetched_index(), "search worked without its index?"
            links = await p.eval_on_selector_all(".md-search-result__link",
                                                 "els => els.map(e => e.href)")
            assert links and all(("/en/" in link) == (lang == "en") for link in links), links
            own = server.url + page_path(lang, page)
            assert any(link.split("#")[0].split("?")[0] == own for link in links), (
                f"searching {query!r} does not find {own} among {links}"
            )
            await p.keyboard.press("Escape")

        # Phones: the same page narrowed to each phone's width (the layout follows the
        # window, as when a phone turns; one load a page keeps the suite within its time).
        for viewport in PHONES:
            await p.set_viewport_size(viewport)
            await load_figures(p)
            await p.evaluate("window.scrollTo(0, 0)")
            await p.wait_for_timeout(500)  # the header's title swap back, animated
            width = viewport["width"]
            await p.screenshot(path=str(shots / f"{stem}-{width}.png"), full_page=lesson)
            overflow, culprits = await p.evaluate(SIDEWAYS_JS)
            assert overflow <= 0, (
                f"the page scrolls sideways by {overflow}px at {width}px wide; "
                f"sticking out: {culprits}")
            wide = await p.evaluate(WIDE_INLINE_MATH_JS)
            assert not wide, f"inline formulas wider than the column at {width}px: {wide}"

        # The language switcher goes to the same page in the other language. That page
        # is checked on its own visit: here the browser is answered with a stub for it,
        # and the test waits until it has landed there.
        other = "en" if lang == "zh" else "zh"
        target = server.url + page_path(other, page)
        await p.route(lambda address: address.split("#")[0] == target, _stub_page)
        await p.set_viewport_size({"width": 1280, "height": 900})
        await p.eval_on_selector(f"a.md-select__link[hreflang={other}]", "e => e.click()")
        await p.wait_for_url(target)
        assert visit.problems == [], visit.problems
    finally:
        await visit.close()


async def _stub_page(route):
    await route.fulfill(content_type="text/html", body="<!doctype html><title>stub</title>")


# How far the page scrolls sideways, and the outermost elements that stick out past the
# window without a box of their own that scrolls or clips them.
SIDEWAYS_JS = """() => {
  const root = document.scrollingElement || document.documentElement;
  const overflow = Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
  const culprits = [];
  if (overflow > 0) {
    const clips = e => { const s = getComputedStyle(e);
                         return s.overflowX !== "visible" && e !== root && e !== document.body; };
    const walk = (e, clipped) => {
      for (const child of e.children) {
        const r = child.getBoundingClientRect();
        if (!clipped && r.right > root.clientWidth + 0.5 && r.width > 0) {
          let deepest = true;
          for (const grand of child.querySelectorAll("*")) {
            if (grand.getBoundingClientRect().right > root.clientWidth + 0.5) {
              deepest = false; break; }
          }
          if (deepest || clips(child)) {
            culprits.push(`<${child.tagName.toLowerCase()} class="${child.className.baseVal
              ?? child.className}"> right=${Math.round(r.right)}: `
              + (child.textContent || "").trim().slice(0, 60));
            continue;
          }
        }
        walk(child, clipped || clips(child));
      }
    };
    walk(document.body, false);
  }
  return [overflow, culprits.slice(0, 5)];
}"""

# Pieces of inline formulas (each cannot wrap) that stick out of the column they sit in.
WIDE_INLINE_MATH_JS = """() => {
  const out = [];
  for (const math of document.querySelectorAll("article span.arithmatex math")) {
    const box = math.closest("td, th, li, p, article").getBoundingClientRect();
    const r = math.getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1) {
      out.push(`${math.getAttribute("data-tex")} `
               + `(${Math.round(r.width)}px in ${Math.round(box.width)}px)`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES + NOTEBOOK_PAGES, ids=str)
def test_page_in_a_browser(visits, lang, page):
    """Loads cleanly and locally, shows its figures and math, switches language, searches."""
    results, _ = visits
    if results[lang, str(page)] is not None:
        pytest.fail(f"{lang}/{page}: {results[lang, str(page)]}", pytrace=False)


def test_largest_page_stays_under_budget(visits):
    """The heaviest page's first visit (lessons and notebook pages: the page, its styles,
    scripts, the search index, and the figures in the first screen) loads less than the
    budget."""
    _, weights = visits
    lessons = dict(weights)
    assert len(lessons) == 2 * len(PAGES + NOTEBOOK_PAGES), "a page was not weighed"
    heaviest = max(lessons, key=lessons.get)
    assert lessons[heaviest] <= PAGE_BUDGET, (
        f"{heaviest} loads {lessons[heaviest] / 1024:.0f} KiB > {PAGE_BUDGET / 1024:.0f} KiB"
    )


# Text in every family Material's stylesheets ask for (and some a machine may have), in
# both scripts, and a formula: each must be drawn with the project's fonts.
FONT_PROBE = """<!doctype html><html><body>
<p style="font-family:-apple-system,BlinkMacSystemFont,Helvetica,Arial,sans-serif">
  Cross-entropy 交叉熵 <b>bold 粗体</b> <i>italic</i></p>
<p style="font-family:SFMono-Regular,Consolas,Menlo,monospace">loss = tf.reduce_mean(x) # 注释</p>
<p style="font-family:'Noto Sans','Liberation Sans','Noto Sans CJK SC',serif">Other 其他</p>
<p><math><mi>H</mi><mo>=</mo><mo>−</mo><mo>∑</mo><msub><mi>y</mi><mi>i</mi></msub>
  <mi>ln</mi><mfrac><mn>1</mn><mi>p</mi></mfrac><mo>,</mo><mi>τ</mi></math></p>
</body></html>"""


async def _fonts_used(page) -> set:
    """The font families Chromium actually drew the page's text with."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = (await cdp.send("DOM.getDocument", {"depth": -1}))["root"]["nodeId"]
    nodes = (await cdp.send("DOM.querySelectorAll",
                            {"nodeId": root, "selector": "body, body *"}))["nodeIds"]
    used = set()
    for node in nodes:
        fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
        used |= {font["familyName"] for font in fonts["fonts"]}
    return used


def test_browser_renders_with_only_the_project_fonts(built_site):
    """Chromium draws a probe page and a whole lesson (both scripts, code, math) with the
    fonts tests/fonts.conf names and no other, whatever else the machine has."""
    executable = _browser_or_skip()

    async def run():
        from playwright.async_api import async_playwright

        server = _Server(built_site)
        try:
            async with async_playwright() as playwright:
                browser = await _launch(playwright, executable)
                try:
                    page = await browser.new_page()
                    await page.set_content(FONT_PROBE)
                    probe = await _fonts_used(page)
                    await page.goto(server.url + page_path("zh", Path("cross_entropy.md")))
                    lesson = await _fonts_used(page)
                finally:
                    await browser.close()
        finally:
            server.close()
        return probe, lesson

    probe, lesson = asyncio.run(run())
    assert probe <= FONT_FAMILIES, f"the browser drew with fonts not in tests/fonts.conf: {probe}"
    assert lesson <= FONT_FAMILIES, f"a lesson was drawn with other fonts: {lesson}"
    # Latin, Chinese and code each came from the font meant for it.
    assert {"DejaVu Sans", "DejaVu Sans Mono", "WenQuanYi Micro Hei",
            "DejaVu Math TeX Gyre"} <= probe, probe
    assert {"DejaVu Sans", "WenQuanYi Micro Hei", "DejaVu Math TeX Gyre"} <= lesson, lesson


def test_ci_installs_the_fonts_the_browser_uses():
    """.ci/run and the GitHub workflow install exactly the packages of tests/fonts.conf."""
    header = FONTS_CONF.read_text(encoding="utf-8")
    assert " ".join(FONT_PACKAGES) in header, "tests/fonts.conf names other packages"
    for script in (ROOT / ".ci" / "run", ROOT / ".github" / "workflows" / "ci.yml"):
        text = script.read_text(encoding="utf-8")
        assert "apt-get install" in text and " ".join(FONT_PACKAGES) in text, (
            f"{script.relative_to(ROOT)} does not apt-get install {' '.join(FONT_PACKAGES)}")


CUT_VIEWS = (("light", 1280), ("dark", 1280), ("light", 390))


async def _open_search(p):
    """Opens the search box and types a query, so the results list is drawn; returns the
    part of the page that shows them."""
    if await p.is_visible("label[for=__search]"):  # a phone's layout: the search icon
        await p.click("label[for=__search]")
    assert await search(p, "交叉熵"), "no search results"
    await p.wait_for_timeout(500)
    return ".md-search__output"


async def _open_drawer(p):
    """Opens the navigation drawer of a phone's layout; returns the drawer."""
    await p.click(".md-header label[for=__drawer]")
    await p.wait_for_timeout(500)
    return ".md-sidebar--primary"


# Every property (custom properties aside: what they hold shows in the properties that
# use them) of every element under a selector, and of its ::before and ::after.
COMPUTED_STYLES_JS = """
root => {
  const out = [];
  for (const e of [root, ...root.querySelectorAll('*')]) {
    for (const pseudo of [null, '::before', '::after']) {
      const cs = getComputedStyle(e, pseudo);
      const props = {};
      for (const name of cs) {
        if (!name.startsWith('--')) props[name] = cs.getPropertyValue(name);
      }
      out.push([e.tagName + '.' + e.className + (pseudo || ''), props]);
    }
  }
  return out;
}
"""


def _draws_the_same(built_site, lang, page, uncut_html, views, name):
    """Loads the built page and ``uncut_html`` (the same page with the original
    stylesheets, written beside it) in each view. A view of the page as loaded must give
    identical pixels (screenshots of the whole page); a view with an action (search
    results, the phone's drawer: drawn by scripts, and animated) must give every element
    of the part it opens the same computed style."""
    executable = _browser_or_skip()
    built = built_site / page_path(lang, page) / "index.html"
    uncut = built.with_name("uncut.html")
    uncut.write_text(uncut_html, encoding="utf-8")

    async def run():
        from playwright.async_api import async_playwright

        server = _Server(built_site)
        shots = {}
        try:
            async with async_playwright() as playwright:
                browser = await _launch(playwright, executable)
                try:
                    for view in views:
                        scheme, width, *action = view
                        context = await browser.new_context(
                            viewport={"width": width, "height": 900}, color_scheme=scheme)
                        p = await context.new_page()
                        for file in ("index.html", "uncut.html"):
                            await p.goto(server.url + page_path(lang, page) + file,
                                         wait_until="networkidle")
                            if action:
                                part = await action[0](p)
                                shots[view, file] = await p.eval_on_selector(
                                    part, COMPUTED_STYLES_JS)
                                continue
                            # The header's palette and language buttons, and the search
                            # box's placeholder (a CI run), are drawn a pixel apart now
                            # and then with the same computed styles: left out of both.
                            await p.add_style_tag(content=".md-header__option, .md-search"
                                                  "{visibility:hidden}")
                            await load_figures(p)
                            await p.evaluate("window.scrollTo(0, 0)")
                            # Scrolling changed the header's title and the navigation's
                            # passed links, with transitions: let them end.
                            await p.wait_for_timeout(1500)
                            shots[view, file] = await p.screenshot(
                                full_page=True, animations="disabled")
                        await context.close()
                finally:
                    await browser.close()
        finally:
            server.close()
        return shots

    try:
        shots = asyncio.run(run())
    finally:
        uncut.unlink()
    import io

    from PIL import Image, ImageChops, ImageFilter

    for view in views:
        scheme, width, *action = view
        label = f"{name}-{lang}-{scheme}-{width}" + (f"-{action[0].__name__}" if action else "")
        if action:
            cut_styles, uncut_styles = shots[view, "index.html"], shots[view, "uncut.html"]
            assert len(cut_styles) == len(uncut_styles) > 10, label
            differences = [
                f"{element} {prop}: {props.get(prop)!r} (cut) != {value!r}"
                for (element, props), (_, uncut_props) in zip(cut_styles, uncut_styles, strict=True)
                for prop, value in uncut_props.items() if props.get(prop) != value]
            assert not differences, f"{label}: " + "; ".join(differences[:10])
            continue
        a = Image.open(io.BytesIO(shots[view, "index.html"])).convert("RGB")
        b = Image.open(io.BytesIO(shots[view, "uncut.html"])).convert("RGB")
        assert a.size == b.size, f"{label}: page size {a.size} != {b.size}"
        # Chromium may blend a translucent colour (the "run this lesson" box's border in
        # dark mode) or anti-alias an icon's edge (the "edit this page" icon at 390 px, a
        # CI run) a few levels of 255 apart between two loads: differences of up to 8 in
        # a channel are invisible and not counted; a rule that goes missing changes a
        # colour, a size or a position, far more than that. Under load (a local run)
        # Chromium also drew a code block's edge one pixel row apart between two loads
        # (three rows of a 390 px page, white against the block's grey): a difference
        # only one pixel high or wide is an edge rounded, not a rule lost (the computed
        # styles of the opened parts are compared above), and is not counted either.
        red, green, blue = ImageChops.difference(a, b).split()
        largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
        mask = largest.point(lambda v: 255 if v > 8 else 0)
        box = mask.filter(ImageFilter.MinFilter(3)).getbbox()
        if box:
            a.save(OUT / f"cut-{label}.png")
            b.save(OUT / f"uncut-{label}.png")
        assert box is None, (f"{label}: the cut stylesheets draw the page differently in "
                             f"{box} (build/browser/cut-*, uncut-*)")


def test_cut_notebook_stylesheets_draw_the_same_page(built_site):
    """A notebook page with its stylesheets cut (lossbook._site.css) draws pixel for pixel
    what it draws with all of JupyterLab's, in light and dark mode and at a phone's width:
    the cut dropped only rules that could not apply. (One language: both cut the same
    stylesheets by the same classes.)"""
    from mkdocs_jupyter.nbconvert2 import nb2html

    from lossbook._site.css import STYLE_RE

    # The notebook with the most kinds of output (text, figures, tables).
    lang, page = "zh", Path("notebooks") / "custom_loss"
    built = built_site / page_path(lang, page) / "index.html"
    cut = built.read_text(encoding="utf-8")
    original = "".join(m[0] for m in STYLE_RE.finditer(
        nb2html(str(ROOT / "docs" / lang / "notebooks" / f"{page.name}.ipynb"))))
    assert len(original) > 10 * sum(len(m[0]) for m in STYLE_RE.finditer(cut)), (
        "the stylesheets were not cut")
    first = STYLE_RE.search(cut).start()
    whole = STYLE_RE.sub("", cut[:first]) + original + STYLE_RE.sub("", cut[first:])
    _draws_the_same(built_site, lang, page, whole, CUT_VIEWS, "notebook")


def test_cut_material_stylesheet_draws_the_same_pages(built_site):
    """Material's stylesheet, cut to the site's classes and its scripts' words
    (lossbook._site.css.purge_site_stylesheet), draws a lesson with tabs, admonitions,
    formulas, tables and figures pixel for pixel as Material's whole stylesheet does:
    light and dark, a phone's width; and the search results a script draws and the
    phone's navigation drawer get the same computed styles."""
    import re

    import material

    lang, page = "zh", Path("mse")
    built = built_site / page_path(lang, page) / "index.html"
    cut_page = built.read_text(encoding="utf-8")
    cut_name = re.search(r"assets/stylesheets/(main\.\w+\.cut\.css)", cut_page)[1]
    originals = list((Path(material.__file__).parent / "templates" / "assets"
                      / "stylesheets").glob("main.*.min.css"))
    assert len(originals) == 1, originals
    folder = built_site / "assets" / "stylesheets"
    cut_size = (folder / cut_name).stat().st_size
    assert cut_size < 0.8 * originals[0].stat().st_size, "Material's stylesheet was not cut"
    shutil.copy(originals[0], folder / "uncut.css")
    views = CUT_VIEWS + (("light", 1280, _open_search), ("dark", 1280, _open_search),
                         ("light", 390, _open_drawer))
    try:
        _draws_the_same(built_site, lang, page, cut_page.replace(cut_name, "uncut.css"),
                        views, "material")
    finally:
        (folder / "uncut.css").unlink()
