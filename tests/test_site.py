"""The built site: both languages, strict build, local assets only, math and figures done."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import LANGS, ROOT, TEST_REPOSITORY
from lossbook._site import notebooks

PAGES = sorted(p.relative_to(ROOT / "docs" / "zh") for p in (ROOT / "docs" / "zh").glob("*.md"))


def html_path(site: Path, lang: str, page: Path) -> Path:
    root = site if lang == "zh" else site / "en"
    stem = page.with_suffix("")
    return root / ("index.html" if stem.name == "index" else stem / "index.html")


def page_url(lang: str, page: Path) -> str:
    stem = page.with_suffix("")
    path = "" if stem.name == "index" else f"{stem}/"
    return f"http://site/{'en/' if lang == 'en' else ''}{path}"


class Elements(HTMLParser):
    """Collects the tags and attributes that load or link something."""

    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, dict(attrs)))


def elements(path: Path):
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.items


@pytest.fixture(scope="module")
def pages(built_site):
    return [(lang, page, html_path(built_site, lang, page)) for lang in LANGS for page in PAGES]


def test_every_page_exists_in_both_languages(built_site, pages):
    """Each lesson is built at the same path under / (zh) and /en/ (en)."""
    for lang, page, path in pages:
        assert path.exists(), f"{lang}/{page} was not built"
        html = path.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html


def test_language_switcher_goes_to_the_same_page(built_site, pages):
    """The selector's links lead to this page in each language."""
    for lang, page, path in pages:
        links = {a["hreflang"]: a["href"] for tag, a in elements(path)
                 if tag == "a" and "md-select__link" in a.get("class", "")}
        assert set(links) == set(LANGS), f"{lang}/{page}: selector has {links}"
        for other, href in links.items():
            resolved = urljoin(page_url(lang, page), href)
            assert resolved == page_url(other, page), f"{lang}/{page}: {other} -> {resolved}"


def test_no_asset_from_another_host(pages):
    """Scripts, styles, images and fonts all come from the site itself."""
    for lang, page, path in pages:
        for tag, attrs in elements(path):
            if tag in ("script", "img", "source", "iframe") and attrs.get("src"):
                url = attrs["src"]
            elif tag == "link" and attrs.get("rel") not in ("canonical", "alternate", "prev",
                                                           "next"):
                url = attrs.get("href", "")
            else:
                continue
            assert not urlparse(url).netloc and not url.startswith("//"), (
                f"{lang}/{page}: <{tag}> loads {url} from another host"
            )
        css = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in css and "fonts.gstatic.com" not in css


def test_math_is_mathml_with_no_tex_left(pages):
    """Every formula is MathML; no \\( \\[ $$ or raw command survives in the text."""
    for lang, page, path in pages:
        html = path.read_text(encoding="utf-8")
        text = re.sub(r"<(script|style|code|pre)[^>]*>.*?</\1>", "", html, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        for raw in ("\\(", "\\[", "$$", "\\frac", "\\sum"):
            assert raw not in text, f"{lang}/{page}: raw TeX {raw!r} left in the page"
        if (ROOT / "docs" / lang / page).read_text(encoding="utf-8").count("$") >= 2:
            assert "<math" in html, f"{lang}/{page}: math was not converted"


# A Material icon or emoji shortcode such as :material-notebook-outline: (only an emoji
# extension turns it into an icon; without one the reader sees the raw text).
SHORTCODE_RE = re.compile(r":[a-z0-9]+(?:[-_][a-z0-9]+)+:")


def visible_text(html: str) -> str:
    """A page's text as a reader sees it: no code, scripts, styles or tags."""
    html = re.sub(r"<(script|style|code|pre|svg)\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_icon_shortcode_reaches_the_page(built_site):
    """No `:name:` icon shortcode is left as text on any built page, notebooks included."""
    found = []
    for path in sorted(built_site.rglob("*.html")):
        for code in SHORTCODE_RE.findall(visible_text(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(built_site)}: {code}")
    assert not found, "icon shortcodes shown as text:\n" + "\n".join(found)


def test_lessons_link_their_notebooks_with_an_icon(pages):
    """The notebook links under each lesson's title carry the notebook icon, inlined."""
    for lang, page, path in pages:
        if page not in LESSONS:
            continue
        html = path.read_text(encoding="utf-8")
        links = re.search(r'<p class="lossbook-notebooks">(.*?)</p>', html, re.S)
        assert links, f"{lang}/{page}: no notebook links"
        assert '<span class="twemoji"><svg' in links[1], f"{lang}/{page}: no notebook icon"


# Inline math cannot wrap: a long \text{...} in it makes a line wider than a phone.
TEXT_IN_MATH_RE = re.compile(r"\\text\{([^}]*)\}")
INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
MAX_TEXT_IN_INLINE_MATH = 20  # columns; a CJK character takes two


def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_inline_math_has_no_long_text():
    """No inline formula in docs/ carries a \\text{...} longer than a few words: say it in
    prose and give the formula a short symbol."""
    long = []
    for path in sorted((ROOT / "docs").glob("*/*.md")):
        body = re.sub(r"^(```|~~~).*?^\1", "", path.read_text(encoding="utf-8"),
                      flags=re.S | re.M)
        body = re.sub(r"`[^`\n]*`", "", body)  # inline code
        body = re.sub(r"\$\$.*?\$\$", "", body, flags=re.S)  # display math may scroll
        for line in body.splitlines():
            for formula in INLINE_MATH_RE.findall(line):
                for text in TEXT_IN_MATH_RE.findall(formula):
                    if _columns(text) > MAX_TEXT_IN_INLINE_MATH:
                        long.append(f"{path.relative_to(ROOT)}: ${formula}$")
    assert not long, "long \\text{} in inline math:\n" + "\n".join(long)


def test_figures_exist_with_alt_text_and_labels_in_the_language(built_site, pages):
    """Every image resolves to a built SVG, has alt text, and carries its language's labels."""
    label = {"zh": "训练步数", "en": "training step"}
    for lang, page, path in pages:
        for tag, attrs in elements(path):
            if tag != "img" or "figures/" not in attrs.get("src", ""):
                continue
            assert attrs.get("alt", "").strip(), f"{lang}/{page}: {attrs['src']} has no alt text"
            target = (path.parent / attrs["src"]).resolve()
            assert target.exists(), f"{lang}/{page}: {attrs['src']} missing"
            svg = target.read_text(encoding="utf-8")
            assert svg.lstrip().startswith(("<?xml", "<svg"))
            if "mse_yogurt/figure" in attrs["src"]:
                assert label[lang] in svg, f"{lang}/{page}: figure labels not in {lang}"


def test_quoted_numbers_and_outputs_come_from_the_runs(built_site):
    """The lesson's quoted final weights equal the recorded run, and fit_linear matched it."""
    values = json.loads((ROOT / "build/run/mse_yogurt/values.json").read_text())
    assert values["fit_diff"] <= 1e-5
    w = values["w_gd"]
    for lang in LANGS:
        html = html_path(built_site, lang, Path("mse.md")).read_text(encoding="utf-8")
        assert f"[{w[0][0]:.4f}, {w[1][0]:.4f}]" in html
        recorded = (ROOT / "build/run/mse_yogurt/train.txt").read_text().splitlines()[-1]
        assert recorded.replace(" ", "") in re.sub(r"<[^>]+>|\s", "", html)


def test_search_index_segments_chinese(built_site):
    """jieba cut the Chinese text into words, so 均方误差 is found as a term."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] + doc["title"] for doc in index["docs"])
    assert "\u200b" in text and "均方误差" in text


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_is_written_as_utf8(built_site, lang):
    """The index every page loads spells characters out, not as 6-byte \\uXXXX escapes."""
    site = built_site / "en" if lang == "en" else built_site
    raw = (site / "search" / "search_index.json").read_bytes()
    assert b"\\u" not in raw.replace(b"\\\\u", b"")
    assert json.loads(raw)["docs"]


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_holds_prose_not_code(built_site, lang):
    """Code blocks, their outputs and the "Run this lesson" box are left out of the index
    every page loads; the prose, with its inline code, is in it; the marks that told the
    search plugin so are gone from the pages."""
    site = built_site / "en" if lang == "en" else built_site
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "<pre>" not in text and "after step" not in text and "--extra-index-url" not in text
    assert "<code>fit_linear</code>" in text.replace("\u200b", "")
    page = (site / "mse" / "index.html").read_text(encoding="utf-8")
    assert "data-search-exclude" not in page and 'class="lossbook-run"' in page


def test_site_meta_override_tracks_material():
    """docs/overrides/main.html is Material's site_meta block minus the alternate links."""
    import material

    base = (Path(material.__file__).parent / "templates" / "base.html").read_text()
    start = base.index("{% block site_meta %}")
    block = base[start: base.index("{% endblock %}", start)]
    block = re.sub(r"\n\s*\{% if config\.extra\.alternate is iterable %\}.*?\{% endif %\}",
                   "", block, count=1, flags=re.S)
    ours = (ROOT / "docs" / "overrides" / "main.html").read_text()
    start = ours.index("{% block site_meta %}")
    ours = ours[start: ours.index("{% endblock %}", start)]
    assert ours.split() == block.split(), (
        "Material's site_meta block changed: update docs/overrides/main.html to match it"
    )


def test_head_has_no_alternate_links(pages):
    """No <link rel=alternate>: Material's script would reroute the switcher to a home page."""
    for lang, page, path in pages:
        links = [a for tag, a in elements(path) if tag == "link" and a.get("rel") == "alternate"]
        assert not links, f"{lang}/{page}: {links}"


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def test_no_broken_internal_link_or_anchor(built_site):
    """Every internal link of every built page leads to a file, and its #anchor exists."""
    parsed = {}

    def parse(path):
        if path not in parsed:
            parser = Ids()
            parser.feed(path.read_text(encoding="utf-8"))
            parsed[path] = parser
        return parsed[path]

    broken = []
    for path in sorted(built_site.rglob("*.html")):
        if path.name == "404.html":
            continue  # served at any depth: its links are absolute from the site root
        for href in parse(path).links:
            url = urlparse(href)
            if url.scheme or url.netloc or href.startswith("mailto:"):
                continue
            target = (path.parent / url.path).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(built_site)}: {href}")
                continue
            if url.fragment and target.suffix == ".html":
                if url.fragment not in parse(target).ids:
                    broken.append(f"{path.relative_to(built_site)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_every_lesson_states_its_versions_and_run_date(pages):
    """Pages that show outputs say which TensorFlow, Keras and Python made them, and when."""
    import platform

    import keras
    import tensorflow as tf

    for lang, page, path in pages:
        if ".py" not in (ROOT / "docs" / lang / page).read_text(encoding="utf-8"):
            continue  # shows no snippet output (the Performance page shows bench results)
        stamps = [a for tag, a in elements(path) if tag == "p" and
                  "lossbook-stamp" in a.get("class", "")]
        html = path.read_text(encoding="utf-8")
        assert len(stamps) == 1, f"{lang}/{page}: {len(stamps)} version stamps"
        for version in (tf.__version__, keras.__version__, platform.python_version()):
            assert version in html, f"{lang}/{page}: {version} missing from the stamp"


def test_edit_links_lead_to_the_page_source(pages):
    """"Edit this page" opens the page's own Markdown file in its language folder."""
    for lang, page, path in pages:
        edits = [a["href"] for tag, a in elements(path) if tag == "a" and a.get("rel") == "edit"]
        expected = f"https://github.com/{TEST_REPOSITORY}/edit/main/docs/{lang}/{page}"
        assert edits == [expected], f"{lang}/{page}: {edits}"


LESSONS = [page for page in PAGES if page.name != "index.md"
           and "```python" in (ROOT / "docs" / "zh" / page).read_text(encoding="utf-8")]


def _notebook(lang, page):
    import nbformat

    return nbformat.read(ROOT / "docs" / lang / "notebooks" / f"{page.stem}.ipynb",
                         as_version=4)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", LESSONS, ids=str)
def test_every_lesson_has_a_rendered_executed_notebook(built_site, lang, page):
    """The notebook page renders as a notebook, and the .ipynb and .py can be downloaded."""
    root = built_site if lang == "zh" else built_site / "en"
    rendered = root / "notebooks" / page.stem / "index.html"
    assert rendered.exists(), f"{lang}: no notebook page for {page}"
    html = rendered.read_text(encoding="utf-8")
    for marker in ("jp-Notebook", "jp-CodeCell", "jp-OutputArea-output"):
        assert marker in html, f"{lang}/{page}: notebook page lacks {marker}"
    text = re.sub(r"<(script|style|code|pre)[^>]*>.*?</\1>|<[^>]+>", "", html, flags=re.S)
    assert "$$" not in text and "\\frac" not in text, f"{lang}/{page}: raw TeX"
    assert (root / "notebooks" / "download" / f"{page.stem}.ipynb").exists()
    script = root / "notebooks" / f"{page.stem}.py"
    compile(script.read_text(encoding="utf-8"), str(script), "exec")
    nb = _notebook(lang, page)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if notebooks.INSTALL_MARK not in cell.source:  # the install cell is never run here
            assert cell.execution_count, f"{lang}/{page}: a code cell was not run"
        for output in cell.outputs:
            assert output.output_type != "error", f"{lang}/{page}: {output.get('ename')}"
            assert output.get("name") != "stderr", f"{lang}/{page}: {output['text'][:200]}"


@pytest.mark.parametrize("page", LESSONS, ids=str)
def test_notebooks_match_their_pages_in_both_languages(page, built_site):
    """zh and en notebooks hold the same code and figures, and the code is the page's."""
    from lossbook._site.comments import strip_comments

    cells = {}
    for lang in LANGS:
        nb = _notebook(lang, page)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        figures = [o["data"]["image/png"] for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if "image/png" in o.get("data", {})]
        cells[lang] = (code, figures)
        page_code = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
        shown = len(re.findall(r"^\s*```python\s*$", page_code, re.M))
        setup = [c for c in code if "set_language(" in c or notebooks.INSTALL_MARK in c]
        assert len(code) - len(setup) == shown, (
            f"{lang}/{page}: {len(code) - len(setup)} code cells for {shown} code blocks"
        )
    zh_code, zh_figures = cells["zh"]
    en_code, en_figures = cells["en"]
    # The same code; only the comments (and the set-up cells' messages) are in each
    # notebook's language.
    def lesson(code):
        return [strip_comments(c) for c in code
                if "set_language" not in c and notebooks.INSTALL_MARK not in c]

    assert lesson(zh_code) == lesson(en_code)
    assert len(zh_figures) == len(en_figures)
    # One run serves both languages; each figure is drawn again in English, so no figure
    # of the English notebook is the Chinese one.
    assert not set(zh_figures) & set(en_figures), f"{page}: en notebook shows zh figures"
    page_figures = len(re.findall(r"!\[", (ROOT / "docs/zh" / page).read_text()))
    assert len(zh_figures) == page_figures, (
        f"{page}: {len(zh_figures)} figures, {page_figures} on the page")
