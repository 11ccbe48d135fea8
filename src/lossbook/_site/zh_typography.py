"""Chinese typography of the zh pages: a linter and a fixer (``make test`` runs the linter).

The convention (GB/T 15834, as d2l-zh writes):

- Chinese prose uses full-width punctuation: ，：；！？（）. A half-width ``, : ; ! ?`` or a pair
  of ``( )`` whose nearest visible neighbour is a Chinese character is an error.
- One space between a Chinese character and a Latin letter, a digit, inline code, inline
  math or a quoted value (``用 TensorFlow 训练 3 步``); no space next to full-width
  punctuation (``预测（MSE）``, not ``预测 （MSE）``).
- Half-width stays where it belongs: code (fenced and inline), math, include lines,
  quoted values ``{{ … }}``, attribute lists ``{ #anchor }``, HTML tags, link targets and
  purely English phrases.

The tests also run ``autocorrect-py`` (a CJK copywriting linter, configured by
``.autocorrectrc``) over the pages as a second opinion; it leaves punctuation next to code and
math, ``;`` and parentheses alone, which is why these rules exist.

``python -m lossbook._site.zh_typography [--fix] docs/zh`` lists (or fixes) the problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Full-width punctuation and quotes: nothing is spaced next to them.
FULL_PUNCT = "，。：；！？（）、“”‘’《》【】…—"
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

# Spans that are not prose. VISIBLE ones render as Latin-like text (a space separates them
# from Chinese); HIDDEN ones render as nothing a reader sees next to the prose.
VISIBLE = "\ue000"
HIDDEN = "\ue001"
_SPANS = [
    ("visible", r"`+[^`]*?`+"),  # inline code
    ("visible", r"\$\$.*?\$\$|(?<![\\$])\$(?!\s)(?:\\\$|[^$])+?(?<!\s)\$"),  # inline math
    ("visible", r"\{\{.*?\}\}"),  # a value quoted from a run
    ("visible", r"https?://[^\s)>\]]+"),
    ("visible", r":[a-z0-9]+(?:-[a-z0-9]+)+:"),  # an icon shortcode
    ("hidden", r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"),  # a link's or image's target
    ("hidden", r"\]\[[^\]]*\]"),  # a reference link's label
    ("hidden", r"(?<=《)[^》]*(?=》)"),  # a title, quoted as it was published
    ("visible", r"\{\w+\}"),  # a format field in a Python string: {date}
    ("hidden", r"\{\s*(?:[#.:][^}]*|\w+=[^}]*)\}"),  # attributes: { #anchor }, { loading=lazy }
    ("hidden", r"</?[A-Za-z][^>]*>|<!--.*?-->"),  # HTML
    ("hidden", r"!?\[|\*\*?|(?<!\w)__?(?!\w)|~~"),  # link/image openers, emphasis marks
]
_SPAN_RE = re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_SPANS)))
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
SKIP_LINE_RE = re.compile(r"^\s*(--8<--|\$\$\s*$|<!--.*-->\s*$)")


@dataclass(frozen=True)
class Problem:
    line: int
    text: str
    suggestion: str

    def __str__(self):
        return f"line {self.line}: {self.text.strip()}\n    should read: {self.suggestion.strip()}"


def _mask(line: str) -> tuple[str, list[str]]:
    """Replace non-prose spans by one placeholder character each; return the kept spans."""
    kept: list[str] = []

    def replace(match):
        kept.append(match[0])
        return VISIBLE if match.lastgroup.startswith("visible") else HIDDEN

    return _SPAN_RE.sub(replace, line), kept


def _unmask(masked: str, kept: list[str]) -> str:
    spans = iter(kept)
    return re.sub(f"[{VISIBLE}{HIDDEN}]", lambda _: next(spans), masked)


def _is_cjk(ch: str | None) -> bool:
    return ch is not None and (bool(CJK_RE.match(ch)) or ch in FULL_PUNCT)


def _neighbour(text: str, i: int, step: int) -> str | None:
    """The nearest character from i in direction step that a reader sees (spaces skipped)."""
    j = i + step
    while 0 <= j < len(text) and (text[j] == HIDDEN or text[j] == " "):
        j += step
    return text[j] if 0 <= j < len(text) else None


def _fix_punctuation(text: str) -> str:
    chars = list(text)
    if not CJK_RE.search(text):
        return text
    for i, ch in enumerate(chars):
        if ch not in ",:;!?":
            continue
        before, after = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if before is not None and before.isdigit() and after is not None and after.isdigit():
            continue  # 1,000 or 10:30
        nxt = text[i + 1] if i + 1 < len(text) else None
        if _is_cjk(before) or _is_cjk(after):
            chars[i] = HALF_TO_FULL[ch]
        elif after is None and ch != ",":
            chars[i] = HALF_TO_FULL[ch]  # ends a Chinese line: "用 `lossbook`:"
        elif nxt is not None and nxt not in " )]" + HIDDEN and after not in ")]":
            # English puts a space after , : ; a Chinese line that does not is Chinese:
            # "{{ a }},$b$ 是", "不为 0:$-\\ln p$".
            chars[i] = HALF_TO_FULL[ch]
    return "".join(chars)


TUPLE_RE = re.compile(r"[\w.+\-*/" + VISIBLE + r"]*(,\s*[\w.+\-*/" + VISIBLE + r"]*)+")


def _fix_parentheses(text: str) -> str:
    """( … ) with Chinese inside or next to it becomes （ … ）; a tuple such as (n, 1) is left
    for the writer to set as code or math (``lint`` reports it)."""
    out = list(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            inner = text[start + 1 : i]
            outside = _is_cjk(_neighbour(text, start, -1)) or _is_cjk(_neighbour(text, i, 1))
            if CJK_RE.search(inner) or (outside and not TUPLE_RE.fullmatch(inner.strip())):
                out[start], out[i] = "（", "）"
    return "".join(out)


def _half_width_left(masked: str) -> list[str]:
    """Half-width punctuation next to Chinese that ``fix`` cannot decide on."""
    return [
        masked[max(0, i - 6) : i + 7]
        for i, ch in enumerate(masked)
        if ch in ",:;!?()"
        and (_is_cjk(_neighbour(masked, i, -1)) or _is_cjk(_neighbour(masked, i, 1)))
    ]


def _fix_spacing(text: str) -> str:
    latin = "A-Za-z0-9%" + VISIBLE
    text = re.sub(f"([{CJK}])[ \t]*([{latin}])", r"\1 \2", text)
    text = re.sub(f"([{latin}])[ \t]*([{CJK}])", r"\1 \2", text)
    # No space next to full-width punctuation, through hidden marks (**，** or a link).
    text = re.sub(f"(?<=[^|\\s]) +(?=[{HIDDEN}]*[{re.escape(FULL_PUNCT)}])", "", text)
    text = re.sub(f"(?<=[{re.escape(FULL_PUNCT)}])([{HIDDEN}]*) +(?=[^|\\s])", r"\1", text)
    return text


def _fix_prose(line: str) -> str:
    indent = re.match(r"^\s*(?:[-*+] |\d+\. |>\s*|\|)?\s*", line)[0]
    body = line[len(indent) :]
    # A heading's attribute list keeps its space: "## 公式 { #formula }".
    attrs = re.search(r"\s+\{[^{}]*\}\s*$", body)
    tail = attrs[0] if attrs else ""
    body = body[: len(body) - len(tail)]
    masked, kept = _mask(body)
    # Spaces between hidden marks and Chinese are the writer's: ** ** around a phrase.
    fixed = _fix_spacing(_fix_parentheses(_fix_punctuation(masked)))
    return indent + _unmask(fixed, kept) + tail


def _classify(markdown: str):
    """Each line with how to treat it: "prose", "admonition", "fence_open" or "skip"."""
    fence = None
    in_display_math = False
    for line in markdown.split("\n"):
        stripped = line.strip()
        m = FENCE_RE.match(line)
        if fence:
            if m and m[1][0] == fence[0] and len(m[1]) >= len(fence) and stripped == m[1]:
                fence = None
            yield "skip", line
        elif m:
            fence = m[1]
            yield "fence_open", line
        elif stripped == "$$":
            in_display_math = not in_display_math
            yield "skip", line
        elif in_display_math or SKIP_LINE_RE.match(line) or not CJK_RE.search(line):
            yield "skip", line
        elif ADMONITION_RE.match(line):
            yield "admonition", line
        else:
            yield "prose", line


def _fix_line(kind: str, line: str) -> str:
    if kind == "prose":
        return _fix_prose(line)
    if kind == "admonition":
        return _fix_admonition(line)
    if kind == "fence_open":
        return _fix_fence_title(line)
    return line


def fix(markdown: str) -> str:
    """The page with its Chinese prose set as the convention says; code and math untouched."""
    return "\n".join(_fix_line(kind, line) for kind, line in _classify(markdown))


ADMONITION_RE = re.compile(r'^(\s*(?:!!!|\?\?\?\+?|===)\s*[\w\- ]*?)"(.*)"(.*)$')
FENCE_TITLE_RE = re.compile(r'^(.*\btitle=")([^"]*)(".*)$')


def _fix_admonition(line: str) -> str:
    m = ADMONITION_RE.match(line)
    return f'{m[1]}"{_fix_prose(m[2])}"{m[3]}'


def _fix_fence_title(line: str) -> str:
    m = FENCE_TITLE_RE.match(line)
    if not m or not CJK_RE.search(m[2]):
        return line
    return m[1] + _fix_prose(m[2]) + m[3]


def lint(markdown: str) -> list[Problem]:
    """Every line that ``fix`` would change, with what it should read, and every line with
    half-width punctuation next to Chinese that ``fix`` leaves to the writer."""
    problems = []
    for n, (kind, line) in enumerate(_classify(markdown), 1):
        fixed = _fix_line(kind, line)
        if fixed != line:
            problems.append(Problem(n, line, fixed))
        elif kind == "prose":
            left = _half_width_left(_mask(line)[0])
            if left:
                problems.append(
                    Problem(n, line, "set as code or math, or use full-width: " + " | ".join(left))
                )
    return problems


def lint_text(text: str) -> list[Problem]:
    """Prose outside a page (a nav title, a figure label, a string in the code)."""
    return [p for line in text.split("\n") for p in lint(line)]


def main(argv=None) -> int:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders")
    parser.add_argument("--fix", action="store_true", help="rewrite the files")
    args = parser.parse_args(argv)
    found = 0
    for path in args.paths:
        for page in sorted(path.rglob("*.md")) if path.is_dir() else [path]:
            text = page.read_text(encoding="utf-8")
            if args.fix:
                page.write_text(fix(text), encoding="utf-8")
                text = fix(text)
            for problem in lint(text):
                found += 1
                print(f"{page}:{problem}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
