"""lossbook._site: the snippet runner, quoted values and MathML used by the build."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from conftest import ROOT
from lossbook._site import build, runner

SNIPPET = textwrap.dedent('''\
    """A test snippet."""

    # --8<-- [start:first]
    a = 2 + 3
    print("a is", a)
    # --8<-- [end:first]

    hidden = a * 10

    # --8<-- [start:plot]
    import matplotlib.pyplot as plt
    from lossbook.plotting import get_language
    fig, ax = plt.subplots()
    ax.set_title(get_language())
    # --8<-- [end:plot]
''')


class TestSplitSections:
    def test_sections_and_code_between_them(self):
        """Sections keep their names; code outside them is kept, in file order."""
        chunks = runner.split_sections(SNIPPET)
        assert [name for name, _ in chunks] == [None, "first", None, "plot"]
        assert "print" in chunks[1][1]

    def test_line_numbers_are_kept(self):
        """A section's code sits on its file line numbers, so tracebacks point right."""
        chunks = dict((name, code) for name, code in runner.split_sections(SNIPPET) if name)
        assert chunks["first"].splitlines()[4 - 1] == "a = 2 + 3"

    @pytest.mark.parametrize("text,message", [
        ("# --8<-- [start:a]\nx = 1\n", "never closed"),
        ("# --8<-- [start:a]\n# --8<-- [start:b]\n", "inside"),
        ("# --8<-- [start:a]\n# --8<-- [end:b]\n", "does not close"),
        ("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n# --8<-- [end:a]\n", "twice"),
    ])
    def test_malformed_markers_raise(self, text, message):
        """Unbalanced or repeated markers are errors, with the line."""
        with pytest.raises(ValueError, match=message):
            runner.split_sections(text, "s.py")


class TestRunSnippet:
    def test_writes_output_figures_and_values(self, tmp_path):
        """Each section's print output, one figure per language, and scalar values."""
        path = tmp_path / "demo.py"
        path.write_text(SNIPPET)
        runner.run_snippet(path, tmp_path / "out")
        out = tmp_path / "out" / "demo"
        assert (out / "first.txt").read_text() == "a is 5\n"
        assert "<svg" in (out / "plot.zh.svg").read_text()
        assert "<!-- zh -->" in (out / "plot.zh.svg").read_text()
        assert "<!-- en -->" in (out / "plot.en.svg").read_text()
        values = json.loads((out / runner.VALUES_FILE).read_text())
        assert values["a"] == 5 and values["hidden"] == 50

    def test_output_outside_sections_is_an_error(self, tmp_path):
        """Code the page does not show may not print."""
        path = tmp_path / "bad.py"
        path.write_text('print("hidden")\n# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\n')
        with pytest.raises(RuntimeError, match="outside a section"):
            runner.run_snippet(path, tmp_path / "out")


class TestCache:
    def test_key_changes_with_the_snippet_src_and_packages(self, tmp_path):
        """Editing the snippet or a module under src/, or other installed versions,
        invalidates the cached run; the benchmark module (no lesson imports it) does not."""
        snippet, src = tmp_path / "s.py", tmp_path / "src"
        src.mkdir()
        snippet.write_text("x = 1\n")
        (src / "m.py").write_text("y = 1\n")
        (src / "bench.py").write_text("z = 1\n")
        key = build.cache_key(snippet, src)
        assert build.cache_key(snippet, src) == key
        (src / "bench.py").write_text("z = 2\n")
        assert build.cache_key(snippet, src) == key
        (src / "m.py").write_text("y = 2\n")
        key2 = build.cache_key(snippet, src)
        assert key2 != key
        snippet.write_text("x = 2\n")
        key3 = build.cache_key(snippet, src)
        assert key3 != key2
        assert build.cache_key(snippet, src, env="tensorflow-cpu==0.0") != key3

    def test_environment_names_the_installed_versions(self):
        import tensorflow as tf

        assert f"=={tf.__version__}" in build.environment()


class TestEnsureRuns:
    def test_runs_as_scripts_and_reports_every_failure(self, tmp_path):
        """Each snippet runs in its own process as __main__; all failures are reported."""
        snippets, src, out = tmp_path / "snippets", tmp_path / "src" / "pkg", tmp_path / "out"
        snippets.mkdir()
        src.mkdir(parents=True)
        (snippets / "good.py").write_text(
            '# --8<-- [start:a]\nprint("as", __name__)\n# --8<-- [end:a]\n')
        (snippets / "bad1.py").write_text("raise RuntimeError('first broken')\n")
        (snippets / "bad2.py").write_text("import no_such_module_here\n")
        with pytest.raises(RuntimeError, match="2 snippet") as info:
            build.ensure_runs(snippets, out, src, jobs=2)
        assert "first broken" in str(info.value) and "no_such_module_here" in str(info.value)
        assert (out / "good" / "a.txt").read_text() == "as __main__\n"
        # The good one is cached; the broken ones run again next time.
        assert [p.name for p in build.stale_snippets(snippets, out, src)] == ["bad1.py", "bad2.py"]


class TestSubstituteValues:
    @pytest.fixture
    def out_dir(self, tmp_path):
        (tmp_path / "demo").mkdir()
        (tmp_path / "demo" / runner.VALUES_FILE).write_text(
            json.dumps({"gap": 0.003329, "w": [[1.00098], [0.99775]], "n": 32})
        )
        return tmp_path

    def test_formats_and_indexes(self, out_dir):
        """Format specs and indexes apply to the recorded values."""
        text = "gap {{ demo.gap:.1e }}, w0 {{ demo.w[0][0]:.4f }}, n {{demo.n}}"
        assert build.substitute_values(text, out_dir) == "gap 3.3e-03, w0 1.0010, n 32"

    @pytest.mark.parametrize("text", ["{{ demo.missing }}", "{{ other.gap }}"])
    def test_unknown_names_raise(self, out_dir, text):
        """A value that no run recorded is an error, never an empty string."""
        with pytest.raises(KeyError):
            build.substitute_values(text, out_dir)


class TestMathToMathML:
    def test_inline_and_block(self):
        """arithmatex's generic markup becomes MathML, with no TeX left in the text."""
        html = ('<p><span class="arithmatex">\\(x_1 &lt; y\\)</span></p>'
                '<div class="arithmatex">\\[\n\\frac{1}{n}\n\\]</div>')
        out = build.math_to_mathml(html)
        assert out.count("<math") == 3  # the inline one in two pieces: "x_1 <" and "y"
        assert 'display="block"' in out and "<mfrac>" in out
        assert "\\(" not in out and "\\[" not in out

    @pytest.mark.parametrize("tex,pieces", [
        (r"H = -\ln p", [r"H =", r"-\ln p"]),
        (r"\hat{y} = x_1 + x_2", [r"\hat{y} =", "x_1 +", "x_2"]),
        (r"\tau = P/(P+C)", [r"\tau =", "P/(P+C)"]),  # not inside parentheses
        (r"[-0.05, 0.05)", [r"[-0.05, 0.05)"]),  # a minus sign is not binary
        (r"a^{-1} \leq b", [r"a^{-1} \leq", "b"]),
        (r"\begin{cases} a = b \end{cases}", [r"\begin{cases} a = b \end{cases}"]),
    ])
    def test_inline_math_may_break_where_tex_would(self, tex, pieces):
        """A long inline formula can wrap on a phone: it is split after top-level relations
        and binary operators, each piece a <math> of its own with a break between them."""
        assert build.inline_pieces(tex) == pieces
        html = build.math_to_mathml(f'<span class="arithmatex">\\({tex}\\)</span>')
        assert html.count("<math") == len(pieces) and html.count("<wbr>") == len(pieces) - 1

    def test_punctuation_stays_with_its_formula(self):
        """The full stop after an inline formula cannot start the next line."""
        out = build.math_to_mathml('<p>is <span class="arithmatex">\\(a = b\\)</span>. Next'
                                   ' <span class="arithmatex">\\(c\\)</span> d</p>')
        assert '<span class="lossbook-nowrap"><math data-tex="b"' in out
        assert out.count("lossbook-nowrap") == 1 and "</math>.</span></span> Next" in out

    @pytest.mark.parametrize("tex,spaces", [
        (r"\ln p", 1), (r"-\ln(x)", 0), (r"\sum p_i \ln p_i", 2), (r"\log 2", 1),
    ])
    def test_functions_are_spaced_from_their_operands(self, tex, spaces):
        """\\ln p reads "ln p", not "lnp": a thin space next to an operand, as TeX sets it."""
        assert build.tex_to_mathml(tex, "block").count("<mspace") == spaces

    def test_unsupported_commands_raise(self):
        """A command latex2mathml cannot typeset fails the build instead of showing raw TeX."""
        with pytest.raises(ValueError, match="arg"):
            build.math_to_mathml('<span class="arithmatex">\\(\\arg\\min_w f\\)</span>')


def math_body(tex: str) -> str:
    """The MathML of a display formula, inside its <math><mrow>."""
    mathml = build.tex_to_mathml(tex, "block")
    start = mathml.index("><mrow>") + len("><mrow>")
    return mathml[start: mathml.rindex("</mrow></math>")]


APPLY = "<mo>&#x02061;</mo>"  # U+2061 FUNCTION APPLICATION
THIN = '<mspace width="0.1667em" />'
OPEN, CLOSE = '<mo stretchy="false">&#x00028;</mo>', '<mo stretchy="false">&#x00029;</mo>'


class TestNameFunctions:
    """latex2mathml 3.81.1's output, pinned: a new version that changes it fails here."""

    def test_a_function_of_a_function(self):
        """\\ln \\mathrm{softmax}(z)_i reads "ln of softmax of z", with a gap after ln."""
        assert math_body(r"\ln \mathrm{softmax}(z)_i") == (
            f'<mi>ln</mi>{APPLY}{THIN}<mi mathvariant="normal">softmax</mi>{APPLY}{OPEN}'
            f"<mi>z</mi><msub>{CLOSE}<mi>i</mi></msub>")

    @pytest.mark.parametrize("tex,mathml", [
        (r"\ln p", f"<mi>ln</mi>{APPLY}{THIN}<mi>p</mi>"),
        (r"-\ln(x)",
         f"<mo form=\"prefix\">&#x02212;</mo><mi>ln</mi>{APPLY}{OPEN}<mi>x</mi>{CLOSE}"),
        (r"\log_2 x", f"<msub><mi>log</mi><mn>2</mn></msub>{APPLY}{THIN}<mi>x</mi>"),
        (r"\log \exp x", f"<mi>log</mi>{APPLY}{THIN}<mi>exp</mi>{APPLY}{THIN}<mi>x</mi>"),
        (r"\ln", "<mi>ln</mi>"),
        (r"a \ln b", f"<mi>a</mi>{THIN}<mi>ln</mi>{APPLY}{THIN}<mi>b</mi>"),
    ])
    def test_operator_names_apply_to_their_argument(self, tex, mathml):
        """\\ln-like names get U+2061 before an argument, and TeX's thin space unless a
        parenthesis follows."""
        assert math_body(tex) == mathml

    @pytest.mark.parametrize("tex,mathml", [
        (r"\mathrm{softmax}", '<mi mathvariant="normal">softmax</mi>'),
        (r"\mathrm{MSE}(y)", f'<mi mathvariant="normal">MSE</mi>{APPLY}{OPEN}<mi>y</mi>{CLOSE}'),
        (r"\mathrm{PROFIT}+\mathrm{COST}",
         '<mi mathvariant="normal">PROFIT</mi><mo>&#x0002B;</mo>'
         '<mi mathvariant="normal">COST</mi>'),
        (r"D_{\mathrm{KL}}",
         '<msub><mi>D</mi><mrow><mi mathvariant="normal">KL</mi></mrow></msub>'),
        (r"\operatorname{softmax}(z)", f"<mi>softmax</mi>{APPLY}{OPEN}<mi>z</mi>{CLOSE}"),
        (r"\mathrm{d}y", '<mi mathvariant="normal">d</mi><mi>y</mi>'),
    ])
    def test_upright_words_are_one_token(self, tex, mathml):
        """A \\mathrm or \\operatorname word is one <mi>, not one per letter (a screen
        reader would spell it out); a word applied to (...) gets U+2061."""
        assert math_body(tex) == mathml

    @pytest.mark.parametrize("tex,mathml", [
        (r"\text{噪声}", "<mtext>噪声</mtext>"),
        (r"x + \text{noise}", "<mi>x</mi><mo>&#x0002B;</mo><mtext>noise</mtext>"),
    ])
    def test_text_is_one_mtext(self, tex, mathml):
        """\\text{...}, Chinese included, is one <mtext>."""
        assert math_body(tex) == mathml

    @pytest.mark.parametrize("tex", [r"\hat{y}_i", r"\hat y_i", r"\hat{y}"])
    def test_hat_y_is_an_accent(self, tex):
        """The prediction \\hat{y} is a y with a hat accent, and its subscript attaches to
        the whole hat-y."""
        body = math_body(tex).replace("<mrow><mi>y</mi></mrow>", "<mi>y</mi>")
        hat_y = '<mover accent="true"><mi>y</mi><mo>&#x0005E;</mo></mover>'
        assert body == (f"<msub>{hat_y}<mi>i</mi></msub>" if "_i" in tex else hat_y)

    @pytest.mark.parametrize("tex,mathml", [
        (r"\max_j z_j", "<msub><mo>max</mo><mi>j</mi></msub><msub><mi>z</mi><mi>j</mi></msub>"),
        (r"\lambda_{\max}", "<msub><mi>&#x003BB;</mi><mrow><mo>max</mo></mrow></msub>"),
        (r"\sum_i p_i", "<munder><mo>&#x02211;</mo><mi>i</mi></munder>"
                        "<msub><mi>p</mi><mi>i</mi></msub>"),
        (r"\partial L \leq 1", "<mo>&#x02202;</mo><mi>L</mi><mo>&#x02264;</mo><mn>1</mn>"),
        (r"\big( a \big)", '<mo minsize="1.2em" maxsize="1.2em">(</mo><mi>a</mi>'
                           '<mo minsize="1.2em" maxsize="1.2em">)</mo>'),
        (r"p \,\|\, q", '<mi>p</mi><mspace width="0.167em" /><mo fence="false" '
                         'stretchy="false">&#x02016;</mo><mspace width="0.167em" /><mi>q</mi>'),
    ])
    def test_other_symbols_are_untouched(self, tex, mathml):
        """Large operators, limits, relations and delimiters keep latex2mathml's markup."""
        assert math_body(tex) == mathml

    @pytest.mark.parametrize("tex", [r"y\_ = x", r"H(y\_, z) = -\sum_i y\__i \ln p_i"])
    def test_an_escaped_underscore_fails_the_build(self, tex):
        """\\_ in math (the old y\\_ notation for the label) is an error naming the formula."""
        with pytest.raises(ValueError, match=r"writes \\_ in math") as error:
            build.math_to_mathml(f'<span class="arithmatex">\\({tex}\\)</span>')
        assert repr(tex) in str(error.value)


class TestJsonValues:
    @pytest.mark.parametrize("value,expected", [
        (3, 3), (0.5, 0.5), ([1.0, 2], [1.0, 2]), ((1, [2, 3]), [1, [2, 3]]),
        ("text", "text"), (object(), None), ([1, object()], None), ([], None),
    ])
    def test_recorded_values(self, value, expected):
        """Numbers, strings, small arrays and lists of numbers are recorded; others are not."""
        assert runner._json_value(value) == expected


class TestNotebookCells:
    PAGE = textwrap.dedent('''\
        # Title { #title }

        Prose with [a link](other.md#part) and $x^2$.

        ```python
        print("hi")
        ```

        ```text title="Output"
        hi
        ```

        ![a figure](figures/s/f.svg){ loading=lazy }

        === "Tab"

            ```python
            y = 2
            ```

        ??? success "Solutions"

            **1.** Because.
    ''')

    def test_prose_code_and_what_is_dropped(self):
        """Headings lose anchors, links keep their text, outputs and figures go."""
        from lossbook._site import notebooks

        cells = notebooks.page_cells(self.PAGE, expand=lambda code: code)
        kinds = [kind for kind, _ in cells]
        assert kinds == ["markdown", "code", "markdown", "code", "markdown"]
        assert cells[0][1].startswith("# Title\n") and "a link" in cells[0][1]
        assert "other.md" not in cells[0][1] and "$x^2$" in cells[0][1]
        assert cells[1][1] == 'print("hi")' and cells[3][1] == "y = 2"
        assert "**Tab**" in cells[2][1] and "figures/" not in "".join(t for _, t in cells)
        assert "**Solutions**" in cells[4][1] and "**1.** Because." in cells[4][1]

    def test_an_image_line_it_cannot_drop_is_an_error(self):
        """Brackets in the alt text once left a figure's markdown in a notebook."""
        from lossbook._site import notebooks

        page = "Text.\n\n![logits [2, 1] as bars](figures/s/f.svg){ loading=lazy }\n"
        with pytest.raises(ValueError, match="image line"):
            notebooks.page_cells(page, expand=lambda code: code)

    def test_script_runs_and_the_install_cell_is_inserted(self):
        """The percent script is valid Python; the install cell goes after the intro."""
        import nbformat

        from lossbook._site import notebooks

        cells = notebooks.page_cells(self.PAGE, expand=lambda code: code)
        script = notebooks.percent_script(cells, "en")
        compile(script, "lesson.py", "exec")
        assert script.startswith("# %% [markdown]\n# # Title · notebook")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("intro"),
                                             nbformat.v4.new_code_cell("x = 1")])
        script2, notebook = notebooks.with_install_cell(
            script, nbformat.writes(nb), "en", "https://example.org/lossbook")
        compile(script2, "lesson.py", "exec")
        cell = nbformat.reads(notebook, 4).cells[1].source
        assert "'https://example.org/lossbook/simple/'" in cell
        assert script2.index(notebooks.INSTALL_MARK) < script2.index("set_language(")

    @pytest.mark.parametrize("site_url", [None, "https://example.org/"])
    def test_the_install_cell_does_nothing_when_lossbook_is_there(self, site_url):
        """Here lossbook is installed: the cell runs and installs nothing."""
        from lossbook._site import notebooks

        for lang in ("zh", "en"):
            exec(notebooks.install_cell(lang, site_url), {})

    def test_without_the_sites_address_the_cell_says_how_to_install(self):
        """No site_url at build time: a missing lossbook is named, with what to run."""
        from lossbook._site import notebooks

        cell = notebooks.install_cell("en", None)
        missing = cell.replace(notebooks.INSTALL_MARK, "True")
        with pytest.raises(ModuleNotFoundError, match="Run this lesson"):
            exec(missing, {})

    def test_the_install_cell_runs_pip_with_the_sites_index(self):
        """With the address: pip install --extra-index-url <site>/simple/ lossbook[cpu,figures]."""
        from lossbook._site import notebooks

        calls = []
        fake = type("subprocess", (), {"run": staticmethod(lambda *a, **k: calls.append(a))})
        cell = notebooks.install_cell("zh", "http://127.0.0.1:8000/").replace(
            notebooks.INSTALL_MARK, "True").replace("import subprocess\n", "")
        exec(cell, {"subprocess": fake})
        assert calls[0][0][4:] == ["--extra-index-url", "http://127.0.0.1:8000/simple/",
                                   "lossbook[cpu,figures]"]


class TestCompactSearchIndex:
    def test_same_content_fewer_bytes(self, tmp_path):
        """The index keeps its content, Chinese costs 3 bytes a character instead of 6."""
        data = {"config": {"separator": "[\\s\\u200b]+"},
                "docs": [{"location": "", "title": "损失函数", "text": "均方\u200b误差 (MSE)"}]}
        path = tmp_path / "search_index.json"
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        before = path.stat().st_size
        build.compact_search_index(path)
        assert json.loads(path.read_text(encoding="utf-8")) == data
        assert path.stat().st_size < before
        assert "均方" in path.read_text(encoding="utf-8")

    def test_drops_only_zero_width_spaces_that_separate_nothing(self, tmp_path):
        """Beside a separator character the U+200B goes; the words search finds (the
        text split by the site's separator) are the same; elsewhere it stays."""
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        Loader.add_multi_constructor("", lambda loader, suffix, node: None)
        config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
        separator = next(p["search"] for p in config["plugins"]
                         if isinstance(p, dict) and "search" in p)["separator"]
        text = "\u200b均方\u200b误差\u200b，\u200b它\u200b （\u200bMSE\u200b）\u200b。"
        data = {"config": {}, "docs": [{"location": "", "title": "损失\u200b函数",
                                        "text": text}]}
        path = tmp_path / "search_index.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        build.compact_search_index(path)
        doc = json.loads(path.read_text(encoding="utf-8"))["docs"][0]
        assert doc["text"] == "\u200b均方\u200b误差，它 （MSE）。"
        assert doc["title"] == "损失\u200b函数"

        def words(value):
            return [w for w in re.split(separator, value) if w]

        assert words(doc["text"]) == words(text) == ["均方", "误差", "它", "MSE"]


class TestBenchTables:
    def test_committed_tables_are_generated_from_the_committed_results(self):
        """bench/results.{zh,en}.md are exactly what `make bench` makes of results.json."""
        from lossbook.bench import LABELS, OUT, tables

        results = json.loads((OUT / "results.json").read_text())
        for lang in LABELS:
            assert (OUT / f"results.{lang}.md").read_text() == tables(results, lang), (
                f"bench/results.{lang}.md was edited by hand or is stale: run make bench"
            )


class TestReplayedNotebook:
    """A lesson's notebook gets, under each cell, its snippet section's recorded run."""

    def test_each_cell_shows_what_its_section_printed_and_drew(self, tmp_path):
        import base64

        from lossbook._site import notebooks

        runs = tmp_path / "run"
        (runs / "s").mkdir(parents=True)
        (runs / "s" / "a.txt").write_text("a printed\n")
        (runs / "s" / "b.txt").write_text("")
        (runs / "s" / "b.zh.png").write_bytes(b"\x89PNG zh")
        (runs / "s" / "b.en.png").write_bytes(b"\x89PNG en")
        page = ('# T\n\n```python\n--8<-- "s.py:a"\n```\n\ntext\n\n'
                '```python\n--8<-- "s.py:b"\n```\n')
        sources = []
        cells = notebooks.page_cells(page, expand=lambda code: "x = 1", sources=sources)
        assert sources == [("s", "a"), ("s", "b")]
        nb = notebooks.replay(notebooks.percent_script(cells, "zh"), "zh", sources, runs)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == [1, 2, 3]
        assert code[0].outputs == [] and code[1].outputs[0]["text"] == "a printed\n"
        assert len(code[2].outputs) == 1
        assert base64.b64decode(code[2].outputs[0]["data"]["image/png"]) == b"\x89PNG zh"

    def test_a_block_that_is_not_one_section_is_refused(self, tmp_path):
        from lossbook._site import notebooks

        page = "# T\n\n```python\nx = 1\n```\n"
        sources = []
        cells = notebooks.page_cells(page, expand=lambda code: code, sources=sources)
        with pytest.raises(ValueError, match="single --8<-- include"):
            notebooks.replay(notebooks.percent_script(cells, "en"), "en", sources, tmp_path)


class TestBenchTableRows:
    def test_every_table_row_has_its_header_cells(self):
        """A stray '|' in a cell would turn a table into a paragraph of pipes."""
        import re

        from lossbook.bench import LABELS, OUT

        for lang in LABELS:
            header = None
            for line in (OUT / f"results.{lang}.md").read_text().splitlines():
                if not line.startswith("|"):
                    header = None
                    continue
                cells = len(re.split(r"(?<!\\)\|", line)) - 2
                if header is None:
                    header = cells
                assert cells == header, f"results.{lang}.md: {line!r} has {cells} cells"


class TestRunTimeout:
    def test_a_snippet_that_runs_too_long_is_stopped_and_named(self, tmp_path):
        snippets, src, out = tmp_path / "snippets", tmp_path / "src" / "pkg", tmp_path / "out"
        snippets.mkdir()
        src.mkdir(parents=True)
        (snippets / "slow.py").write_text("import time\ntime.sleep(120)\n")
        (snippets / "quick.py").write_text('# --8<-- [start:a]\nprint(1)\n# --8<-- [end:a]\n')
        with pytest.raises(RuntimeError, match=r"slow\.py ---\nstill running after 3 s"):
            build.ensure_runs(snippets, out, src, jobs=2, timeout=3)
        assert (out / "quick" / "a.txt").read_text() == "1\n"


class TestRunAlone:
    def test_the_marker_is_read(self, tmp_path):
        path = tmp_path / "s.py"
        path.write_text('"""Times something."""\n# lossbook: run alone (it times code)\nx = 1\n')
        assert runner.runs_alone(path)
        path.write_text('x = "# lossbook: run alone"\n')
        assert not runner.runs_alone(path)

    def test_timing_snippets_run_after_the_others_and_alone(self, tmp_path):
        """With two jobs, a snippet marked to run alone starts after every other snippet
        has finished (even one listed after it), and nothing starts beside it."""
        snippets, src, out = tmp_path / "snippets", tmp_path / "src" / "pkg", tmp_path / "out"
        snippets.mkdir()
        src.mkdir(parents=True)
        body = ('import time\n# --8<-- [start:a]\nstart = time.time()\ntime.sleep(0.6)\n'
                'print(start, time.time())\n# --8<-- [end:a]\n')
        for name in ("quick1", "quick2", "quick3"):
            (snippets / f"{name}.py").write_text(body)
        for name in ("timed1", "timed2"):
            (snippets / f"{name}.py").write_text("# lossbook: run alone\n" + body)
        build.ensure_runs(snippets, out, src, jobs=2)
        spans = {p.stem: tuple(map(float, (out / p.stem / "a.txt").read_text().split()))
                 for p in snippets.glob("*.py")}
        for timed in ("timed1", "timed2"):
            start, end = spans[timed]
            for other, (other_start, other_end) in spans.items():
                if other != timed:
                    assert other_end <= start or other_start >= end, (
                        f"{other} ran beside {timed}")
        assert min(spans["timed1"][0], spans["timed2"][0]) >= max(
            spans[q][1] for q in ("quick1", "quick2", "quick3"))
        # The quick ones did run two at a time.
        assert any(spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]
                   for a in ("quick1", "quick2", "quick3")
                   for b in ("quick1", "quick2", "quick3") if a < b)


class TestPrefixMinus:
    """A sign is set as a prefix operator (no space after it), a subtraction as infix."""

    @pytest.mark.parametrize("tex", ["[-0.05, 0.05)", "(2, -1)", r"-\ln p", r"e^{-x}",
                                     r"x = -1"])
    def test_a_sign_is_prefix(self, tex):
        from lossbook._site.build import tex_to_mathml

        assert '<mo form="prefix">&#x02212;</mo>' in tex_to_mathml(tex, "block")

    @pytest.mark.parametrize("tex", ["a - b", "(x) - 1", r"1 - 10^{-7}"])
    def test_a_subtraction_is_not(self, tex):
        from lossbook._site.build import tex_to_mathml

        mathml = tex_to_mathml(tex, "block")
        assert "<mo>&#x02212;</mo>" in mathml


class TestCutStylesheets:
    """lossbook._site.css: the rules of a page's inline stylesheets that cannot apply go."""

    PAGE = ('<html><body><div class="jupyter-wrapper"><div class="jp-Cell a">'
            '<pre id="x">code</pre></div></div>{styles}</body></html>')

    def cut(self, css):
        from lossbook._site.css import purge_page

        page = self.PAGE.format(styles=f"<style>{css}</style>")
        return purge_page(page).split("<style>")[1].split("</style>")[0]

    def test_a_rule_for_classes_not_on_the_page_goes(self):
        out = self.cut(".jp-Dialog{color:red}.jupyter-wrapper .jp-Cell{color:blue}")
        assert out == ".jupyter-wrapper .jp-Cell{color:blue}"

    def test_a_selector_list_keeps_the_selectors_that_can_match(self):
        out = self.cut(".jp-Menu,.a,pre#x,pre#y,table.b{margin:0}")
        assert out == ".a,pre#x{margin:0}"

    def test_what_sits_in_not_and_attributes_requires_nothing(self):
        out = self.cut(".a:not(.jp-mod-hidden){top:0}[data-md-color-scheme=slate] .a{top:1px}"
                       ".a:hover::after{top:2px}")
        assert out == (".a:not(.jp-mod-hidden){top:0}[data-md-color-scheme=slate] .a{top:1px}"
                       ".a:hover::after{top:2px}")

    def test_media_blocks_are_cut_inside_and_dropped_when_empty(self):
        out = self.cut("@media (max-width:760px){.jp-Toolbar{top:0}.a{top:1px}}"
                       "@media print{.jp-Toolbar{top:0}}")
        assert out == "@media (max-width:760px){.a{top:1px}}"

    def test_custom_properties_stay_only_when_used_through_a_chain(self):
        out = self.cut(".jupyter-wrapper{--used:var(--base);--base:1px;--unused:2px}"
                       ".a{margin:var(--used)}")
        assert out == ".jupyter-wrapper{--used:var(--base);--base:1px}.a{margin:var(--used)}"

    def test_a_python_list_written_as_a_stylesheet_goes(self):
        from lossbook._site.css import purge_page

        page = self.PAGE.format(styles="<style>\n['pre { line-height: 125%; }']\n</style>")
        assert "<style" not in purge_page(page)


class TestCutSiteStylesheet:
    """lossbook._site.css.purge_site_stylesheet: Material's stylesheet, cut to the site."""

    CSS = (".md-typeset{color:red}.md-banner{top:0}.md-search-result__item{margin:0}"
           ".tabbed-control--next{right:0}.md-annotation{left:0}"
           ":root{--md-used:1px;--md-unused:2px}.md-typeset{padding:var(--md-used)}")

    def site(self, tmp_path):
        styles = tmp_path / "assets" / "stylesheets"
        styles.mkdir(parents=True)
        (styles / "main.abc.min.css").write_text(self.CSS)
        (styles / "palette.x.min.css").write_text("")
        scripts = tmp_path / "assets" / "javascripts"
        scripts.mkdir(parents=True)
        (scripts / "bundle.js").write_text(
            'x("li",{class:"md-search-result__item"});let t=`tabbed-control--${e}`;')
        link = '<link rel="stylesheet" href="{}assets/stylesheets/main.abc.min.css">'
        (tmp_path / "index.html").write_text(link.format("") + '<div class="md-typeset">')
        (tmp_path / "page").mkdir()
        (tmp_path / "page" / "index.html").write_text(link.format("../"))
        (tmp_path / "en").mkdir()  # a sub-site, which cuts its own
        (tmp_path / "en" / "index.html").write_text(
            link.format("") + '<div class="md-annotation">')
        return tmp_path

    def test_keeps_what_pages_and_scripts_use_and_renames(self, tmp_path):
        from lossbook._site.css import purge_site_stylesheet

        site = self.site(tmp_path)
        before, after = purge_site_stylesheet(site, skip=["en/"])
        assert (before, after) == (len(self.CSS), after) and after < before
        styles = site / "assets" / "stylesheets"
        assert not (styles / "main.abc.min.css").exists()
        [cut] = styles.glob("main.*.cut.css")
        text = cut.read_text()
        # On a page; added by a script; named by a script's template string.
        assert ".md-typeset{color:red}" in text
        assert ".md-search-result__item{margin:0}" in text
        assert ".tabbed-control--next{right:0}" in text
        # Used nowhere, or only by the skipped sub-site; an unused custom property.
        assert "md-banner" not in text and "md-annotation" not in text
        assert "--md-used:1px" in text and "--md-unused" not in text
        assert cut.name in (site / "page" / "index.html").read_text()
        assert cut.name in (site / "index.html").read_text()
        assert "main.abc.min.css" in (site / "en" / "index.html").read_text()

    def test_a_site_without_materials_stylesheet_is_left_alone(self, tmp_path):
        from lossbook._site.css import purge_site_stylesheet

        assert purge_site_stylesheet(tmp_path) is None


class TestSlimNotebookPage:
    CELL = ('<div class="jupyter-wrapper"><clipboard-copy for="cell-1"><div>'
            '<svg aria-hidden="true" class="clipboard-copy-icon" height="20" width="20">'
            '<path d="M0 0"></path></svg></div></clipboard-copy>'
            '<div class="highlight-ipynb hl-python"><pre><span></span><span class="n">x</span>'
            ' <span class="o">=</span> 1\n</pre></div>\n'
            '<div class="clipboard-copy-txt" id="cell-1">x = 1</div></div>')

    def test_the_copy_button_copies_the_highlighted_code_drawn_with_one_icon(self):
        out = build.slim_notebook_page(self.CELL + self.CELL.replace("cell-1", "cell-2"))
        assert "clipboard-copy-txt" not in out
        assert '<pre id="cell-1">' in out and '<pre id="cell-2">' in out
        assert out.count('<path d="M0 0">') == 1 and out.count(f'href="#{build.COPY_ICON_ID}"') == 2

    def test_externalized_images_load_lazily_from_files_named_by_content(self, tmp_path):
        import base64

        data = bytes(range(256)) * 20
        page = (f'<img alt="" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
                f'<img src="data:image/png;base64,{base64.b64encode(b"tiny").decode()}">')
        out = build.externalize_images(page, tmp_path)
        (saved,) = tmp_path.iterdir()
        assert saved.read_bytes() == data
        assert f'src="{saved.name}" loading="lazy"' in out and "base64,dGlueQ==" in out

    def test_code_and_outputs_are_marked_out_of_search(self):
        page = ('<div class="language-python highlight"><pre>x</pre></div>'
                '<div class="lossbook-run" data-root="../">box</div><p>prose</p>')
        out = build.keep_code_out_of_search(page)
        assert out.count('data-search-exclude="true"') == 2 and "<p>prose</p>" in out


class TestSlimCodeBlocks:
    def test_unwraps_name_and_whitespace_spans_in_code_blocks_only(self):
        page = ('<p><span class="n">prose</span></p>'
                '<div class="language-python highlight" data-search-exclude><pre><code>'
                '<span class="kn">import</span><span class="w"> </span>'
                '<span class="n">np</span><span class="p">.</span></code></pre></div>')
        slim = build.slim_code_blocks(page)
        assert slim == ('<p><span class="n">prose</span></p>'
                        '<div class="language-python highlight" data-search-exclude><pre><code>'
                        '<span class="kn">import</span> np<span class="p">.</span>'
                        '</code></pre></div>')
        assert re.sub("<[^>]+>", "", slim) == re.sub("<[^>]+>", "", page)  # same text


class TestSlimSvg:
    def test_cuts_decimals_and_indentation_and_keeps_the_drawing(self):
        """Numbers keep two decimals, lines lose their indentation; the same elements
        with the same attributes otherwise (Matplotlib's own output)."""
        import io
        import xml.etree.ElementTree as ET

        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([0.123456, 1.987654], [3.14159265, 2.7182818])
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
        svg = buffer.getvalue()
        slim = runner.slim_svg(svg)
        assert len(slim) < 0.95 * len(svg)
        assert not re.search(r"\d\.\d{3}", slim) and "\n " not in slim
        before, after = ET.fromstring(svg.encode()), ET.fromstring(slim.encode())
        assert [e.tag for e in before.iter()] == [e.tag for e in after.iter()]
        for a, b in zip(before.iter(), after.iter(), strict=True):
            assert a.attrib.keys() == b.attrib.keys()


class TestWidgets:
    """build.insert_widgets / widget_assets: an explorable figure's box, data and code."""

    LINE = "<!-- lossbook-widget: demo snip.widget -->"

    def write(self, tmp_path, values):
        (tmp_path / "snip").mkdir()
        (tmp_path / "snip" / runner.VALUES_FILE).write_text(json.dumps(values))
        return tmp_path

    def test_the_line_becomes_a_box_with_the_data_as_json(self, tmp_path):
        out = self.write(tmp_path, {"widget": {"x": [1.5, 2], "note": "a</script>b"}})
        page = build.insert_widgets(f"text\n\n{self.LINE}\n\nmore", out)
        box = re.search(r'<div class="lossbook-widget" data-widget="demo">'
                        r'<script type="application/json">(.*?)</script></div>', page)
        assert box and "</script>b" not in box[1]
        assert json.loads(box[1]) == {"x": [1.5, 2], "note": "a</script>b"}
        assert page.startswith("text\n\n") and page.endswith("\n\nmore")

    def test_a_missing_or_unusable_value_is_an_error_that_names_it(self, tmp_path):
        out = self.write(tmp_path, {"widget": 3.0, "nan": {"v": float("nan")}})
        with pytest.raises(KeyError, match="snip.py has no dict 'widget'"):
            build.insert_widgets(self.LINE, out, where="zh/x.md")
        with pytest.raises(KeyError, match="no dict 'other'"):
            build.insert_widgets(self.LINE.replace("widget -->", "other -->"), out)
        with pytest.raises(ValueError, match="zh/x.md"):
            build.insert_widgets(self.LINE.replace("widget -->", "nan -->"), out, "zh/x.md")
        with pytest.raises(KeyError, match="names snippet 'gone', which has no run"):
            build.insert_widgets(self.LINE.replace("snip.", "gone."), out, "zh/x.md")

    def test_runs_keep_a_small_dict_whole_or_not_at_all(self):
        import numpy as np

        assert runner._json_value({"w": np.zeros((2, 1)), "n": 3}) == {"w": [[0.0], [0.0]],
                                                                       "n": 3}
        assert runner._json_value({"big": np.zeros(65)}) is None
        assert runner._json_value({1: 2}) is None

    def test_only_a_page_with_a_widget_loads_its_code(self):
        page = "<html><head></head><body>x</body></html>"
        assert build.widget_assets(page, "../") == page
        held = page.replace("x", '<div class="lossbook-widget" data-widget="demo">')
        linked = build.widget_assets(held, "../")
        head, body = linked.split("</head>")
        assert 'href="../assets/stylesheets/widget-common.css"' in head
        assert 'href="../assets/stylesheets/widget-demo.css"' in head
        assert body.count('<script src="../assets/javascripts/widget-demo.js" defer>') == 1

    def test_notebooks_leave_the_line_out(self):
        from lossbook._site.notebooks import page_cells

        cells = page_cells(f"Some prose.\n\n{self.LINE}\n\nMore prose.", lambda text: text)
        assert cells == [("markdown", "Some prose.\n\n\nMore prose.")]
