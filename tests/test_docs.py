"""Project-wide checks of the lessons: every code block runs, both languages match.

- Every python fence in docs/zh and docs/en runs, with its ``--8<--`` includes expanded by
  pymdownx.snippets configured exactly as mkdocs.yml configures the build: a lesson's
  blocks are snippet sections the build runs, and its notebook shows those runs; the
  lesson as one program is run by test_reader.py, as a reader runs it.
- A meta-test counts the python fences independently, so a fence that the runner would
  not see (a ``~~~`` fence, a skip mark) fails the suite.
- Every file in snippets/ runs as a script (the build runs each in a fresh process).
- Output blocks are includes of the build's recorded output, never typed text.
- zh/en parity: the same pages, includes, anchors, figures and quoted values.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import linecache
import re
from pathlib import Path

import pytest
from mkdocs.config import load_config
from pytest_codeblocks import extract_from_file

from conftest import LANGS, ROOT, nav_files

PAGES = sorted(p.relative_to(ROOT / "docs" / "zh") for p in (ROOT / "docs" / "zh").rglob("*.md"))
ALL_PAGES = [ROOT / "docs" / lang / page for lang in LANGS for page in PAGES]
SNIPPETS = sorted((ROOT / "snippets").glob("*.py"))
PYTHON_LANGS = {"python", "py", "python3", "pycon", "ipython"}
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
INCLUDE_RE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<target>[^"]+)"\s*$', re.MULTILINE)
ANCHOR_RE = re.compile(r"\{[^}\n]*#(?P<id>[-\w]+)[^}\n]*\}")
VALUE_RE = re.compile(r"\{\{\s*[^}]+\}\}")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)\)")


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "docs"))


def fence_language(info: str) -> str:
    return info.strip().split(" ")[0].split("{")[0].strip(".").lower() if info.strip() else ""


@pytest.fixture(scope="module")
def expanders():
    """Per language, expands ``--8<--`` lines with the build's own pymdownx.snippets
    settings and that language's comments, as the build does."""
    from lossbook._site import comments
    from lossbook._site.build import snippet_expander

    config = load_config(str(ROOT / "mkdocs.yml"))
    plain = snippet_expander(config["mdx_configs"]["pymdownx.snippets"])
    return {lang: comments.expander(plain, ROOT / "snippets", lang) for lang in LANGS}


def python_blocks(path: Path):
    """The python fences of a page, as pytest-codeblocks extracts them."""
    return [b for b in extract_from_file(path) if fence_language(b.syntax or "") in PYTHON_LANGS]


_RESULTS: dict = {}


def _run_in_process(page, sources):
    """Runs a page's blocks in order in one namespace, here (for a page without a notebook)."""
    import matplotlib.pyplot as plt

    from lossbook._site.comments import strip_comments

    code = "\0".join(strip_comments(source) for source in sources)
    key = hashlib.sha256(code.encode()).hexdigest()
    if key not in _RESULTS:  # zh and en show the same code (comments aside): run it once
        namespace = {"__name__": "__lossbook_docs__"}
        try:
            for number, source in enumerate(sources, start=1):
                filename = f"{page_id(page)}:block{number}"
                # AutoGraph reads a tf.function's source through linecache, as it would
                # from a file or a notebook cell.
                linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
            _RESULTS[key] = None
        except Exception as err:  # noqa: BLE001 - reported below, with the page
            _RESULTS[key] = err
        finally:
            plt.close("all")
    if _RESULTS[key] is not None:
        raise AssertionError(f"{page_id(page)}: a code block failed") from _RESULTS[key]


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_id)
def test_every_python_block_runs(page, expanders, built_site):
    """The page's python blocks, includes expanded, run.

    Each block of a lesson is one snippet section, which the build ran (a failing
    snippet fails the build, with its traceback); the lesson run top to bottom as one
    program, from its downloaded .py in a fresh environment, is test_reader.py. Here: the
    published notebook holds exactly these blocks, in this order, each with what its
    section printed in that run. A page without a notebook runs its blocks in this
    process, in order, in one namespace.
    """
    from lossbook._site import notebooks

    lang = page.parent.name
    expander = expanders[lang]
    blocks = python_blocks(page)
    sources = [expander(block.code) for block in blocks]
    for source in sources:
        assert "--8<--" not in source, f"{page_id(page)}: include not expanded"
    if page not in notebooks.lesson_pages(page.parent):
        _run_in_process(page, sources)
        return
    nb = json.loads((page.parent / "notebooks" / f"{page.stem}.ipynb").read_text(
        encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # The install cell, the figures' language, then the page's blocks.
    assert notebooks.INSTALL_MARK in "".join(code[0]["source"])
    assert "set_language" in "".join(code[1]["source"])
    cells = ["".join(c["source"]) for c in code[2:]]
    assert cells == [source.strip("\n") for source in sources], (
        f"{page_id(page)}: the notebook's cells are not the page's blocks"
    )
    for block, cell in zip(blocks, code[2:], strict=True):
        snippet, section = INCLUDE_RE.match(block.code.strip()).group("target").split(":")
        recorded = (ROOT / "build" / "run" / snippet.removesuffix(".py")
                    / f"{section}.txt").read_text(encoding="utf-8")
        printed = "".join("".join(o["text"]) for o in cell["outputs"]
                          if o["output_type"] == "stream")
        assert printed == recorded, f"{page_id(page)}: {snippet}:{section} shows another run"


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_id)
def test_no_python_fence_escapes_the_runner(page):
    """Every python fence is collected and none is skipped: titles or marks cannot hide one."""
    text = page.read_text(encoding="utf-8")
    opened, inside = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE_RE.match(line)
        if not match:
            continue
        if inside is None:
            inside = match["fence"]
            if fence_language(match["info"]) in PYTHON_LANGS:
                opened.append((number, match["fence"][0]))
        elif match["fence"][0] == inside[0] and len(match["fence"]) >= len(inside) \
                and not match["info"].strip():
            inside = None
    assert inside is None, f"{page_id(page)}: a fence is never closed"
    tildes = [n for n, kind in opened if kind == "~"]
    assert not tildes, f"{page_id(page)}: lines {tildes}: use ``` fences, ~~~ ones are not run"
    blocks = python_blocks(page)
    assert [b.lineno for b in blocks] == [n for n, _ in opened], (
        f"{page_id(page)}: python fences at lines {[n for n, _ in opened]}, "
        f"but the runner collects {[b.lineno for b in blocks]}"
    )
    marked = [b.lineno for b in blocks if b.marks or b.importorskip]
    assert not marked, f"{page_id(page)}: python blocks at lines {marked} are marked to skip"
    assert "pytest-codeblocks:" not in text, f"{page_id(page)}: pytest-codeblocks directives"


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_id)
def test_outputs_are_recorded_not_typed(page):
    """Every output block is a single include of a recorded run, never typed-in text."""
    titles = ("运行结果", "Output")
    for block in extract_from_file(page):
        syntax = block.syntax or ""
        if any(title in syntax for title in titles):
            lines = [line for line in block.code.splitlines() if line.strip()]
            assert len(lines) == 1 and INCLUDE_RE.match(lines[0]), (
                f"{page_id(page)}:{block.lineno}: an output block must be exactly one "
                f'--8<-- "<snippet>/<section>.txt" line, got:\n{block.code}'
            )
            assert lines[0].strip().split('"')[1].endswith(".txt")


def _structure(text: str):
    return {
        # A per-language include (bench/results.zh.md, .en.md) counts as the same one.
        "includes": [re.sub(r"\.(zh|en)\.md$", ".md", t) for t in INCLUDE_RE.findall(text)],
        "anchors": ANCHOR_RE.findall(text),
        "values": [re.sub(r"\s", "", v) for v in VALUE_RE.findall(text)],
        "images": IMAGE_RE.findall(text),
        "headings": [len(m) for m in re.findall(r"^(#+) ", text, re.MULTILINE)],
        "fences": [fence_language(m[1]) for m in re.findall(r"^\s*(`{3,})([^\n`]*)$", text,
                                                             re.MULTILINE) if m[1].strip()],
    }


def test_both_languages_have_the_same_pages():
    """docs/zh and docs/en hold the same file names, and both navs list them in one order."""
    zh = sorted(p.relative_to(ROOT / "docs" / "zh") for p in (ROOT / "docs/zh").rglob("*"))
    en = sorted(p.relative_to(ROOT / "docs" / "en") for p in (ROOT / "docs/en").rglob("*"))
    assert zh == en
    navs = []
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        nav = load_config(str(ROOT / name))["nav"]
        navs.append(list(nav_files(nav)))
    assert navs[0] == navs[1]
    assert sorted(navs[0]) == sorted(str(p) for p in PAGES)


def test_the_nav_groups_the_book():
    """Home, then Regression, Classification, In practice and Appendix, the same in both
    languages; the maintainer's Performance report and the Glossary are in the Appendix."""
    groups = []
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        nav = load_config(str(ROOT / name))["nav"]
        groups.append([
            (title, [next(iter(page.values())) for page in value])
            if isinstance(value, list) else value
            for title, value in (next(iter(item.items())) for item in nav)
        ])
    zh, en = groups
    assert [g[1] if isinstance(g, tuple) else g for g in zh] == [
        g[1] if isinstance(g, tuple) else g for g in en
    ]
    assert [g[0] for g in en if isinstance(g, tuple)] == [
        "Regression", "Classification", "In practice", "Appendix",
    ]
    assert [g[0] for g in zh if isinstance(g, tuple)] == ["回归", "分类", "实践", "附录"]
    assert dict(g for g in en if isinstance(g, tuple))["Appendix"] == [
        "performance.md", "glossary.md",
    ]



@pytest.mark.parametrize("page", PAGES, ids=str)
def test_both_languages_show_the_same_things(page):
    """Same includes, anchors, quoted values, figures, heading levels and fences, in order."""
    zh = _structure((ROOT / "docs" / "zh" / page).read_text(encoding="utf-8"))
    en = _structure((ROOT / "docs" / "en" / page).read_text(encoding="utf-8"))
    for key in zh:
        assert zh[key] == en[key], f"{page}: {key} differ between zh and en"


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_id)
def test_every_heading_has_an_english_anchor(page):
    """Headings carry explicit ASCII anchors, the same in both languages."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if re.match(r"^#{1,6} ", line):
            assert re.search(r"\{ #[a-z0-9-]+ \}$", line), f"{page_id(page)}: {line!r}"


def test_every_snippet_section_is_shown():
    """Each section of each snippet is included by the pages (no dead, untested sections)."""
    from lossbook._site.runner import split_sections

    included = set()
    for page in ALL_PAGES:
        included.update(INCLUDE_RE.findall(page.read_text(encoding="utf-8")))
    for snippet in SNIPPETS:
        for name, _ in split_sections(snippet.read_text(encoding="utf-8")):
            if name:
                assert f"{snippet.name}:{name}" in included, f"{snippet.name}:{name} is not shown"


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda p: p.name)
def test_every_snippet_runs_as_a_script(snippet, built_site):
    """``python snippets/<name>.py`` exits 0 and prints.

    The build runs each snippet as a script, in a fresh process of its own, for the
    outputs the pages show; a failure fails the build. Here: the recorded run is of the
    snippet as it is now, with src/ and the packages as they are now, and printed.
    """
    from lossbook._site import build

    record = ROOT / "build" / "run" / snippet.stem
    assert (record / build.KEY_FILE).read_text() == build.cache_key(
        snippet, ROOT / "src" / "lossbook"), f"{snippet.name}: no run of it as it is now"
    meta = json.loads((record / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "__main__", f"{snippet.name} did not run as a script"
    printed = "".join(p.read_text(encoding="utf-8") for p in record.glob("*.txt"))
    assert printed.strip(), f"{snippet.name} printed nothing"


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda p: p.name)
def test_every_snippet_has_a_header(snippet):
    """Each snippet starts with a docstring naming its lesson."""
    text = snippet.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{snippet.name}: start with a docstring"
    assert re.search(r"Lesson: \S+\.md", text.split('"""')[1]), f"{snippet.name}: name the lesson"
