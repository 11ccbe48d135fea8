"""lossbook's wheel, served by the site itself as a package index pip understands.

The build makes the wheel (cached until the package's sources change) and writes a PEP 503
"simple" index at ``<site>/simple/``, so one command installs lossbook wherever the site can
be reached, with no account on GitHub or PyPI::

    pip install --extra-index-url https://<the site>/simple/ "lossbook[cpu]"

The index lists only lossbook; pip takes everything else from the reader's usual index.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

INDEX_DIR = "simple"
PROJECT = "lossbook"


def sources_digest(root: Path) -> str:
    """What the wheel is made from: the project file, the README and the package."""
    digest = hashlib.sha256()
    files = [root / "pyproject.toml", root / "README.md"]
    files += sorted(p for p in (root / "src" / PROJECT).rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_wheel(root: Path, cache: Path, log=None) -> Path:
    """The wheel of the sources as they are now, built only when they changed."""
    key = sources_digest(root)
    key_file = cache / "key.txt"
    wheels = sorted(cache.glob(f"{PROJECT}-*.whl"))
    if key_file.exists() and key_file.read_text() == key and len(wheels) == 1:
        return wheels[0]
    if log:
        log("building the lossbook wheel the site serves")
    with tempfile.TemporaryDirectory() as out:
        # The build backend's version comes from constraints.txt too (build isolation).
        env = dict(os.environ, PIP_CONSTRAINT=str(root / "constraints.txt"))
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--disable-pip-version-check", "--wheel-dir", out, str(root)],
            env=env, capture_output=True, text=True,
        )
        built = sorted(Path(out).glob(f"{PROJECT}-*.whl"))
        if done.returncode or len(built) != 1:
            raise RuntimeError(f"building the lossbook wheel failed:\n{done.stderr}")
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        wheel = cache / built[0].name
        shutil.copyfile(built[0], wheel)
    key_file.write_text(key)
    return wheel


def write_index(site: Path, wheel: Path, root: Path) -> Path:
    """``<site>/simple/`` with lossbook's wheel, as pip's --index-url expects (PEP 503)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    project_dir = site / INDEX_DIR / PROJECT
    project_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wheel, project_dir / wheel.name)
    sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
    page = ('<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
            "<title>{title}</title></head><body>\n{links}\n</body></html>\n")
    (site / INDEX_DIR / "index.html").write_text(
        page.format(title="Simple index", links=f'<a href="{PROJECT}/">{PROJECT}</a>'))
    link = (f'<a href="{html.escape(wheel.name)}#sha256={sha256}" '
            f'data-requires-python="{html.escape(project["requires-python"])}">'
            f"{html.escape(wheel.name)}</a>")
    (project_dir / "index.html").write_text(page.format(title=f"Links for {PROJECT}", links=link))
    return project_dir / wheel.name
