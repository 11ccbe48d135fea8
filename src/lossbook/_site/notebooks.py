"""Each lesson as a Jupyter notebook and a plain .py script, made from the page itself.

The page's prose becomes markdown cells and its code blocks (snippet sections, expanded
exactly as the build expands them) become code cells, in page order: nothing is kept by
hand. The script is Jupytext's percent format (``# %%`` cells), so it runs with
``python lesson.py`` and opens as a notebook in Jupyter and VS Code; the ``.ipynb`` is
made from it and executed with a real kernel, so its outputs and figures are a real run.
TensorFlow's C++ start-up log lines, which a kernel prints to stderr, are dropped from
the outputs; anything else a cell prints stays.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HEADING_ATTR_RE = re.compile(r"\s*\{[^}\n]*#[-\w]+[^}\n]*\}\s*$")
CONTAINER_RE = re.compile(r'^(?:===|!!!|\?\?\?\+?)\s*(?:[\w-]+\s*)?(?:"(?P<title>[^"]*)")?\s*$')
IMAGE_RE = re.compile(r"^!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?\s*$")
LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^)\s]*\.md(?:#[^)\s]*)?|#[^)\s]*)\)")
FENCE_RE = re.compile(r"^(`{3,})\s*(?P<info>.*)$")
# Bump to re-execute every cached notebook when how they are executed changes.
EXECUTION_VERSION = "2"
OUTPUT_TITLES = ("运行结果", "Output")
TF_LOG_RE = re.compile(
    r"^(WARNING: All log messages before absl|[IWEF]\d{4} \d\d:\d\d:\d\d|"
    r"To enable the following instructions|.*oneDNN custom operations|\s*$)"
)
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


def page_cells(markdown: str, expand) -> list[tuple[str, str]]:
    """``[("markdown" | "code", text)]`` for a lesson page, in order."""
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
            elif not any(title in info for title in OUTPUT_TITLES):
                prose.extend([line, *body, fence.group(1)])
            continue  # outputs come from running the code cells
        if IMAGE_RE.match(line):
            continue  # figures come from running the code cells
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


def is_tensorflow_log(output) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr" and all(
        TF_LOG_RE.match(line) for line in output.get("text", "").splitlines()
    )


def _code_cells(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def figures_after_cell(directory: str, index: int, langs) -> None:
    """Runs in the kernel, after each cell: draws each figure the cell made with
    ``lossbook.plotting`` again in each of ``langs``, from the same call and data, as PNG
    made the way the inline backend makes it, into ``<index>-<k>.<lang>.png``."""
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    from lossbook import plotting

    made, plotting._recording = plotting._recording or [], []
    for k, (plot, args, kwargs) in enumerate(made):
        for lang in langs:
            with plotting.language(lang):
                fig = plot(*args, **kwargs)
            data = print_figure(fig, "png", bbox_inches="tight", base64=False)
            Path(directory, f"{index}-{k}.{lang}.png").write_bytes(data)
            plt.close(fig)
    plotting._recording = []


def execute_script(script: Path, twins: dict | None = None, timeout: int = 900) -> None:
    """Executes a percent script with a real kernel into ``<script>.ipynb``.

    ``twins`` (``{lang: script}``) are the same lesson in other languages: the same code
    cells (their comments aside), other prose and another figure language. They are not
    executed again: each gets this run's outputs, with every figure drawn again in its
    language from the same call and data (``figures_after_cell``). A twin whose code
    differs runs on its own.
    """
    import base64
    import copy
    import tempfile

    import jupytext
    import nbformat
    from nbclient import NotebookClient

    from lossbook._site.comments import strip_comments

    nb = jupytext.read(script, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    same, apart = {}, {}
    for lang, path in (twins or {}).items():
        twin = jupytext.read(path, fmt="py:percent")
        kinds = [c.cell_type for c in twin.cells] == [c.cell_type for c in nb.cells]
        # The first code cell sets the figure language; the rest must match, but for
        # their comments, which are in each notebook's language.
        code = [[strip_comments(source) for source in _code_cells(n)[1:]] for n in (twin, nb)]
        if kinds and code[0] == code[1]:
            same[lang] = (path, twin)
        else:
            apart[lang] = path
    with tempfile.TemporaryDirectory() as figures:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(script.parent)}})

        async def after_cell(cell, cell_index, execute_reply):
            code = ("import lossbook._site.notebooks as _lossbook_nb\n"
                    f"_lossbook_nb.figures_after_cell({figures!r}, {cell_index}, "
                    f"{sorted(same)!r})")
            reply = await client.async_wait_for_reply(
                client.kc.execute(code, silent=True, store_history=False))
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{script.name}: cell {cell_index}: drawing its figures "
                                   f"in {sorted(same)} failed: {reply['content']}")

        if same:
            client.on_cell_executed = after_cell
        client.execute()
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not is_tensorflow_log(o)]
        nbformat.write(nb, script.with_suffix(".ipynb"))
        for lang, (path, twin) in same.items():
            twin.metadata = copy.deepcopy(nb.metadata)
            for index, (cell, other) in enumerate(zip(nb.cells, twin.cells, strict=True)):
                if cell.cell_type != "code":
                    continue
                other.execution_count = cell.execution_count
                other.outputs = copy.deepcopy(cell.outputs)
                shown = [o for o in other.outputs if "image/png" in o.get("data", {})]
                drawn = sorted(Path(figures).glob(f"{index}-*.{lang}.png"),
                               key=lambda f: int(f.name.split("-")[1].split(".")[0]))
                if len(drawn) != len(shown):
                    raise RuntimeError(
                        f"{script.name}: cell {index} shows {len(shown)} figure(s) but "
                        f"lossbook.plotting drew {len(drawn)}: make every figure with it"
                    )
                for output, png in zip(shown, drawn, strict=True):
                    output["data"]["image/png"] = base64.b64encode(png.read_bytes()).decode()
            nbformat.write(twin, path.with_suffix(".ipynb"))
    for path in apart.values():
        execute_script(path, timeout=timeout)


def lesson_pages(docs_dir: Path) -> list[Path]:
    """The lessons of one language: every page with code, but the home page."""
    return sorted(p for p in docs_dir.glob("*.md") if p.name != "index.md"
                  and re.search(r"^\s*```python\s*$", p.read_text(encoding="utf-8"), re.M))


def notebook_key(script_text: str, src_dir: Path, env: str | None = None) -> str:
    """A hash of what an executed notebook depends on: its script, ``src/lossbook`` and
    the installed versions (as for the snippet runs)."""
    import hashlib

    from lossbook._site.build import source_digest

    digest = hashlib.sha256(f"{EXECUTION_VERSION}\n{script_text}".encode())
    return source_digest(digest, src_dir, env).hexdigest()


def lesson_script(page: Path, lang: str, expand, values_dir: Path) -> str:
    """The percent script a lesson page becomes (without the Colab cell, which does
    nothing outside Colab, so one executed notebook serves builds with and without it)."""
    from lossbook._site.build import substitute_values

    text = substitute_values(page.read_text(encoding="utf-8"), values_dir,
                             where=f"{lang}/{page.name}")
    return percent_script(page_cells(text, expand), lang)


def _expected_seconds(target: Path) -> float:
    try:
        return float(target.with_suffix(".seconds").read_text())
    except (OSError, ValueError):
        return target.stat().st_size / 1000


def ensure_notebooks(docs_dirs: dict, work_root: Path, src_dir: Path, expand,
                     values_dir: Path, site_url: str | None = None, log=None,
                     jobs: int | None = None) -> list:
    """For each ``{lang: docs_dir}`` (includes expanded by ``expand``, or by
    ``expand[lang]``, with that language's comments), writes
    ``notebooks/<lesson>.ipynb`` (rendered as a page), the same notebook for download in
    ``notebooks/download/`` and ``notebooks/<lesson>.py``, executing only the lessons whose
    script (in any language) or ``src/`` changed: each in a fresh process and kernel,
    ``jobs`` at a time (default: one per core), longest first."""
    import os
    import subprocess
    import time
    from concurrent.futures import ThreadPoolExecutor

    from lossbook._site.build import environment

    lessons, env_line = {}, environment()
    for lang, docs_dir in docs_dirs.items():
        work_dir = work_root / lang
        work_dir.mkdir(parents=True, exist_ok=True)
        for page in lesson_pages(docs_dir):
            script = lesson_script(page, lang, expand[lang] if isinstance(expand, dict)
                                   else expand, values_dir)
            target = work_dir / f"{page.stem}.py"
            key_file = target.with_suffix(".key")
            key = notebook_key(script, src_dir, env_line)
            fresh = (key_file.exists() and key_file.read_text() == key
                     and target.with_suffix(".ipynb").exists())
            if not fresh:
                target.write_text(script, encoding="utf-8")
            lessons.setdefault(page.stem, []).append((lang, target, key_file, key, fresh))
    # A lesson runs once, in its first language; the others share the run (their code is
    # the same) with their figures drawn in their language. Any stale one reruns it.
    stale = [items for items in lessons.values() if not all(item[4] for item in items)]
    if stale and log:
        log(f"executing {len(stale)} notebook(s), in {len(docs_dirs)} language(s): "
            + ", ".join(items[0][1].stem for items in stale))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(src_dir.parent), *filter(None, [os.environ.get("PYTHONPATH")])]))
    # The kernel is started as `python`: make it this environment's interpreter.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    # An inherited MPLBACKEND (Agg, say, from a test run) would stop the kernel's
    # inline backend from showing the figures.
    env.pop("MPLBACKEND", None)
    stale.sort(key=lambda items: _expected_seconds(items[0][1]), reverse=True)

    def execute(items):
        (_, primary, _, _, _), twins = items[0], items[1:]
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "lossbook._site.notebooks", str(primary),
             *(f"--twin={lang}={target}" for lang, target, _, _, _ in twins)],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode == 0:
            primary.with_suffix(".seconds").write_text(f"{time.perf_counter() - started:.1f}")
            for _, _, key_file, key, _ in items:
                key_file.write_text(key)
        return result

    if stale:
        jobs = max(1, min(len(stale), jobs or os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(execute, stale))
        failed = [f"--- {items[0][1].stem} ---\n{result.stderr[-6000:]}"
                  for items, result in zip(stale, results, strict=True)
                  if result.returncode != 0]
        if failed:
            raise RuntimeError(f"{len(failed)} notebook(s) failed:\n" + "\n".join(failed))
    for lang, docs_dir in docs_dirs.items():
        out = docs_dir / "notebooks"
        (out / "download").mkdir(parents=True, exist_ok=True)
        current = {page.stem for page in lesson_pages(docs_dir)}
        for old in [*out.glob("*.ipynb"), *out.glob("*.py"), *out.glob("download/*.ipynb")]:
            if old.stem not in current:  # a lesson that was renamed or lost its code
                old.unlink()
        for page in lesson_pages(docs_dir):
            made = work_root / lang / page.stem
            script = made.with_suffix(".py").read_text(encoding="utf-8")
            notebook = made.with_suffix(".ipynb").read_text(encoding="utf-8")
            script, notebook = with_install_cell(script, notebook, lang, site_url)
            for text, dest in ((notebook, out / f"{page.stem}.ipynb"),
                               (notebook, out / "download" / f"{page.stem}.ipynb"),
                               (script, out / f"{page.stem}.py")):
                if not dest.exists() or dest.read_text(encoding="utf-8") != text:
                    dest.write_text(text, encoding="utf-8")
    return [target for items in stale for _, target, _, _, _ in items]


def with_install_cell(script: str, notebook: str, lang: str, site_url: str | None):
    """Inserts the install cell after the introduction, in script and notebook (after the
    build executed them: where the build runs, lossbook is installed)."""
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="execute lesson scripts into notebooks")
    parser.add_argument("script", type=Path)
    parser.add_argument("--twin", action="append", default=[], metavar="LANG=SCRIPT",
                        help="the same lesson in another language (see execute_script)")
    args = parser.parse_args(argv)
    twins = dict(item.split("=", 1) for item in args.twin)
    execute_script(args.script, {lang: Path(path) for lang, path in twins.items()})
    print(f"executed {args.script.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
