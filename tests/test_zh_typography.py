"""Chinese typography: the zh pages, nav titles and Chinese strings in the code follow one
convention (full-width punctuation in Chinese prose, a space between Chinese and Latin)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import autocorrect_py
import pytest
import yaml

from lossbook._site import zh_typography as zt

ROOT = Path(__file__).resolve().parents[1]
# The pages, and the Performance tables make bench writes for the zh page to include.
ZH_PAGES = sorted((ROOT / "docs" / "zh").rglob("*.md")) + [ROOT / "bench" / "results.zh.md"]


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: p.name)
def test_zh_page_follows_the_convention(page):
    """Every line of Chinese prose is as fix() would set it (python -m lossbook._site.zh_typography
    --fix docs/zh rewrites the pages), and nothing is left for the writer to decide."""
    problems = zt.lint(page.read_text(encoding="utf-8"))
    assert not problems, f"{page.name}:\n{_report(problems)}"


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: p.name)
def test_autocorrect_agrees(page):
    """A second opinion: autocorrect-py, configured by .autocorrectrc, finds nothing either."""
    autocorrect_py.load_config((ROOT / ".autocorrectrc").read_text(encoding="utf-8"))
    # A title in 《》 is quoted as published (half-width and all): autocorrect sees a stand-in.
    text = re.sub(r"《[^》]*》", "《书名》", page.read_text(encoding="utf-8"))
    result = autocorrect_py.lint_for(text, "markdown")
    assert not result.lines, "\n".join(f"line {r.line}: {r.old} -> {r.new}" for r in result.lines)


def _chinese_config_strings():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    found = [config["site_name"], config["site_description"]]
    found += [p["toggle"]["name"] for p in config["theme"]["palette"]]

    def titles(nav):
        for item in nav:
            for title, value in item.items():
                yield title
                if isinstance(value, list):
                    yield from titles(value)

    return found + list(titles(config["nav"]))


def test_nav_and_site_titles_follow_the_convention():
    """The nav, the site's name and description and the palette toggles are prose too."""
    problems = [p for text in _chinese_config_strings() for p in zt.lint_text(text)]
    assert not problems, _report(problems)


def _chinese_strings_in_code():
    for path in sorted((ROOT / "src" / "lossbook").rglob("*.py")):
        if path.name == "zh_typography.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if zt.CJK_RE.search(node.value):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def test_chinese_strings_in_the_code_follow_the_convention():
    """Figure labels, the Performance tables' headers and the notebooks' headers are prose."""
    strings = list(_chinese_strings_in_code())
    assert len(strings) > 20  # the figure labels at least: the search finds them
    problems = [f"{where}: {p}" for where, text in strings for p in zt.lint_text(text)]
    assert not problems, "\n".join(problems)


class TestLint:
    def test_a_half_width_comma_after_chinese_fails(self, tmp_path):
        """The check that guards the pages fails on a page with '问题,答案'."""
        page = tmp_path / "bad.md"
        page.write_text("# 标题 { #title }\n\n问题,答案。\n", encoding="utf-8")
        problems = zt.lint(page.read_text(encoding="utf-8"))
        assert [p.line for p in problems] == [3]
        assert problems[0].suggestion == "问题，答案。"

    def test_colon_semicolon_and_parentheses_become_full_width(self):
        assert zt.fix("均方误差(MSE)是一种损失:它;好") == "均方误差（MSE）是一种损失：它；好"

    def test_punctuation_between_code_or_math_and_chinese_becomes_full_width(self):
        assert zt.fix("记作 $x_2$,以及 `y`:") == "记作 $x_2$，以及 `y`："
        assert zt.fix("是 {{ a.b }},$(0.8, 0.2)$ 是") == "是 {{ a.b }}，$(0.8, 0.2)$ 是"

    def test_a_space_between_chinese_and_latin_none_next_to_full_width(self):
        assert zt.fix("用TensorFlow训练3步") == "用 TensorFlow 训练 3 步"
        assert zt.fix("预测 （MSE） ，好") == "预测（MSE），好"

    def test_code_math_links_and_attributes_are_left_alone(self):
        page = (
            "```python\nx = f(a,b)  # 中文,注释\n```\n"
            "$$\nH(y, \\hat{y}) = -\\sum_i y_i\n$$\n"
            "见[交叉熵](cross_entropy.md#a,b)。`f(a,b)` 和 $f(a,b)$ 不变\n"
            "## 公式 { #formula }\n"
            '--8<-- "mse_yogurt.py:train"\n'
        )
        assert zt.fix(page) == page

    def test_english_inside_chinese_keeps_its_punctuation(self):
        assert zt.fix("原文是 e.g. (a, b), see") == "原文是 e.g. (a, b), see"
        assert zt.fix("10:30 和 1,000 个") == "10:30 和 1,000 个"

    def test_a_tuple_next_to_chinese_is_reported_not_guessed(self):
        """(n, 1) could be prose or a shape: the writer sets it as code or math."""
        problems = zt.lint("形状 (n, 1) 的张量")
        assert len(problems) == 1 and "code or math" in problems[0].suggestion

    def test_admonition_and_fence_titles_are_prose(self):
        assert zt.fix('!!! note "注意:形状"') == '!!! note "注意：形状"'
        assert (
            zt.fix('```text title="运行结果(截断)"\n```') == '```text title="运行结果（截断）"\n```'
        )

    def test_a_title_is_quoted_as_published(self):
        """《…》 holds a title as its author wrote it, half-width punctuation and all."""
        assert zt.lint("笔记《TensorFlow2.0入门学习笔记(7)——损失函数》的作者") == []
