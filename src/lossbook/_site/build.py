"""The pieces of the site build: cached snippet runs, quoted values, math as MathML.

The MkDocs hook ``docs/hooks/lossbook_site.py`` calls these; the tests call them too.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree.ElementTree import Element, tostring
from xml.sax.saxutils import unescape

from lossbook._site.runner import META_FILE, VALUES_FILE

KEY_FILE = ".key"
# Bump when how a snippet is run changes in a way the hashed files do not show.
RUNNER_VERSION = "2"
# Packages whose version can change what a snippet prints or draws.
RUN_PACKAGES = ("tensorflow-cpu", "tensorflow", "keras", "numpy", "matplotlib", "mplfonts")


def environment() -> str:
    """Python and the versions of the packages the runs depend on, as one line."""
    from importlib import metadata

    versions = []
    for name in RUN_PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}: none")
    return f"python {sys.version_info[:3]}; " + ", ".join(versions)


def source_digest(digest, src_dir: Path, env: str | None = None):
    """Feeds ``src/lossbook`` (but ``bench.py``, which no lesson imports) and the
    environment into ``digest``."""
    for path in sorted(src_dir.rglob("*.py")):
        relative = path.relative_to(src_dir).as_posix()
        if relative == "bench.py":
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    digest.update((env if env is not None else environment()).encode())
    return digest


def cache_key(snippet: Path, src_dir: Path, env: str | None = None) -> str:
    """A hash of everything a snippet's outputs depend on: itself, ``src/lossbook`` and
    the installed versions of Python, TensorFlow, Keras, NumPy and Matplotlib."""
    digest = hashlib.sha256(RUNNER_VERSION.encode())
    digest.update(snippet.read_bytes())
    return source_digest(digest, src_dir, env).hexdigest()


def stale_snippets(snippets_dir: Path, out_dir: Path, src_dir: Path, env: str | None = None):
    """The snippets whose recorded outputs are missing or out of date."""
    stale, env = [], env if env is not None else environment()
    for snippet in sorted(snippets_dir.glob("*.py")):
        key_file = out_dir / snippet.stem / KEY_FILE
        if not key_file.exists() or key_file.read_text() != cache_key(snippet, src_dir, env):
            stale.append(snippet)
    return stale


def _expected_seconds(snippet: Path, out_dir: Path) -> float:
    """How long the snippet took last time (its size stands in before a first run)."""
    try:
        return float(json.loads((out_dir / snippet.stem / META_FILE).read_text())["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return snippet.stat().st_size / 1000


def ensure_runs(snippets_dir: Path, out_dir: Path, src_dir: Path, log=None,
                jobs: int | None = None, timeout: float = 600) -> list:
    """Runs each stale snippet as a script (``__name__ == "__main__"``), each in a fresh
    process of its own, ``jobs`` at a time (default: one per core), longest first, each for
    at most ``timeout`` seconds. Every failure is reported, each with its snippet's
    traceback."""
    key_env = environment()
    stale = stale_snippets(snippets_dir, out_dir, src_dir, key_env)
    if not stale:
        return []
    if log:
        log(f"running {len(stale)} snippet(s): {', '.join(p.name for p in stale)}")
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(src_dir.parent), *filter(None, [env.get("PYTHONPATH")])]
    )
    stale.sort(key=lambda p: _expected_seconds(p, out_dir), reverse=True)
    jobs = max(1, min(len(stale), jobs or os.cpu_count() or 1))
    proc = subprocess.run(
        [sys.executable, "-m", "lossbook._site.runner", "--out", str(out_dir),
         "--jobs", str(jobs), "--timeout", str(timeout), *map(str, stale)],
        env=env, capture_output=True, text=True, check=False,
    )
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            results[result["snippet"]] = result
    failed = []
    for snippet in stale:
        result = results.get(snippet.name)
        if result and result["ok"]:
            (out_dir / snippet.stem / KEY_FILE).write_text(cache_key(snippet, src_dir, key_env))
        else:
            error = result["error"] if result else proc.stderr[-6000:]
            failed.append(f"--- {snippet.name} ---\n{error}")
    if failed:
        raise RuntimeError(f"{len(failed)} snippet(s) failed:\n" + "\n".join(failed))
    return stale


def _recorded_values(out_dir: Path, snippet: str, context: str, cache: dict) -> dict:
    """The values a snippet's run recorded (read once per page); ``context`` names the
    page and the placeholder that asked, for the error when the snippet has no run."""
    if snippet not in cache:
        path = out_dir / snippet / VALUES_FILE
        if not path.exists():
            raise KeyError(f"{context} names snippet {snippet!r}, which has no run")
        cache[snippet] = json.loads(path.read_text(encoding="utf-8"))
    return cache[snippet]


VALUE_RE = re.compile(
    r"\{\{\s*(?P<snippet>[a-z][_0-9a-z]*)\.(?P<name>[A-Za-z_]\w*)"
    r"(?P<index>(?:\[\d+\])*)(?::(?P<spec>[^}\s]+))?\s*\}\}"
)


def substitute_values(markdown: str, out_dir: Path, where: str = "page") -> str:
    """Replaces ``{{ snippet.name:spec }}`` with a value the snippet computed.

    ``{{ mse_seed.gap:.1e }}`` is ``format(gap, ".1e")`` for the variable ``gap`` of
    ``snippets/mse_seed.py`` after it ran; ``{{ mse_seed.w_final[0]:.4f }}`` indexes a
    small array. An unknown snippet or name is an error, never a silent blank.
    """
    cache: dict = {}

    def replace(match):
        snippet = match["snippet"]
        values = _recorded_values(out_dir, snippet, f"{where}: {match[0].strip()}", cache)
        if match["name"] not in values:
            raise KeyError(
                f"{where}: {match[0]}: snippets/{snippet}.py has no value {match['name']!r}"
            )
        value = values[match["name"]]
        for index in re.findall(r"\[(\d+)\]", match["index"] or ""):
            value = value[int(index)]
        return format(value, match["spec"] or "")

    return VALUE_RE.sub(replace, markdown)


# An explorable figure (docs/overrides/assets/javascripts/widget-<name>.js) is one line
# of a page, an HTML comment naming the widget and the snippet value it starts from:
#     <!-- lossbook-widget: pinball custom_loss_quantile.widget -->
# The page gets the value as JSON beside an empty box the widget's script fills; the
# static figure from the same run stays above it (what a reader sees without JavaScript,
# and in the notebooks, which leave the line out).
WIDGET_RE = re.compile(
    r"^<!--\s*lossbook-widget:\s*(?P<widget>[a-z]+)\s+"
    r"(?P<snippet>[a-z][_0-9a-z]*)\.(?P<name>[A-Za-z_]\w*)\s*-->[ \t]*$", re.M)
WIDGET_USE_RE = re.compile(r'<div class="lossbook-widget" data-widget="([a-z]+)"')


def insert_widgets(markdown: str, out_dir: Path, where: str = "page") -> str:
    """Replaces each widget line with its box and data (a dict the snippet computed)."""

    cache: dict = {}

    def replace(match):
        values = _recorded_values(out_dir, match["snippet"], f"{where}: {match[0].strip()}",
                                  cache)
        data = values.get(match["name"])
        if not isinstance(data, dict):
            raise KeyError(f"{where}: {match[0].strip()}: snippets/{match['snippet']}.py has "
                           f"no dict {match['name']!r} (with at most 64 entries, each "
                           "a number, a string or a small array)")
        try:
            text = json.dumps(data, separators=(",", ":"), allow_nan=False, sort_keys=True)
        except ValueError as err:
            raise ValueError(f"{where}: {match[0].strip()}: {err}") from None
        text = text.replace("</", "<\\/")  # JSON still, and no "</script>" inside
        return (f'<div class="lossbook-widget" data-widget="{match["widget"]}">'
                f'<script type="application/json">{text}</script></div>')

    return WIDGET_RE.sub(replace, markdown)


def widget_assets(page_html: str, root: str) -> str:
    """Links the stylesheets and scripts of the widgets a page holds (and no others):
    ``root`` leads from the page to its language's site."""
    names = list(dict.fromkeys(WIDGET_USE_RE.findall(page_html)))
    if not names:
        return page_html
    styles = "".join(f'<link rel="stylesheet" href="{root}assets/stylesheets/{name}.css">'
                     for name in ["widget-common", *(f"widget-{n}" for n in names)])
    scripts = "".join(f'<script src="{root}assets/javascripts/widget-{name}.js" defer>'
                      "</script>" for name in names)
    head, body = page_html.rindex("</head>"), page_html.rindex("</body>")
    return (page_html[:head] + styles + page_html[head:body] + scripts + page_html[body:])


# Punctuation that must not start a line: kept with the formula before it.
TRAILING_PUNCT = r"[.,;:!?)\]，。；：、！？）]*"
MATH_RE = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>'
                     rf"(?P<after>{TRAILING_PUNCT})", re.DOTALL)


# Inline math cannot wrap inside one <math>, so a long formula would push a phone's page
# sideways. Like TeX, it may break after a relation or a binary operator at its top level
# (outside braces, brackets and parentheses): each piece becomes its own <math>, with a
# break opportunity between them.
BREAK_AFTER = ("=", "<", ">", r"\leq", r"\geq", r"\le", r"\ge", r"\neq", r"\ne",
               r"\approx", r"\to", r"\sim", r"\equiv", r"\propto", "+", "-", r"\cdot",
               r"\times", r"\pm")
TEX_TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|.", re.S)
OPENERS, CLOSERS = "{([", "})]"


def inline_pieces(tex: str) -> list[str]:
    """Splits an inline formula where TeX would let the line break (see BREAK_AFTER).

    A ``+`` or ``-`` only breaks where it is binary (after an operand); nothing breaks
    inside an environment or a group.
    """
    if r"\begin" in tex:
        return [tex]
    pieces, start, depth, previous = [], 0, 0, ""
    for token in TEX_TOKEN_RE.finditer(tex):
        text = token[0]
        if text in OPENERS or text in (r"\{", r"\left"):
            depth += 1
        elif text in CLOSERS or text in (r"\}", r"\right"):
            depth = max(depth - 1, 0)
        elif depth == 0 and text in BREAK_AFTER:
            binary = text not in ("+", "-") or (
                previous and previous not in BREAK_AFTER and previous not in OPENERS
                and previous not in ("^", "_", ","))
            rest = tex[token.end():].strip()
            if binary and rest and rest[0] not in "=<>^_":
                pieces.append(tex[start:token.end()].strip())
                start = token.end()
        if not text.isspace():
            previous = text
    pieces.append(tex[start:].strip())
    return [piece for piece in pieces if piece]


# latex2mathml loses what TeX knows about names (checked against latex2mathml 3.81.1,
# pinned in constraints.txt; TestMathToMathML fails if its output changes):
# - \mathrm{softmax} becomes seven one-letter <mi>s, spelled out by a screen reader, and
#   \mathrm{d} an italic d; \operatorname{softmax} an <mo>, read as an operator.
# - \ln, \log, \exp are a bare <mi> with nothing after them, so "\ln p" shows as "lnp".
# So the TeX is tidied first and latex2mathml's element tree afterwards (name_functions).
MATHRM_LETTER_RE = re.compile(r"\\\\|\\mathrm\s*\{\s*([A-Za-z])\s*\}")
NAME_RE = re.compile(r"\\\\|\\(mathrm|operatorname)\s*\{\s*([A-Za-z][A-Za-z0-9]+)\s*\}")
# TeX's named functions, written by latex2mathml as <mi>ln</mi>.
TEX_FUNCTIONS = frozenset(
    ("arccos arcsin arctan cos cosh cot coth csc deg dim exp hom ker lg ln log sec sin "
     "sinh tan tanh").split())
FUNCTION_APPLICATION = "&#x02061;"  # invisible: "ln⁡p" is read "ln of p"
THIN_SPACE = "0.1667em"  # TeX's \, between an operator name and its operand
OPERAND_TAGS = frozenset(("mi", "mn", "mtext", "mrow", "msub", "msup", "msubsup", "mfrac",
                          "msqrt", "mroot", "mover", "munder", "munderover"))
OPENING = frozenset(("(", "[", "&#x00028;", "&#x0005B;", "&#x0007B;"))
CLOSING = frozenset((")", "]", "}", "|", "&#x00029;", "&#x0005D;", "&#x0007D;", "&#x0007C;"))
SCRIPT_TAGS = frozenset(("msub", "msup", "msubsup"))


def _names(tex: str) -> dict[str, set[str]]:
    """The words the TeX writes as \\mathrm{word} and as \\operatorname{word}."""
    names = {"mathrm": set(), "operatorname": set()}
    for match in NAME_RE.finditer(tex):
        if match[1]:
            names[match[1]].add(match[2])
    return names


def _function_kind(element, operator_names: set[str]) -> str | None:
    """"operator" for \\ln-like names (TeX's \\mathop: spaced from their operands),
    "name" for an upright word such as \\mathrm{softmax}, None for anything else."""
    if element.tag in SCRIPT_TAGS and len(element):
        element = element[0]  # \log_2 x, \mathrm{softmax}_i(z)
    if element.tag != "mi" or not element.text:
        return None
    if element.text in operator_names or (
            element.text in TEX_FUNCTIONS and "mathvariant" not in element.attrib):
        return "operator"
    if element.get("mathvariant") == "normal" and len(element.text) > 1:
        return "name"
    return None


def _is_operand(element, side: str) -> bool:
    """Whether the element starts (side="start") or ends (side="end") an operand."""
    if element.tag in OPERAND_TAGS:
        return True
    return side == "end" and element.tag == "mo" and element.text in CLOSING


def _merge_words(math, names: dict[str, set[str]]) -> None:
    """One <mi> per \\mathrm word, one <mi> per \\operatorname word."""
    for parent in list(math.iter()):
        for index, child in enumerate(list(parent)):
            letters = list(child)
            word = "".join(letter.text or "" for letter in letters)
            if (child.tag == "mrow" and len(letters) > 1 and word in names["mathrm"]
                    and all(letter.tag == "mn" or (letter.tag == "mi" and letter.get(
                        "mathvariant") == "normal") for letter in letters)):
                parent[index] = Element("mi", mathvariant="normal")
                parent[index].text = word
            elif (child.tag == "mo" and child.text in names["operatorname"]
                    and not child.attrib):
                child.tag = "mi"


def name_functions(math, tex: str) -> None:
    """Makes latex2mathml's tree read and space names as TeX does, in place.

    A \\mathrm or \\operatorname word becomes one <mi>; an operator name (\\ln, \\log,
    \\operatorname{...}) is followed by U+2061 FUNCTION APPLICATION when an operand
    follows, and by a thin space unless a parenthesis follows; an upright word followed
    by a parenthesis (\\mathrm{softmax}(z)) gets U+2061 too.
    """
    names = _names(tex)
    _merge_words(math, names)
    for parent in list(math.iter()):
        if parent.tag in SCRIPT_TAGS or parent.tag in ("mfrac", "mover", "munder",
                                                       "munderover", "mroot"):
            continue  # children are positional: base, script, numerator...
        children, out = list(parent), []
        for index, child in enumerate(children):
            kind = _function_kind(child, names["operatorname"])
            after = children[index + 1] if index + 1 < len(children) else None
            if kind == "operator" and out and _is_operand(out[-1], "end"):
                out.append(Element("mspace", width=THIN_SPACE))
            out.append(child)
            if kind is None or after is None:
                continue
            opens = after.tag == "mo" and after.text in OPENING
            if opens or (kind == "operator" and _is_operand(after, "start")):
                apply = Element("mo")
                apply.text = FUNCTION_APPLICATION
                out.append(apply)
                if not opens:
                    out.append(Element("mspace", width=THIN_SPACE))
        parent[:] = out


def inline_math_html(tex: str, after: str = "") -> str:
    """An inline formula as HTML: its pieces (which may wrap between them) and the
    punctuation right after it, kept on the last piece's line (the browser would otherwise
    break between a formula and its full stop)."""
    pieces = tex_to_mathml(tex, "inline").split("<wbr>")
    if after:
        pieces[-1] = f'<span class="lossbook-nowrap">{pieces[-1]}{after}</span>'
    return '<span class="arithmatex">' + "<wbr>".join(pieces) + "</span>"


MINUS = frozenset(("&#x02212;", "-", "\u2212"))


def prefix_minus(math) -> None:
    """A minus with nothing before it, or after an operator, a comma or an opening bracket,
    is a sign, not a subtraction: ``form="prefix"`` sets it without the space around a
    binary minus ("[−0.05, 0.05)", "= −∞"), as TeX does. latex2mathml leaves it infix."""
    for parent in math.iter():
        previous = None
        for child in parent:
            if child.tag == "mo" and (child.text or "") in MINUS and (
                previous is None
                or (previous.tag == "mo" and (previous.text or "") not in CLOSING)
            ):
                child.set("form", "prefix")
            previous = child


def tex_to_mathml(tex: str, display: str) -> str:
    """One formula as MathML (inline: pieces that may wrap), each <math> carrying its TeX."""
    from latex2mathml.converter import convert_to_element

    tex = tex.strip()
    if any(token[0] == r"\_" for token in TEX_TOKEN_RE.finditer(tex)):
        raise ValueError(
            f"{tex!r} writes \\_ in math: the label is y and the prediction \\hat{{y}} "
            "(the old y\\_ notation is gone); an identifier with _ belongs in code, not math"
        )
    out = []
    for piece in ([tex] if display == "block" else inline_pieces(tex)):
        upright = MATHRM_LETTER_RE.sub(lambda m: rf"\mathrm {m[1]}" if m[1] else m[0], piece)
        math = convert_to_element(upright, display=display)
        name_functions(math, piece)
        prefix_minus(math)
        # As latex2mathml's convert() serializes: its text holds entities like &#x00028;.
        mathml = unescape(tostring(math, encoding="unicode"))
        leftover = re.search(r"\\[A-Za-z]+", mathml)
        if leftover:
            raise ValueError(
                f"latex2mathml cannot typeset {leftover[0]!r} in {tex!r}; "
                "rewrite the formula without it"
            )
        # In an HTML page a <math> element is MathML without a namespace declaration:
        # the 42 bytes of xmlns="..." on every formula are left out.
        mathml = mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1)
        out.append(mathml.replace("<math ", f'<math data-tex="{html.escape(piece)}" ', 1))
    return "<wbr>".join(out)


def math_to_mathml(page_html: str) -> str:
    """Turns pymdownx.arithmatex's generic output into MathML, so no script typesets it."""

    def replace(match):
        body = html.unescape(match["body"]).strip()
        display = "block" if match["tag"] == "div" else "inline"
        for left, right in ((r"\(", r"\)"), (r"\[", r"\]"), ("$$", "$$"), ("$", "$")):
            if body.startswith(left) and body.endswith(right):
                tex = body[len(left): len(body) - len(right)]
                break
        else:
            raise ValueError(f"unexpected math markup: {match[0][:80]}")
        if display == "block":
            return f'<div class="arithmatex">{tex_to_mathml(tex, display)}</div>' + match["after"]
        return inline_math_html(tex, match["after"])

    return MATH_RE.sub(replace, page_html)


STAMP_FACTS = ("tensorflow", "keras", "numpy", "python")
INCLUDE_RE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<snippet>[^"/:]+)\.py(?::[^"]*)?"\s*$', re.M)
STAMP = {
    "zh": "本页经 TensorFlow {tensorflow}（Keras {keras}、NumPy {numpy}、Python {python}）"
          "于 {date} 实际运行验证：页面上的输出和图都来自这次运行。",
    "en": "Verified with TensorFlow {tensorflow} (Keras {keras}, NumPy {numpy}, "
          "Python {python}) on {date}: every output and figure on this page comes from "
          "that run.",
}


def version_stamp(markdown: str, out_dir: Path, lang: str, where: str = "page") -> str:
    """Adds, under the page's title, the versions and the day its outputs were made.

    The facts come from ``meta.json`` of each snippet the page includes, written when the
    snippet ran; a page that includes no snippet is left as it is.
    """
    snippets = sorted(set(INCLUDE_RE.findall(markdown)))
    if not snippets:
        return markdown
    metas = []
    for name in snippets:
        path = out_dir / name / META_FILE
        if not path.exists():
            raise KeyError(f"{where}: snippets/{name}.py has no recorded run")
        metas.append(json.loads(path.read_text(encoding="utf-8")))
    versions = {tuple((k, m[k]) for k in STAMP_FACTS) for m in metas}
    if len(versions) != 1:
        raise ValueError(f"{where}: its snippets ran with different versions: {versions}")
    facts = dict(next(iter(versions)), date=max(m["date"] for m in metas))
    stamp = STAMP[lang].format(**facts) + "\n{ .lossbook-stamp }"
    title = re.search(r"^# .*$", markdown, re.M)
    if title is None:
        raise ValueError(f"{where}: a lesson page needs a '# ' title for its version stamp")
    return markdown[: title.end()] + "\n\n" + stamp + "\n" + markdown[title.end():]


NOTEBOOK_LINKS = {
    "zh": "[:material-notebook-outline: 含运行结果的笔记本](notebooks/{stem}.ipynb) · "
          "[下载 .ipynb](notebooks/download/{stem}.ipynb) · [下载 .py](notebooks/{stem}.py)",
    "en": "[:material-notebook-outline: Notebook with outputs](notebooks/{stem}.ipynb) · "
          "[Download .ipynb](notebooks/download/{stem}.ipynb) · "
          "[Download .py](notebooks/{stem}.py)",
}
COLAB = {"zh": "在 Colab 中打开", "en": "Open in Colab"}
# "Run this lesson": the pip command that installs lossbook from the site's own index
# (wheel.py). The page is static and does not know its address: the placeholder is shown
# without JavaScript, and docs/overrides/assets/javascripts/lossbook.js puts the address the
# reader is reading from in its place (data-root leads from the page to the site's root).
SITE_PLACEHOLDER = {"zh": "https://本站地址/", "en": "https://this-site/"}
RUN_EXTRAS = "cpu,figures"
RUN_BOX = {
    "zh": '??? tip "运行本课"\n\n'
          "    本站自带 `lossbook` 的安装包，不需要 GitHub 或 PyPI。"
          "在 Python 3.11 的环境里执行：\n\n"
          "    ```text\n    {command}\n    ```\n\n"
          "    环境里已经有 TensorFlow {oldest} 到 {newest}（CPU 版或 GPU 版）时，把 `cpu,` 去掉，"
          "已有的 TensorFlow 会原样保留。装好后下载本课的 [.ipynb](notebooks/download/{stem}.ipynb)"
          " 或 [.py](notebooks/{stem}.py)，在本地运行。",
    "en": '??? tip "Run this lesson"\n\n'
          "    This site serves its own `lossbook` package; no GitHub or PyPI needed. In a Python "
          "3.11 environment, run:\n\n"
          "    ```text\n    {command}\n    ```\n\n"
          "    If TensorFlow {oldest} to {newest} is already installed (CPU or GPU build), leave "
          "out `cpu,`: the TensorFlow you have is kept. Then download the lesson's "
          "[.ipynb](notebooks/download/{stem}.ipynb) or [.py](notebooks/{stem}.py) and run it.",
}


def run_command(lang: str) -> str:
    """The install command a lesson shows, with the placeholder the page's script replaces."""
    return f'pip install --extra-index-url {SITE_PLACEHOLDER[lang]}simple/ "lossbook[{RUN_EXTRAS}]"'


def run_box(stem: str, lang: str, root: str) -> str:
    """The "Run this lesson" box: the install command, the downloads."""
    from lossbook._versions import supported_span

    oldest, newest = supported_span()
    body = RUN_BOX[lang].format(command=run_command(lang), stem=stem, oldest=oldest,
                                newest=newest)
    return (f'<div class="lossbook-run" data-root="{root}" '
            f'data-placeholder="{SITE_PLACEHOLDER[lang]}" markdown>\n\n{body}\n\n</div>\n')


# The CI's site job pushes the notebooks to this branch for Colab to open.
NOTEBOOK_BRANCH = "notebooks"


def notebook_links(markdown: str, stem: str, lang: str, repository: str | None,
                   root: str = "../") -> str:
    """Adds, under the version stamp (or the title), links to the lesson's notebook and the
    "Run this lesson" box (``root``: the relative path from the page to the site's root)."""
    links = NOTEBOOK_LINKS[lang].format(stem=stem)
    if repository:
        url = (f"https://colab.research.google.com/github/{repository}/blob/"
               f"{NOTEBOOK_BRANCH}/{lang}/{stem}.ipynb")
        links += f" · [{COLAB[lang]}]({url})"
    links += "\n{ .lossbook-notebooks }"
    anchor = re.search(r"^\{ \.lossbook-stamp \}$", markdown, re.M) or re.search(
        r"^# .*$", markdown, re.M)
    return (markdown[: anchor.end()] + "\n\n" + links + "\n\n" + run_box(stem, lang, root)
            + markdown[anchor.end():])


NB_SCRIPT_RE = re.compile(
    r'<script[^>]*(?:src="https?://[^"]*"|type="text/x-mathjax-config")[^>]*>.*?</script>'
    r'|<script[^>]*>(?:(?!</script>).)*?https://cdn(?:(?!</script>).)*</script>',
    re.S,
)
NB_MARKDOWN_RE = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"'
                            r'[^>]*>)(.*?)(</div>)', re.S)
DISPLAY_RE = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_RE = re.compile(rf"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$({TRAILING_PUNCT})", re.S)


def notebook_page_offline(page_html: str) -> str:
    """Makes a mkdocs-jupyter page need no other host: drops its MathJax/RequireJS scripts
    from CDNs and typesets the markdown cells' math as MathML, like the lesson pages."""
    page_html = NB_SCRIPT_RE.sub("", page_html)

    def typeset(match):
        body = DISPLAY_RE.sub(lambda m: '<div class="arithmatex">' + tex_to_mathml(
            html.unescape(m[1]), "block") + "</div>", match[2])
        body = INLINE_RE.sub(lambda m: inline_math_html(html.unescape(m[1]), m[2]), body)
        return match[1] + body + match[3]

    return NB_MARKDOWN_RE.sub(typeset, page_html)


SEARCH_SKIP_RE = re.compile(r'<div class="(?P<cls>[^"]*\b(?:highlight|lossbook-run)\b[^"]*)"')


def keep_code_out_of_search(page_html: str) -> str:
    """Marks code blocks, their outputs and the "Run this lesson" box to be left out of
    the search index (Material's ``data-search-exclude``, removed from the page once read).

    Every page loads the whole index on its first visit; code and printed numbers were a
    third of it, and a reader looks lessons up by what they teach. Inline code in the
    prose (``fit_linear``, ``from_logits``) stays searchable.
    """
    return SEARCH_SKIP_RE.sub(lambda m: f'<div class="{m["cls"]}" data-search-exclude="true"',
                              page_html)


COPY_TEXT_RE = re.compile(
    r'(<div class="highlight-ipynb[^"]*"><pre)(>.*?</pre></div>\s*)'
    r'<div class="clipboard-copy-txt" id="(?P<id>cell-\d+)">.*?</div>', re.S)
COPY_ICON_RE = re.compile(r'<svg aria-hidden="true" class="clipboard-copy-icon"[^>]*>(.*?)</svg>',
                          re.S)
COPY_ICON_ID = "lossbook-copy-icon"


HIDDEN_COLLAPSER_RE = re.compile(r'<div class="jp-Collapser[^"]*">\s*</div>')


def slim_notebook_page(page_html: str) -> str:
    """Drops what mkdocs-jupyter repeats in every code cell of a notebook page.

    - Each cell holds its code twice: highlighted, and as hidden plain text for the copy
      button. The button copies the text of the element its ``for`` names, so it can name
      the highlighted ``<pre>``: the same characters.
    - Each copy button draws its own copy of one icon (two SVG paths): one ``<symbol>``,
      used by every button, draws the same.
    - Each cell has an empty collapser that JupyterLab's stylesheet hides
      (``.jupyter-wrapper .jp-Collapser{display:none}``), and highlighting spans that
      colour nothing (``slim_code_blocks``).
    """
    page_html = COPY_TEXT_RE.sub(lambda m: f'{m[1]} id="{m["id"]}"{m[2]}', page_html)
    page_html = HIDDEN_COLLAPSER_RE.sub("", slim_code_blocks(page_html))
    icon = COPY_ICON_RE.search(page_html)
    if icon is None:
        return page_html
    symbol = (f'<svg aria-hidden="true" width="0" height="0" style="position:absolute">'
              f'<symbol id="{COPY_ICON_ID}" viewBox="0 0 16 16">{icon[1].strip()}</symbol></svg>')
    use = ('<svg aria-hidden="true" class="clipboard-copy-icon" height="20" viewBox="0 0 16 16" '
           f'width="20"><use href="#{COPY_ICON_ID}"></use></svg>')
    page_html = COPY_ICON_RE.sub(use, page_html)
    return page_html.replace('<div class="jupyter-wrapper">', '<div class="jupyter-wrapper">'
                             + symbol, 1)


DATA_IMAGE_RE = re.compile(
    r'<img(?P<before>[^>]*?) src="data:image/(?P<kind>png|jpeg|gif|svg\+xml);base64,'
    r'(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*)>')


def externalize_images(page_html: str, out_dir: Path, min_bytes: int = 2048) -> str:
    """Moves a notebook page's figures out of the HTML into files beside it, loaded lazily.

    The notebook's outputs hold each figure as a base64 data URI (a third bigger than the
    file), which every visit downloads with the page, whether or not the reader scrolls to
    it. As files named by their content, they load as the lessons' figures do: when they
    come into view, and from the cache on the next visit. Small images stay inline.
    """
    import base64

    def move(match):
        data = base64.b64decode("".join(match["data"].split()))
        if len(data) < min_bytes:
            return match[0]
        suffix = {"svg+xml": "svg", "jpeg": "jpg"}.get(match["kind"], match["kind"])
        name = f"output-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_bytes(data)
        attributes = match["before"] + match["after"]
        lazy = "" if "loading=" in attributes else ' loading="lazy"'
        return f'<img{match["before"]} src="{name}"{lazy}{match["after"]}>'

    return DATA_IMAGE_RE.sub(move, page_html)


def snippet_expander(settings: dict):
    """A function that expands ``--8<--`` lines exactly as the build does, given the
    build's ``pymdownx.snippets`` settings (``config.mdx_configs``)."""
    import markdown

    def expand(code: str) -> str:
        md = markdown.Markdown(extensions=["pymdownx.snippets"],
                               extension_configs={"pymdownx.snippets": settings})
        return "\n".join(md.preprocessors["snippet"].run(code.splitlines()))

    return expand


# Characters the search separator (mkdocs.yml) splits on besides U+200B: a zero-width
# space beside one of them separates nothing.
SEARCH_SEPARATOR_CHARS = " \t\n，。：；、（）！？“”《》"
_REDUNDANT_ZWSP_RE = re.compile(
    "\u200b+(?=[" + SEARCH_SEPARATOR_CHARS + "])|(?<=[" + SEARCH_SEPARATOR_CHARS + "])\u200b+"
)


def compact_search_index(path: Path) -> None:
    """Rewrites Material's search index with UTF-8 text instead of ``\\uXXXX`` escapes,
    and without the zero-width spaces that separate nothing.

    The search plugin writes JSON with ASCII escapes: each Chinese character, and each
    zero-width space jieba puts between words, costs 6 bytes instead of 3. Every page
    loads the index on its first visit, so this is a third of the Chinese index's weight.
    jieba also puts a zero-width space on both sides of every punctuation mark and
    space; where the separator splits on that mark anyway (``SEARCH_SEPARATOR_CHARS``)
    they are dropped, another eighth. The words the search finds are unchanged (a test
    splits both indexes with the separator).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            if isinstance(doc.get(key), str):
                doc[key] = _REDUNDANT_ZWSP_RE.sub("", doc[key])
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_PLAIN_TOKEN_RE = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')
_HIGHLIGHT_RE = re.compile(
    r'(<div class="(?:language-[\w-]+ highlight|highlight-ipynb[^"]*)"[^>]*>)(.*?)(</div>)', re.S)


def slim_code_blocks(page_html: str) -> str:
    """Unwraps Pygments' spans for names (``n``) and whitespace (``w``) in code blocks.

    On a lesson, Material colours names with ``--md-code-hl-name-color``, which is the
    code's own colour (``--md-code-fg-color``), and whitespace not at all; on a notebook
    page (``highlight-ipynb``) no rule colours names and whitespace has nothing to
    colour. The spans change nothing on screen, in the copied text or in search, and are
    a seventh of a lesson's HTML.
    """
    return _HIGHLIGHT_RE.sub(
        lambda m: m[1] + _PLAIN_TOKEN_RE.sub(r"\1", m[2]) + m[3], page_html)
