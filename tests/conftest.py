"""Shared fixtures: the project root, the built site, the snippet-include expander."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")
TEST_REPOSITORY = "lossbook-tests/lossbook"  # for the "edit this page" links of the test build

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The whole site, both languages, built with ``mkdocs build --strict``."""
    site = tmp_path_factory.mktemp("site")
    env = dict(os.environ, LOSSBOOK_REPOSITORY=TEST_REPOSITORY)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False, env=env,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-8000:]}"
    return site
