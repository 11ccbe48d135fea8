"""The reader's path, outside the repository: what ``tests/test_reader.py`` checks.

A reader finds a lesson on the site, opens "Run this lesson", runs the pip command it
shows (with the site's own address, as the page's script fills it in), downloads the
lesson's ``.py`` and runs it, or copies the code blocks one by one with the copy buttons.

``start_venv`` starts early (conftest, when the test is collected): a fresh virtual
environment in a temporary folder outside the repository, with lossbook's dependencies
at the site's pinned versions (constraints.txt) from pip's cache, while the site builds.
Everything after that works from the served site: ``Reader`` installs lossbook with the
page's own command (which then finds the dependencies in place and adds lossbook from the
site's index), downloads each lesson's ``.py`` over HTTP and runs it there, in a folder
with nothing of the repository in reach.
"""

from __future__ import annotations

import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Durations and ratios of durations: the only things a run may print differently.
TIMING_RE = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?\s?(?:s|ms|µs|us|ns|x|×|%)(?![\w])")
CODE_BLOCK_RE = re.compile(
    r'<div class="language-(?P<lang>[\w-]+) highlight"[^>]*>'
    r'(?:<span class="filename">(?P<title>.*?)</span>)?'
    r'<pre[^>]*>(?:<span></span>)?<code[^>]*>(?P<code>.*?)</code></pre></div>', re.S)
RUN_BOX_RE = re.compile(r'<div class="lossbook-run"(?P<attrs>[^>]*)>(?P<body>.*?)</details>',
                        re.S)
OUTPUT_TITLES = ("运行结果", "Output")
RUN_SECONDS = 600  # a lesson that runs longer than this is stuck


def _env() -> dict:
    """The reader's environment: nothing that points into the repository or its venv."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")
           and not key.startswith("PYTEST")}
    env.update(MPLBACKEND="Agg",  # no window: figures are drawn, not shown
               PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1",
               PIP_CONSTRAINT=str(ROOT / "constraints.txt"))  # the site's pinned versions
    return env


def runtime_requirements(extras=("cpu", "figures")) -> list[str]:
    """What ``lossbook[cpu,figures]`` requires, read from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = list(project["dependencies"])
    for extra in extras:
        found += project["optional-dependencies"][extra]
    return found


def start_venv() -> dict:
    """Starts making the reader's venv in the background; ``finish_venv`` waits for it."""
    home = Path(tempfile.mkdtemp(prefix="lossbook-reader-"))
    assert not home.resolve().is_relative_to(ROOT.resolve()), home
    log = (home / "venv.log").open("w+", encoding="utf-8")
    python = shutil.which("python3.11") or sys.executable
    script = (f"{shlex.quote(python)} -m venv venv && venv/bin/python -m pip install --quiet "
              + " ".join(shlex.quote(r) for r in runtime_requirements()))
    # Behind the site's build, which it runs beside (conftest).
    process = subprocess.Popen(["nice", "-n", "5", "sh", "-c", script], cwd=home, env=_env(),
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    return {"home": home, "process": process, "log": log}


def finish_venv(state: dict) -> Path:
    code = state["process"].wait(timeout=900)
    state["log"].seek(0)
    assert code == 0, f"could not make the reader's venv:\n{state['log'].read()[-4000:]}"
    return state["home"]


def stop(state: dict) -> None:
    if state["process"].poll() is None:
        state["process"].kill()
        state["process"].wait()
    state["log"].close()
    shutil.rmtree(state["home"], ignore_errors=True)


def code_text(fragment: str) -> str:
    """The text of a highlighted ``<code>``: what ``innerText`` gives for it (no element
    inside is hidden: spans only)."""
    assert "md-annotation" not in fragment and "linenos" not in fragment, fragment[:200]
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


class Page:
    """A built lesson page, as a reader sees it."""

    def __init__(self, url: str, page_html: str):
        self.url, self.html = url, page_html
        blocks = list(CODE_BLOCK_RE.finditer(page_html))
        box = RUN_BOX_RE.search(page_html)
        assert box, f"{url}: no 'Run this lesson' box"
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', box["attrs"]))
        self.site = urllib.parse.urljoin(url, attrs["data-root"])
        command = CODE_BLOCK_RE.search(box["body"])
        # As lossbook.js does: the placeholder becomes the site's address.
        self.command = code_text(command["code"]).strip().replace(
            attrs["data-placeholder"], self.site)
        links = re.findall(r'href="([^"]+\.py)"', box["body"])
        assert len(links) == 1, f"{url}: the box links {links}, not one .py"
        self.script_url = urllib.parse.urljoin(url, html.unescape(links[0]))
        boxed = {m.start() for m in CODE_BLOCK_RE.finditer(page_html, box.start(), box.end())}
        # The copy button copies the <code> element's innerText with its end trimmed.
        self.copied = [code_text(m["code"]).rstrip() for m in blocks
                       if m["lang"] == "python" and m.start() not in boxed]
        self.outputs = [code_text(m["code"]).rstrip("\n") for m in blocks
                        if html.unescape(m["title"] or "") in OUTPUT_TITLES]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1
        return response.read().decode("utf-8")


def script_cells(script: str) -> list[str]:
    """The code cells of a percent-format script (``# %%``), in order."""
    cells, current, kind = [], [], None
    for line in script.splitlines():
        if line.startswith("# %%"):
            if kind == "code":
                cells.append("\n".join(current).strip("\n"))
            kind = "markdown" if "[markdown]" in line else "code"
            current = []
        else:
            current.append(line)
    if kind == "code":
        cells.append("\n".join(current).strip("\n"))
    return cells


def without_timings(text: str) -> str:
    return TIMING_RE.sub("<time>", text)


def printed_in_order(shown: list[str], printed: str) -> list[str]:
    """The output blocks of ``shown`` that ``printed`` lacks, in order, timings aside."""
    rest, missing = without_timings(printed), []
    for block in shown:
        where = rest.find(without_timings(block))
        if where < 0:
            missing.append(block)
        else:
            rest = rest[where + len(without_timings(block)):]
    return missing


def install(home: Path, command: str) -> subprocess.CompletedProcess:
    """Runs the page's pip command in the reader's venv, as a reader with it activated."""
    env = _env()
    env.update(VIRTUAL_ENV=str(home / "venv"),
               PATH=os.pathsep.join([str(home / "venv" / "bin"), env.get("PATH", "")]))
    return subprocess.run(shlex.split(command), cwd=home, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def start_run(home: Path, script: Path) -> subprocess.Popen:
    """``python <lesson>.py`` in the reader's venv and folder."""
    return subprocess.Popen([str(home / "venv" / "bin" / "python"), script.name],
                            cwd=script.parent, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


class Reader:
    """The reader's path, run in a background thread once the site is built: the venv
    (started earlier), the page's install command, each lesson's ``.py`` downloaded and
    run, one at a time. The tests read ``result``/``pages``/``runs`` when it is done."""

    def __init__(self, venv_state: dict):
        self.venv_state = venv_state
        self.pages: dict = {}  # (lang, lesson) -> Page
        self.scripts: dict = {}  # (lang, lesson) -> text of the downloaded .py
        self.runs: dict = {}  # lesson -> (lang, CompletedProcess-like tuple)
        self.install_result = None
        self.error = None
        import threading

        self.done = threading.Event()  # set when the path is walked (or failed)
        self.begun = False
        self.server = None

    def begin(self, site: Path, lessons: list[str], langs=("zh", "en")) -> None:
        import threading

        if self.begun:
            return
        self.begun, self.site = True, site
        from test_browser import _Server  # the site as a plain static server serves it

        self.server = _Server(site)
        self.url = self.server.url
        threading.Thread(target=self._work, args=(lessons, langs), daemon=True).start()

    def _work(self, lessons, langs):
        try:
            for lang in langs:
                for lesson in lessons:
                    url = self.url + ("en/" if lang == "en" else "") + f"{lesson}/"
                    page = Page(url, fetch(url))
                    self.pages[lang, lesson] = page
                    self.scripts[lang, lesson] = fetch(page.script_url)
            home = finish_venv(self.venv_state)
            first = self.pages[langs[0], lessons[0]]
            self.install_result = install(home, first.command)
            if self.install_result.returncode != 0:
                return
            # One run a lesson, the languages taking turns (each draws its figures in its
            # own language); test_reader shows the other language's script and page
            # hold the same code. Longest first: they run beside the browser tests.
            order = sorted(enumerate(lessons), key=lambda item: expected_seconds(item[1]),
                           reverse=True)
            for index, lesson in order:
                lang = langs[index % len(langs)]
                folder = home / "lessons" / lang
                folder.mkdir(parents=True, exist_ok=True)
                script = folder / f"{lesson}.py"
                script.write_text(self.scripts[lang, lesson], encoding="utf-8")
                process = start_run(home, script)
                try:
                    out, err = process.communicate(timeout=RUN_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    out, err = process.communicate()
                    err += f"\n[stopped after {RUN_SECONDS} s]"
                self.runs[lesson] = (lang, process.returncode, out, err)
        except Exception as err:  # noqa: BLE001 - reported by the tests
            self.error = err
        finally:
            self.done.set()

    def wait(self, timeout=1500):
        assert self.done.wait(timeout), f"the reader's path took over {timeout} s"
        if self.error is not None:
            raise self.error

    def close(self):
        if self.server is not None:
            self.server.close()
        stop(self.venv_state)


def expected_seconds(lesson: str) -> float:
    """How long the build's runs of the lesson's snippets took (0 if unknown)."""
    import json

    page = (ROOT / "docs" / "zh" / f"{lesson}.md").read_text(encoding="utf-8")
    total = 0.0
    for snippet in set(re.findall(r'--8<-- "([\w-]+)\.py:', page)):
        meta = ROOT / "build" / "run" / snippet / "meta.json"
        if meta.exists():
            total += json.loads(meta.read_text())["seconds"]
    return total
