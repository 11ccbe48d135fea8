"""Claims of the home page about the lessons, checked against the pages themselves.

The numbers on the mse, custom_loss and index pages are quoted from their snippets'
runs or asserted in those snippets; what is left here is what the home page says about
the site's structure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import nav_files
from lossbook._site.notebooks import lesson_pages

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")


def headings(page: Path) -> list[str]:
    """The anchors of a page's level-2 headings, in order."""
    return re.findall(r"^## .*\{ #([a-z0-9-]+) \}$", page.read_text(encoding="utf-8"), re.M)


def nav_order() -> list[str]:
    """The page files in the order of the site's navigation."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    return list(nav_files(config["nav"]))



@pytest.mark.parametrize("lang", LANGS)
def test_every_lesson_ends_with_summary_and_exercises(lang):
    """Home page: every lesson ends with a summary and exercises with folded solutions."""
    lessons = lesson_pages(ROOT / "docs" / lang)
    assert len(lessons) >= 5
    for page in lessons:
        assert headings(page)[-2:] == ["summary", "exercises"], page.name
        exercises = page.read_text(encoding="utf-8").split("{ #exercises }", 1)[1]
        assert re.search(r'^\?\?\? success "', exercises, re.M), page.name


@pytest.mark.parametrize("lang,words", [("zh", "最后一课"), ("en", "The last lesson, ")])
def test_the_lesson_the_home_page_calls_last_is_last(lang, words):
    """Home page: the lesson it calls the last one is the last in the navigation."""
    lessons = {page.name for page in lesson_pages(ROOT / "docs" / lang)}
    home = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
    named = re.search(re.escape(words) + r"\[[^\]]+\]\(([\w.]+)\)", home)
    assert named, f"the home page no longer says {words!r}: drop or change this test"
    assert [name for name in nav_order() if name in lessons][-1] == named[1]


@pytest.mark.parametrize("lang", LANGS)
def test_the_study_note_is_introduced_once_on_the_home_page(lang):
    """The note is introduced in its own home-page section, before any lesson names it."""
    home = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
    assert "{ #study-note }" in home
    assert home.count("TensorFlow2.0入门学习笔记(7)——损失函数") == 1
    for page in lesson_pages(ROOT / "docs" / lang):
        assert "wyxogo" not in page.read_text(encoding="utf-8"), page.name


def test_home_page_where_keras_goes_on_lossbook_raises():
    """Home page: the losses drop into Keras, but where Keras silently broadcasts
    mismatched shapes or truncates fractional class ids, lossbook raises."""
    import keras
    import numpy as np

    import lossbook.losses

    for lang, words in (("en", ("broadcasts", "truncates fractional class ids")),
                        ("zh", ("广播", "类别编号带小数"))):
        home = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
        assert all(word in home for word in words), lang
    column, row = np.zeros((4, 1), np.float32), np.ones((1, 4), np.float32)
    assert keras.losses.MeanSquaredError(reduction=None)(column, row).shape == (4,)
    with pytest.raises(ValueError):
        lossbook.losses.mean_squared_error(column, row)
    logits = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 0.0]], np.float32)
    fractional, truncated = np.array([1.7, 0.2]), np.array([1, 0])
    np.testing.assert_array_equal(
        keras.losses.sparse_categorical_crossentropy(fractional, logits, from_logits=True),
        keras.losses.sparse_categorical_crossentropy(truncated, logits, from_logits=True),
    )
    with pytest.raises(ValueError, match="integer class ids"):
        lossbook.losses.sparse_categorical_crossentropy(fractional, logits, from_logits=True)
