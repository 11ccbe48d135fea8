"""The site serves lossbook's wheel as a package index: pip installs it from the site alone."""

from __future__ import annotations

import functools
import hashlib
import http.server
import re
import subprocess
import sys
import threading
import zipfile

import pytest

from conftest import ROOT
from lossbook._site import wheel


@pytest.fixture(scope="module")
def served(built_site):
    """The built site over HTTP on 127.0.0.1, as a reader's browser or pip reaches it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=built_site)
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_the_index_lists_the_wheel_with_its_hash(built_site):
    """PEP 503: /simple/ links the project, the project page links the wheel with its sha256."""
    project = (built_site / "simple" / "lossbook" / "index.html").read_text()
    link = re.search(r'href="(lossbook-[^"#]+\.whl)#sha256=([0-9a-f]{64})"', project)
    name, digest = link.groups()
    served_wheel = built_site / "simple" / "lossbook" / name

    assert hashlib.sha256(served_wheel.read_bytes()).hexdigest() == digest
    assert 'href="lossbook/"' in (built_site / "simple" / "index.html").read_text()
    assert 'data-requires-python="&gt;=3.11,&lt;3.12"' in project


def test_the_wheel_holds_the_package_as_it_is_now(built_site):
    """Built from the sources of this checkout: every module of src/lossbook, same bytes."""
    served_wheel = next((built_site / "simple" / "lossbook").glob("*.whl"))
    with zipfile.ZipFile(served_wheel) as archive:
        for path in (ROOT / "src" / "lossbook").rglob("*.py"):
            inside = path.relative_to(ROOT / "src").as_posix()
            assert archive.read(inside) == path.read_bytes(), inside
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA")))
    assert b"Requires-Dist: keras" in metadata
    assert not re.search(rb"Requires-Dist: tensorflow[^;\n]*\n", metadata), "TF only in extras"


def test_pip_installs_lossbook_from_the_site(served, tmp_path):
    """Into a new virtual environment outside the repository, from the site's index alone."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--index-url", served + "simple/", "lossbook"],
        check=True, cwd=tmp_path,
    )
    where = subprocess.run(
        [python, "-c", "import lossbook; print(lossbook.__version__, lossbook.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.split()
    assert where[1].startswith(str(venv)), where  # the installed copy, not the repository's
    # Without TensorFlow, the first module that needs it says what to install.
    missing = subprocess.run([python, "-c", "import lossbook.losses"], capture_output=True,
                             text=True, cwd=tmp_path)
    assert 'pip install "lossbook[cpu]"' in missing.stderr


def test_the_cached_wheel_is_rebuilt_when_the_sources_change(tmp_path):
    """The cache key covers the project file, the README and every module."""
    key = wheel.sources_digest(ROOT)
    assert key == wheel.sources_digest(ROOT)
    copy = tmp_path / "project"
    (copy / "src" / "lossbook").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        (copy / name).write_bytes((ROOT / name).read_bytes())
    (copy / "src" / "lossbook" / "__init__.py").write_text("x = 1\n")
    first = wheel.sources_digest(copy)
    (copy / "src" / "lossbook" / "__init__.py").write_text("x = 2\n")
    assert wheel.sources_digest(copy) != first


def test_every_lesson_shows_the_command_and_its_root_leads_to_the_index(built_site):
    """The "Run this lesson" box: the pip command (its address filled in by the browser,
    checked in test_browser) and data-root, from the page to the site serving /simple/."""
    from lossbook._site import build, notebooks

    for lang in ("zh", "en"):
        site = built_site if lang == "zh" else built_site / "en"
        for page in notebooks.lesson_pages(ROOT / "docs" / lang):
            html = (site / page.stem / "index.html").read_text(encoding="utf-8")
            box = re.search(r'<div class="lossbook-run"[^>]* data-root="([./]*)"', html)
            assert box, f"{lang}/{page.name}: no Run this lesson box"
            assert (site / page.stem / box[1] / "simple" / "index.html").resolve().exists()
            assert build.run_command(lang) in html
