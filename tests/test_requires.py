"""lossbook declares the TensorFlow and Keras it supports and checks them on import."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT
from lossbook import _requires
from lossbook._versions import supported_span


class TestCheck:
    @pytest.mark.parametrize("tf, keras", [("2.16.2", "3.8.0"), ("2.21.0", "3.15.1"),
                                           ("2.20.0rc1", "3.10.0")])
    def test_supported_versions_pass(self, tf, keras):
        _requires.check(tf, keras)

    def test_no_tensorflow_names_the_install_command(self):
        with pytest.raises(ImportError, match=r'none is installed.*pip install "lossbook\[cpu\]"'):
            _requires.check(None, None)

    @pytest.mark.parametrize("tf", ["2.15.1", "2.22.0", "1.15.0", "3.0.0"])
    def test_tensorflow_out_of_range_is_named(self, tf):
        with pytest.raises(ImportError, match=rf">=2\.16,<2\.22; found {tf}"):
            _requires.check(tf, "3.15.1")

    @pytest.mark.parametrize("keras", ["3.5.0", "2.15.0", "4.0.0", None])
    def test_keras_out_of_range_is_named(self, keras):
        with pytest.raises(ImportError, match=r"Keras >=3\.8,<4\.0"):
            _requires.check("2.21.0", keras)


def test_importing_a_module_without_tensorflow_says_what_to_install():
    """Before TensorFlow's own errors: the missing package and the command."""
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "try:\n    import lossbook.losses\n"
            "except ImportError as error:\n    print(error)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("lossbook needs TensorFlow >=2.16,<2.22, and none is installed")


def test_the_package_leaves_an_installed_tensorflow_alone():
    """No TensorFlow among the hard dependencies (one installed, GPU or CPU build, is kept);
    the cpu extra declares the same range _requires checks; the site's pins are inside it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("tensorflow")]
    cpu = project["optional-dependencies"]["cpu"]
    assert len(cpu) == 2 and all(">=2.16,<2.22;" in d for d in cpu)
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().split()
                if "==" in line)
    _requires.check(pins["tensorflow_cpu"], pins["keras"])


def test_the_oldest_supported_versions_are_the_ones_make_test_oldest_installs():
    oldest = dict(line.split("==") for line in (ROOT / "constraints-oldest.txt").read_text()
                  .split() if "==" in line)
    assert oldest["tensorflow-cpu"].startswith("{}.{}.".format(*_requires.TENSORFLOW[0]))
    assert oldest["keras"].startswith("{}.{}.".format(*_requires.KERAS[0]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_states_the_range_lossbook_checks(lang):
    home = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
    oldest, newest = supported_span()
    words = {"zh": f"TensorFlow {oldest} 到 {newest}", "en": f"TensorFlow {oldest} to {newest}"}
    assert words[lang] in home
    assert "Keras {}.{}".format(*_requires.KERAS[0]) in home
