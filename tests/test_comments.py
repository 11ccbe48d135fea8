"""Code comments in the page's language (lossbook._site.comments): the zh pages show the
snippets' code with Chinese comments, the en pages with English ones, and the code is the
same; every comment has its translation and every translation its comment."""

from __future__ import annotations

import html
import re
import textwrap

import pytest
from mkdocs.config import load_config

from conftest import LANGS, ROOT
from lossbook._site import comments

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULL_WIDTH = "，。：；！？（）、"
PAGES = sorted(p.name for p in (ROOT / "docs" / "zh").glob("*.md"))


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


class TestTranslate:
    TABLE = {"demo": {"the answer": "答案", "off by 0.5": "差了 0.5",
                      "Two lines of English, read as one sentence.": "两行英文，\n作为一句来读。"}}

    def translate(self, code, sources="demo"):
        return comments.translate(dedent(code), self.TABLE, sources)

    def test_a_trailing_comment_is_replaced_and_the_code_kept(self):
        """The code before a trailing comment, and its spacing, stay as they are."""
        result = self.translate("y_ = [3.0, 5.0]   # the answer")
        assert result.code == "y_ = [3.0, 5.0]   # 答案"
        assert result.used == {("demo", "the answer")} and not result.missing

    def test_a_full_line_comment_keeps_its_indentation(self):
        result = self.translate("""
            for i in range(3):
                # off by 0.5
                print(i)
        """)
        assert result.code == dedent("""
            for i in range(3):
                # 差了 0.5
                print(i)
        """)

    def test_a_hash_inside_a_string_is_not_a_comment(self):
        """tokenize finds the comments: a '#' in a string, even one that reads like a
        comment, is never touched."""
        code = '''
            label = "# the answer"  # the answer
            text = """
            # off by 0.5
            """
        '''
        result = self.translate(code)
        assert result.code == dedent('''
            label = "# the answer"  # 答案
            text = """
            # off by 0.5
            """
        ''')

    def test_a_block_of_full_line_comments_is_translated_as_one(self):
        """Consecutive full-line comments are one text; its translation takes the lines it
        needs, each at the block's indentation."""
        result = self.translate("""
            if True:
                # Two lines of English,
                # read as one sentence.
                x = 1
        """)
        assert result.code == dedent("""
            if True:
                # 两行英文，
                # 作为一句来读。
                x = 1
        """)

    def test_code_nested_in_a_page_container_keeps_its_indentation(self):
        """A fence inside a tab is indented as a whole; the comments are still found."""
        code = "    x = 1  # the answer\n\n    if x:\n        # off by 0.5\n        pass"
        result = comments.translate(code, self.TABLE, "demo")
        assert result.code == "    x = 1  # 答案\n\n    if x:\n        # 差了 0.5\n        pass"

    def test_a_comment_without_translation_stays_and_is_reported(self):
        result = self.translate("x = 1  # not in the table\ny = 2  # the answer")
        assert result.code == "x = 1  # not in the table\ny = 2  # 答案"
        assert result.missing == [("demo", "not in the table")]

    def test_lines_typed_in_the_page_and_pragmas_are_left_alone(self):
        code = "x = 1  # the answer\ny = 2  # the answer\nimport os  # noqa: F401"
        result = comments.translate(code, self.TABLE, [None, ("demo", 0), ("demo", 0)])
        assert result.code == "x = 1  # the answer\ny = 2  # 答案\nimport os  # noqa: F401"

    def test_a_trailing_comment_cannot_take_two_lines(self):
        table = {"demo": {"the answer": "答\n案"}}
        with pytest.raises(ValueError, match="one line"):
            comments.translate("x = 1  # the answer", table, "demo")


class TestStripComments:
    def test_both_languages_strip_to_the_same_code(self):
        en = 'x = "#1"  # the answer\n# Two lines of English,\n# read as one.\ny = 2\n'
        zh = 'x = "#1"  # 答案\n# 两行英文，作为一句来读。\ny = 2\n'
        assert comments.strip_comments(en) == comments.strip_comments(zh) == 'x = "#1"\ny = 2\n'


class TestTranslator:
    def test_only_included_code_is_translated(self):
        """An include line is expanded and its comments translated; lines typed in the
        block are left as they are."""
        table = {"demo": {"the answer": "答案"}}
        translator = comments.Translator(lambda line: "y = 1  # the answer", table)
        code = 'x = 0  # the answer\n--8<-- "demo.py:part"'
        assert translator(code) == "x = 0  # the answer\ny = 1  # 答案"
        assert not translator.missing

    def test_the_language_without_a_table_expands_as_the_build(self):
        def plain(code):
            return code
        assert comments.expander(plain, ROOT / "snippets", "en") is plain
        assert isinstance(comments.expander(plain, ROOT / "snippets", "zh"), comments.Translator)


def test_expand_code_blocks_expands_python_fences_only():
    """The hook expands a zh page's python fences, in tabs too, before pymdownx.snippets."""
    page = dedent('''
        ```python
        --8<-- "demo.py:a"
        ```

        === "Tab"

            ```python
            --8<-- "demo.py:a"
            ```

        ```text title="Output"
        --8<-- "demo/a.txt"
        ```
    ''')
    table = {"demo": {"the answer": "答案"}}

    def expand(line):
        return line.replace('--8<-- "demo.py:a"', "y = 1  # the answer")

    expanded = comments.expand_code_blocks(page, comments.Translator(expand, table))
    assert expanded.count("y = 1  # 答案") == 2
    assert "\n    y = 1  # 答案\n" in expanded
    assert '--8<-- "demo/a.txt"' in expanded


def test_check_names_what_is_missing_unused_or_too_wide(tmp_path):
    (tmp_path / "demo.py").write_text(dedent('''
        # --8<-- [start:part]
        x = 1  # the answer
        y = 2  # not translated
        z = 3  # wide
        # --8<-- [end:part]
        w = 4  # outside every section: never shown
    ''') + "\n", encoding="utf-8")
    (tmp_path / "comments.zh.toml").write_text(
        '[demo]\n"the answer" = "答案"\n"gone" = "没用了"\n"wide" = "' + "宽" * 40 + '"\n',
        encoding="utf-8")
    problems = comments.check(tmp_path, "zh")
    assert len(problems) == 3, problems
    assert "'not translated' has no translation" in problems[0]
    assert "wider than 84 columns" in problems[1]
    assert "'gone' translates no comment" in problems[2]
    assert comments.check(tmp_path, "en") == []


def test_every_comment_has_its_translation():
    """Every comment of every snippet section has a translation that fits the code column,
    and every translation is used (the build warns, and fails strict, on the same)."""
    problems = comments.check(ROOT / "snippets", "zh")
    assert not problems, "\n".join(problems)


def _typography(text: str) -> list[str]:
    rules = {
        "a space between Chinese and Latin letters or digits":
            f"[{CJK}][A-Za-z0-9]|[A-Za-z0-9][{CJK}]",
        "full-width punctuation next to Chinese": f"[{CJK}] ?[,:;!?]|[,:;!?] ?[{CJK}]",
        "no space next to full-width punctuation": f" [{FULL_WIDTH}]|[{FULL_WIDTH}] ",
        "full-width parentheses around Chinese": f"\\([^()]*[{CJK}][^()]*\\)",
    }
    return [rule for rule, pattern in rules.items() if re.search(pattern, text)]


def test_translations_follow_the_chinese_typography():
    """Full-width ，：；（） in Chinese text, a space between Chinese and Latin letters or
    digits, none next to full-width punctuation; code and math stay half-width."""
    table = comments.load_table(ROOT / "snippets", "zh")
    bad = [f"[{snippet}] {zh!r}: {rule}" for snippet, entries in table.items()
           for zh in entries.values() for rule in _typography(zh)]
    assert not bad, "\n".join(bad)
    assert _typography("差了0.5,两次") and not _typography("差了 0.5，两次")


@pytest.fixture(scope="module")
def expanders():
    from lossbook._site.build import snippet_expander

    config = load_config(str(ROOT / "mkdocs.yml"))
    plain = snippet_expander(config["mdx_configs"]["pymdownx.snippets"])
    return {lang: comments.expander(plain, ROOT / "snippets", lang) for lang in LANGS}


def _comment_texts(code: str) -> list[str]:
    return [c.text for c in comments.find_comments(code)]


@pytest.mark.parametrize("page", PAGES)
def test_both_languages_show_the_same_code_with_their_own_comments(page, expanders):
    """A page's code blocks, includes expanded as the build expands them (the notebook's
    cells), are the same in zh and en once comments are removed; the zh ones carry
    Chinese comments (or ones the table keeps as they are), the en ones English."""
    from lossbook._site.notebooks import page_cells

    code = {}
    for lang in LANGS:
        text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
        code[lang] = [c for kind, c in page_cells(text, expanders[lang]) if kind == "code"]
    assert [comments.strip_comments(c) for c in code["zh"]] == \
        [comments.strip_comments(c) for c in code["en"]], f"{page}: the code differs"
    kept = {en for entries in comments.load_table(ROOT / "snippets", "zh").values()
            for en, zh in entries.items() if en == zh}
    for block in code["zh"]:
        english = [t for t in _comment_texts(block)
                   if not re.search(f"[{CJK}{FULL_WIDTH}]", t) and t not in kept]
        assert not english, f"zh/{page}: comments left in English: {english}"
    for block in code["en"]:
        chinese = [t for t in _comment_texts(block) if re.search(f"[{CJK}{FULL_WIDTH}]", t)]
        assert not chinese, f"en/{page}: Chinese comments: {chinese}"


def test_the_built_pages_and_notebooks_show_their_languages_comments(built_site):
    """On the built site: the zh lesson, its notebook and its .py show the Chinese comment,
    the en ones the English comment; the code around it is the same."""
    english = "# kept to compare with other ways of training below"
    chinese = "# " + comments.load_table(ROOT / "snippets", "zh")["mse_yogurt"][english[2:]]
    for lang, root, shown, hidden in (("zh", built_site, chinese, english),
                                      ("en", built_site / "en", english, chinese)):
        page = html.unescape(re.sub(r"<[^>]+>", "", (root / "mse" / "index.html")
                                    .read_text(encoding="utf-8")))
        notebook = (root / "notebooks" / "download" / "mse.ipynb").read_text(encoding="utf-8")
        script = (root / "notebooks" / "mse.py").read_text(encoding="utf-8")
        for name, text in (("page", page), ("notebook", notebook), ("script", script)):
            assert f"w_init = w1.numpy()  {shown}" in text, f"{lang} {name}: no {shown!r}"
            assert hidden not in text, f"{lang} {name}: shows {hidden!r}"
