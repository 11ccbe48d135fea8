"""The reader's path: from the served site to a lesson that runs, outside the repository.

1. The built site is served over HTTP on 127.0.0.1.
2. In a temporary folder outside the repository, a fresh venv gets lossbook with the pip
   command the lesson page shows, with the address lossbook.js puts in (the browser test
   checks that it does): from the site's own index, not editable, not from the repository.
   (Its dependencies, at the site's pinned versions, are installed while the site builds,
   from pip's cache: readerpath.py.)
3. Each lesson's ``.py``, downloaded from the site, runs there: one run a lesson, the
   languages taking turns. The code a reader copies from each rendered page, block by
   block as Material's copy button copies it (from the built HTML), is the script's code,
   character for character, in both languages; the two languages' scripts are the same
   program (comments aside).
4. Each run ends cleanly and prints, in order, every output block the page shows in
   either language (durations and speed-ups aside).
"""

from __future__ import annotations

import io
import json
import subprocess
import tokenize
from pathlib import Path

import pytest
from readerpath import printed_in_order, script_cells

import lossbook._site.notebooks as notebooks
from conftest import LANGS, ROOT

LESSONS = [page.stem for page in notebooks.lesson_pages(ROOT / "docs" / "zh")]
SETUP_CELLS = 2  # the install cell, then the figures' language


def test_every_lesson_is_on_the_path():
    english = {page.stem for page in notebooks.lesson_pages(ROOT / "docs" / "en")}
    assert LESSONS and set(LESSONS) == english


def test_the_page_command_installs_lossbook_from_the_site(reader):
    home = reader.venv_state["home"]
    result = reader.install_result
    assert result.returncode == 0, f"{reader.pages[LANGS[0], LESSONS[0]].command}\n{result.stderr}"
    for (lang, lesson), page in reader.pages.items():
        assert page.command == (f"pip install --extra-index-url {reader.url}simple/ "
                                '"lossbook[cpu,figures]"'), (lang, lesson, page.command)
    python = str(home / "venv" / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "import lossbook.losses, tensorflow as tf; "
                       "print(lossbook.__file__); print(tf.__version__)"],
        cwd=home, capture_output=True, text=True, check=True).stdout.split()
    assert Path(where[0]).is_relative_to(home / "venv"), f"lossbook imported from {where[0]}"
    listed = json.loads(subprocess.run([python, "-m", "pip", "list", "--format=json"],
                                       cwd=home, capture_output=True, text=True,
                                       check=True).stdout)
    names = {item["name"].lower().replace("_", "-"): item for item in listed}
    assert names["lossbook"].get("editable_project_location") is None, "an editable install"
    tensorflows = sorted(name for name in names if name in ("tensorflow", "tensorflow-cpu"))
    assert tensorflows == ["tensorflow-cpu"], tensorflows
    assert names["tensorflow-cpu"]["version"] == where[1]
    # The wheel the site serves is the one installed.
    served = sorted((reader.site / "simple" / "lossbook").glob("*.whl"))
    assert [names["lossbook"]["version"]] == [p.name.split("-")[1] for p in served]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_downloaded_lesson_runs_and_prints_what_the_page_shows(reader, lesson):
    lang, code, out, err = reader.runs[lesson]
    assert code == 0, f"{lang}/{lesson}.py exited with {code}:\n{err[-6000:]}"
    assert "Traceback" not in err, err[-6000:]
    for page_lang in LANGS:
        shown = reader.pages[page_lang, lesson].outputs
        assert shown, f"{page_lang}/{lesson}: no output block on the page"
        missing = printed_in_order(shown, out)
        assert not missing, (
            f"{lang}/{lesson}.py did not print, in order, what {page_lang}/{lesson} shows; "
            f"first missing block:\n{missing[0]}\n--- it printed:\n{out[-4000:]}")


def _program(cells: list[str]) -> list[tuple]:
    """The tokens of the code, comments and line breaks aside."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER}
    tokens = []
    for cell in cells:
        tokens += [(t.type, t.string) for t in tokenize.generate_tokens(
            io.StringIO(cell + "\n").readline) if t.type not in skip]
    return tokens


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_copied_code_is_the_downloaded_code(reader, lesson, lang):
    """What the copy buttons give, block after block, is the script's code after its two
    setup cells, character for character (the script ran, in one language or the other)."""
    page = reader.pages[lang, lesson]
    cells = script_cells(reader.scripts[lang, lesson])
    assert "lossbook" in cells[0] and "set_language" in cells[1], cells[:SETUP_CELLS]
    assert page.copied == cells[SETUP_CELLS:], (
        f"{lang}/{lesson}: the page's code blocks are not the .py's code cells")
    other = "en" if lang == "zh" else "zh"
    assert _program(cells[SETUP_CELLS:]) == _program(
        script_cells(reader.scripts[other, lesson])[SETUP_CELLS:]), (
        f"{lesson}: the {lang} and {other} scripts are different programs")


def test_a_reader_sees_a_wrong_output(reader):
    """The comparison can fail: a page block the run did not print is reported."""
    lesson = LESSONS[0]
    _, _, out, _ = reader.runs[lesson]
    shown = reader.pages[LANGS[0], lesson].outputs
    assert printed_in_order(shown, out) == []
    changed = [*shown[:-1], shown[-1] + "\nlossbook: a line no run prints"]
    assert printed_in_order(changed, out) == [changed[-1]]
    assert printed_in_order(list(reversed(shown)), out) != [] or len(set(shown)) == 1
