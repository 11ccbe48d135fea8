"""Shared fixtures: the project root, the built site, the snippet-include expander."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")
TEST_REPOSITORY = "lossbook-tests/lossbook"  # for the "edit this page" links of the test build

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


_BUILD: dict = {}
_READER: dict = {}  # the reader's path (readerpath.py), when test_reader.py is collected


def _start_build() -> None:
    """Starts ``mkdocs build --strict`` of both languages in the background."""
    site = Path(tempfile.mkdtemp(prefix="lossbook-site-"))
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    env = dict(os.environ, LOSSBOOK_REPOSITORY=TEST_REPOSITORY)
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
    )
    _BUILD.update(site=site, log=log, process=process)


def pytest_collection_modifyitems(session, config, items):
    """The tests of the built site go last; the build starts now, in the background, so
    it runs (snippets and notebooks, one process per core) while the unit tests do."""
    needs_site = [item for item in items if "built_site" in getattr(item, "fixturenames", ())]
    if not needs_site or config.option.collectonly:
        return
    items[:] = [item for item in items if item not in needs_site] + needs_site
    _start_build()
    if any(item.nodeid.startswith("tests/test_reader.py") for item in items):
        import readerpath
        from test_reader import LESSONS

        # The reader's venv is made while the site builds; the lessons run from the
        # moment the site is built, beside the other tests.
        reader = _READER["reader"] = readerpath.Reader(readerpath.start_venv())
        _after_build("reader", lambda: reader.begin(_BUILD["site"], LESSONS))
    if any(item.nodeid.startswith("tests/test_browser.py") for item in items):
        import test_browser

        _after_build("visits", lambda: test_browser.visit_everything(_BUILD["site"]))
    # The build is the longest chain (snippets, then pages, then the tests of the site):
    # everything else in this process, and what it starts from now on, yields to it.
    os.nice(5)


def pytest_unconfigure(config):
    if _READER:
        _READER.pop("reader").close()
    if _BUILD:
        if _BUILD["process"].poll() is None:
            _BUILD["process"].kill()
            _BUILD["process"].wait()
        _BUILD["log"].close()
        shutil.rmtree(_BUILD["site"], ignore_errors=True)


_AFTER_BUILD: dict = {}  # name -> {"done": Event, "result": ..., "error": ...}


def _after_build(name, work) -> None:
    """Runs ``work()`` in a thread of its own as soon as the build has succeeded, so the
    tests of the built site that take long (the browser's visits) run beside the others."""
    import threading

    state = _AFTER_BUILD[name] = {"done": threading.Event(), "result": None, "error": None}

    def run():
        try:
            if _BUILD["process"].wait() == 0:
                state["result"] = work()
        except BaseException as err:  # noqa: BLE001 - re-raised in the test that asks
            state["error"] = err
        finally:
            state["done"].set()

    threading.Thread(target=run, daemon=True).start()


def after_build_result(name, work):
    """What ``_after_build`` computed (or ``work()``, now, if nothing started it)."""
    state = _AFTER_BUILD.get(name)
    if state is None:
        return work()
    state["done"].wait()
    if state["error"] is not None:
        raise state["error"]
    return state["result"]


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The whole site, both languages, built with ``mkdocs build --strict``."""
    if not _BUILD:
        _start_build()
    code = _BUILD["process"].wait()
    log = _BUILD["log"]
    log.seek(0)
    assert code == 0, f"mkdocs build --strict failed:\n{log.read()[-8000:]}"
    return _BUILD["site"]


@pytest.fixture(scope="session")
def reader(built_site):
    """The reader's path (readerpath.Reader), finished."""
    found = _READER.get("reader")
    if found is None:  # collected on its own, late: start it now
        import readerpath
        from test_reader import LESSONS

        found = _READER["reader"] = readerpath.Reader(readerpath.start_venv())
        found.begin(built_site, LESSONS)
    found.wait()
    return found


def nav_files(nav):
    """The page files of a nav, groups flattened, in order."""
    for entry in nav:
        value = next(iter(entry.values()))
        if isinstance(value, list):
            yield from nav_files(value)
        else:
            yield value
