"""Each lesson as a Jupyter notebook and a plain .py script, made from the page itself.

The page's prose becomes markdown cells and its code blocks (snippet sections, expanded
exactly as the build expands them) become code cells, in page order: nothing is kept by
hand. The script is Jupytext's percent format (``# %%`` cells), so it runs with
``python lesson.py`` and opens as a notebook in Jupyter and VS Code.

Every code block of a lesson is one snippet section, which the build has already run
(``runner.py``): the ``.ipynb`` gets, under each cell, what that section printed and the
figures it drew (in the notebook's language), from that run; nothing runs a second time.
That the lesson, run top to bottom as one program, prints exactly these outputs is
checked by the reader's-path test (``tests/test_reader.py``), which runs each lesson's
downloaded ``.py`` in a fresh environment and compares.
"""

from __future__ import annotations

import re
from pathlib import Path

from lossbook._site.build import WIDGET_RE

HEADING_ATTR_RE = re.compile(r"\s*\{[^}\n]*#[-\w]+[^}\n]*\}\s*$")
CONTAINER_RE = re.compile(r'^(?:===|!!!|\?\?\?\+?)\s*(?:[\w-]+\s*)?(?:"(?P<title>[^"]*)")?\s*$')
IMAGE_RE = re.compile(r"^!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?\s*$")
LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^)\s]*\.md(?:#[^)\s]*)?|#[^)\s]*)\)")
FENCE_RE = re.compile(r"^(`{3,})\s*(?P<info>.*)$")
OUTPUT_TITLES = ("运行结果", "Output")
INTRO = {
    "zh": "# {title} · 笔记本\n\n本笔记本由 Lossbook 的课程页面自动生成，代码与网站上的"
          "完全相同。下面第一个代码单元会在缺少 `lossbook` 时先安装它。",
    "en": "# {title} · notebook\n\nThis notebook is generated from the Lossbook lesson "
          "page; its code is exactly the code on the site. Its first code cell installs "
          "`lossbook` if it is missing.",
}


def flatten(markdown: str) -> list[str]:
    """Unwraps MkDocs containers (tabs, admonitions) into plain lines with a bold title."""
    out, inside = [], False
    for line in markdown.splitlines():
        match = CONTAINER_RE.match(line)
        if match:
            out.append(f"**{match['title']}**" if match["title"] else "")
            out.append("")
            inside = True
            continue
        if inside and line.strip() and not line.startswith("    "):
            inside = False
        out.append(line[4:] if inside and line.startswith("    ") else line)
    return out


INCLUDE_RE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<snippet>[^":]+)\.py:(?P<section>[-\w]+)"\s*$')


def page_cells(markdown: str, expand, sources: list | None = None) -> list[tuple[str, str]]:
    """``[("markdown" | "code", text)]`` for a lesson page, in order; ``sources`` (if
    given) gets, for each code cell, the ``(snippet, section)`` it includes, or None."""
    cells, prose, lines = [], [], iter(flatten(markdown))

    def flush():
        text = "\n".join(prose).strip()
        if text:
            cells.append(("markdown", text))
        prose.clear()

    for line in lines:
        fence = FENCE_RE.match(line)
        if fence:
            body = []
            for inner in lines:
                if inner.startswith(fence.group(1)) and not inner.strip("`").strip():
                    break
                body.append(inner)
            info = fence["info"].strip()
            if info.split(" ")[0] in ("python", "py"):
                flush()
                cells.append(("code", expand("\n".join(body)).strip("\n")))
                if sources is not None:
                    code = [text for text in body if text.strip()]
                    match = INCLUDE_RE.match(code[0]) if len(code) == 1 else None
                    sources.append((match["snippet"], match["section"]) if match else None)
            elif not any(title in info for title in OUTPUT_TITLES):
                prose.extend([line, *body, fence.group(1)])
            continue  # outputs come from running the code cells
        if IMAGE_RE.match(line):
            continue  # figures come from running the code cells
        if line.startswith("!["):  # e.g. "]" inside the alt text: it would stay as text
            raise ValueError(f"an image line the notebook cannot recognise: {line[:80]}")
        if WIDGET_RE.match(line):
            continue  # explorable figures live on the site (build.insert_widgets)
        if line.startswith("#"):
            line = HEADING_ATTR_RE.sub("", line)
        prose.append(LINK_RE.sub(r"\1", line))
    flush()
    return cells


# The comments of the cells the notebooks add, in each language.
SETUP_COMMENTS = {
    "zh": {"figures": "图中的文字用本笔记本的语言。",
           "install": "没有 lossbook 时，从本站安装（本地、Colab 都一样）。",
           "missing": "没有安装 lossbook：请运行课程页“运行本课”里的 pip 命令"},
    "en": {"figures": "Figure labels in this notebook's language.",
           "install": "Without lossbook, install it from the site (locally or in Colab).",
           "missing": "lossbook is not installed: run the pip command in the lesson "
                      "page's 'Run this lesson' box"},
}


def percent_script(cells, lang: str) -> str:
    """The cells as a Jupytext percent-format script that also runs with plain Python."""
    title = ""
    if cells and cells[0][0] == "markdown" and cells[0][1].startswith("# "):
        first, _, rest = cells[0][1].partition("\n")
        title = first[2:].strip()
        cells = ([("markdown", rest.strip())] if rest.strip() else []) + list(cells[1:])
    intro = "\n".join(f"# {line}".rstrip() for line in INTRO[lang].format(title=title)
                      .splitlines())
    parts = [f"# %% [markdown]\n{intro}\n"]
    parts.append(
        f"# %%\n# {SETUP_COMMENTS[lang]['figures']}\n"
        f'import lossbook.plotting\n\nlossbook.plotting.set_language("{lang}")\n'
    )
    for kind, text in cells:
        if kind == "markdown":
            commented = "\n".join(f"# {line}".rstrip() for line in text.splitlines())
            parts.append(f"# %% [markdown]\n{commented}\n")
        else:
            parts.append(f"# %%\n{text}\n")
    return "\n".join(parts)


INSTALL_MARK = 'importlib.util.find_spec("lossbook") is None'


def install_cell(lang: str, site_url: str | None) -> str:
    """The first code cell of every notebook and script: installs lossbook from the site's
    own index (wheel.py) when it is missing; where the build does not know the site's
    address (no site_url), it says how to install instead."""
    from lossbook._site.build import RUN_EXTRAS

    text = SETUP_COMMENTS[lang]
    head = f"# %%\n# {text['install']}\nimport importlib.util\nimport subprocess\nimport sys\n\n"
    if not site_url:
        return head + f"if {INSTALL_MARK}:\n    raise ModuleNotFoundError({text['missing']!r})\n"
    index = site_url.rstrip("/") + "/simple/"
    return (head + f"if {INSTALL_MARK}:\n"
            f'    pip = [sys.executable, "-m", "pip", "install", "--extra-index-url", {index!r}]\n'
            f'    subprocess.run([*pip, "lossbook[{RUN_EXTRAS}]"], check=True)\n')


def replay(script: str, lang: str, sources: list, runs_dir: Path):
    """The notebook of a lesson script, each code cell with the outputs its snippet
    section printed and drew (in ``lang``) when the build ran it (``runs_dir``)."""
    import base64

    import jupytext
    import nbformat

    nb = jupytext.reads(script, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    # The first code cell sets the figures' language; each of the others is a block.
    if len(code) != len(sources) + 1:
        raise ValueError(f"{len(code) - 1} code cells for {len(sources)} blocks")
    for count, (cell, source) in enumerate(zip(code, [None, *sources], strict=True), start=1):
        cell.execution_count, cell.outputs = count, []
        if count == 1:
            continue
        if source is None:
            raise ValueError(f"code cell {count} is not one snippet section: a lesson's "
                             "blocks are each a single --8<-- include")
        snippet, section = source
        printed = (runs_dir / snippet / f"{section}.txt").read_text(encoding="utf-8")
        if printed:
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=printed))
        figures = [runs_dir / snippet / f"{section}.{lang}.png"]
        if not figures[0].exists():
            figures = sorted(runs_dir.joinpath(snippet).glob(f"{section}-*.{lang}.png"),
                             key=lambda f: int(f.name.rsplit("-", 1)[1].split(".")[0]))
        for png in figures:
            cell.outputs.append(nbformat.v4.new_output(
                "display_data", data={"image/png": base64.b64encode(png.read_bytes()).decode(),
                                      "text/plain": "<Figure>"}))
    return nb


def lesson_pages(docs_dir: Path) -> list[Path]:
    """The lessons of one language: every page with code, but the home page."""
    return sorted(p for p in docs_dir.glob("*.md") if p.name != "index.md"
                  and re.search(r"^\s*```python\s*$", p.read_text(encoding="utf-8"), re.M))


def lesson_script(page: Path, lang: str, expand, values_dir: Path,
                  sources: list | None = None) -> str:
    """The percent script a lesson page becomes, before the install cell
    (``with_install_cell``), which depends on the site's address."""
    from lossbook._site.build import substitute_values

    text = substitute_values(page.read_text(encoding="utf-8"), values_dir,
                             where=f"{lang}/{page.name}")
    return percent_script(page_cells(text, expand, sources), lang)


def ensure_notebooks(docs_dirs: dict, expand, runs_dir: Path,
                     site_url: str | None = None) -> None:
    """For each ``{lang: docs_dir}`` (includes expanded by ``expand``, or by
    ``expand[lang]``, with that language's comments), writes
    ``notebooks/<lesson>.ipynb`` (rendered as a page), the same notebook for download in
    ``notebooks/download/`` and ``notebooks/<lesson>.py``, with the outputs of the build's
    runs (``runs_dir``, which also holds the values the prose quotes)."""
    import nbformat

    for lang, docs_dir in docs_dirs.items():
        expander = expand[lang] if isinstance(expand, dict) else expand
        out = docs_dir / "notebooks"
        (out / "download").mkdir(parents=True, exist_ok=True)
        pages = lesson_pages(docs_dir)
        current = {page.stem for page in pages}
        for old in [*out.glob("*.ipynb"), *out.glob("*.py"), *out.glob("download/*.ipynb")]:
            if old.stem not in current:  # a lesson that was renamed or lost its code
                old.unlink()
        for page in pages:
            sources: list = []
            script = lesson_script(page, lang, expander, runs_dir, sources)
            notebook = nbformat.writes(replay(script, lang, sources, runs_dir))
            script, notebook = with_install_cell(script, notebook, lang, site_url)
            for text, dest in ((notebook, out / f"{page.stem}.ipynb"),
                               (notebook, out / "download" / f"{page.stem}.ipynb"),
                               (script, out / f"{page.stem}.py")):
                if not dest.exists() or dest.read_text(encoding="utf-8") != text:
                    dest.write_text(text, encoding="utf-8")


def with_install_cell(script: str, notebook: str, lang: str, site_url: str | None):
    """Inserts the install cell after the introduction, in script and notebook."""
    import nbformat

    cell = install_cell(lang, site_url)
    first, sep, rest = script.partition("\n# %%\n")
    script = first + "\n" + cell + "\n" + sep.lstrip("\n") + rest
    nb = nbformat.reads(notebook, as_version=4)
    source = cell.split("\n", 1)[1].rstrip("\n")
    nb.cells.insert(1, nbformat.v4.new_code_cell(source))
    for c in nb.cells:
        c.pop("id", None)
    nb.nbformat_minor = 4
    return script, nbformat.writes(nb)
