"""Code comments in the page's language; the code that runs stays one file.

A snippet (``snippets/<name>.py``) is written, and runs, with English comments. A table
per language, ``snippets/comments.<lang>.toml``, holds each comment's translation, one
TOML table per snippet::

    [loss_intro]
    "off by 0.5 every time" = "每次都差 0.5"

When a page of that language includes a snippet section, each comment of the section is
replaced by its translation: a trailing comment in place, a block of full-line comments
(consecutive lines at one indentation, looked up as one text joined by spaces) by as many
lines as the translation has. Comments are found with ``tokenize``, so a ``#`` inside a
string is never touched; the code itself is never changed, so every language shows, and
runs, the same code (``strip_comments`` of the two is equal: the tests check it, and the
notebooks rely on it to share one run). ``check`` lists every comment without a
translation, every translation no comment uses and every translated line wider than the
code column: the build logs them as warnings, which fail the strict build.
"""

from __future__ import annotations

import io
import os
import re
import textwrap
import tokenize
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# The code column of the pages (snippets/ruff.toml's line-length); a CJK character
# takes two columns, as ruff counts it.
CODE_COLUMNS = 84
# Comments for tools, not readers: never translated.
PRAGMA_RE = re.compile(r"#\s*(?:noqa\b|type:|fmt:|pragma\b|%%|lossbook:)")
INCLUDE_LINE_RE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<file>[^"/:]+)\.py(?::[^"]*)?"\s*$')


def table_path(snippets_dir: Path, lang: str) -> Path:
    return Path(snippets_dir) / f"comments.{lang}.toml"


def load_table(snippets_dir: Path, lang: str) -> dict | None:
    """``{snippet: {english: translation}}`` for ``lang``; None if it has no table (the
    language the snippets are written in)."""
    import tomllib

    path = table_path(snippets_dir, lang)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return tomllib.load(f)


def columns(text: str) -> int:
    """The width of a line of code, a wide (CJK) character counting two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Comment:
    first: int  # index of its first line in the code
    last: int  # index of its last line (a block of full-line comments spans several)
    col: int  # where the "#" is, in the line as written
    text: str  # without "#", the lines of a block joined by a space
    own_line: bool


def _indent_of(lines: list[str]) -> str:
    """The leading whitespace all non-blank lines share (code nested in a page's tab)."""
    indents = [line[: len(line) - len(line.lstrip())] for line in lines if line.strip()]
    return os.path.commonprefix(indents) if indents else ""


def find_comments(code: str, sources=None) -> list[Comment]:
    """The comments of a piece of Python code, in order; full-line comments on
    consecutive lines at one column (and from the same ``sources`` entry, if given) as
    one block."""
    lines = code.split("\n")
    indent = _indent_of(lines)
    plain = "\n".join(line[len(indent):] if line.strip() else "" for line in lines)
    found: list[Comment] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(plain + "\n").readline))
    except (tokenize.TokenError, IndentationError) as err:
        raise ValueError(f"cannot read the comments of this code ({err}):\n{code}") from err
    for token in tokens:
        if token.type != tokenize.COMMENT or PRAGMA_RE.match(token.string):
            continue
        row, col = token.start[0] - 1, token.start[1] + len(indent)
        text = token.string[1:].strip()
        if not text:
            continue
        own_line = not lines[row][:col].strip()
        previous = found[-1] if found else None
        if (own_line and previous and previous.own_line and previous.last == row - 1
                and previous.col == col
                and (sources is None or sources[row] == sources[previous.first])):
            previous.last, previous.text = row, f"{previous.text} {text}"
            continue
        found.append(Comment(row, row, col, text, own_line))
    return found


def strip_comments(code: str) -> str:
    """The code without its comments: full-line comments go with their line, trailing
    ones with the spaces before them. What two languages' versions must share."""
    lines = code.split("\n")
    drop = set()
    for comment in find_comments(code):
        if comment.own_line:
            drop.update(range(comment.first, comment.last + 1))
        else:
            lines[comment.first] = lines[comment.first][: comment.col].rstrip()
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


@dataclass
class Translation:
    code: str
    used: set = field(default_factory=set)  # {(snippet, english)}
    missing: list = field(default_factory=list)  # [(snippet, english)], in order


def translate(code: str, table: dict, sources) -> Translation:
    """Replaces each comment of ``code`` with its translation in ``table``.

    ``sources`` says which snippet each line comes from: a snippet name for all lines, or
    per line a ``(snippet, include number)`` pair or None (a line typed in the page,
    left as it is). A comment without a translation stays as it is and is reported in
    ``missing``.
    """
    lines = code.split("\n")
    if isinstance(sources, str):
        sources = [(sources, 0)] * len(lines)
    result = Translation(code)
    for comment in reversed(find_comments(code, sources)):
        source = sources[comment.first]
        if source is None:
            continue
        snippet = source[0]
        translated = table.get(snippet, {}).get(comment.text)
        if translated is None:
            result.missing.insert(0, (snippet, comment.text))
            continue
        result.used.add((snippet, comment.text))
        head = lines[comment.first][: comment.col]
        parts = translated.strip("\n").split("\n")
        if comment.own_line:
            lines[comment.first: comment.last + 1] = [f"{head}# {part}" for part in parts]
        elif len(parts) == 1:
            lines[comment.first] = f"{head}# {parts[0]}"
        else:
            raise ValueError(f"{snippet}.py: the trailing comment {comment.text!r} needs a "
                             f"translation of one line, not {len(parts)}")
    result.code = "\n".join(lines)
    return result


class Translator:
    """An include expander for one language: expands ``--8<--`` lines with ``expand``
    (the build's own, ``build.snippet_expander``) and translates the comments of what
    they include. It remembers the comments it found without a translation."""

    def __init__(self, expand, table: dict):
        self.expand, self.table = expand, table
        self.missing: dict = {}  # {(snippet, english): None}, in the order found

    def __call__(self, code: str) -> str:
        lines, sources = [], []
        for number, line in enumerate(code.split("\n")):
            match = INCLUDE_LINE_RE.match(line)
            if match is None:
                lines.append(line)
                sources.append(None)
                continue
            included = self.expand(line).split("\n")
            lines.extend(included)
            sources.extend([(match["file"], number)] * len(included))
        result = translate("\n".join(lines), self.table, sources)
        self.missing.update(dict.fromkeys(result.missing))
        return result.code


def expander(expand, snippets_dir: Path, lang: str):
    """The include expander for a page in ``lang``: ``expand`` itself for the language
    the snippets are written in, a ``Translator`` for one with a table."""
    table = load_table(snippets_dir, lang)
    return expand if table is None else Translator(expand, table)


FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})[ \t]*(?P<info>.*)$")


def expand_code_blocks(markdown: str, expand) -> str:
    """The page with the includes of its python fences expanded by ``expand`` (run before
    pymdownx.snippets, so that a page shows its translated comments)."""
    out, lines = [], iter(markdown.split("\n"))
    for line in lines:
        out.append(line)
        fence = FENCE_RE.match(line)
        if not fence:
            continue
        body = []
        for inner in lines:
            if inner.strip().startswith(fence["fence"]) and not inner.strip().strip("`"):
                break
            body.append(inner)
        else:
            inner = None
        if fence["info"].split(" ")[0] in ("python", "py"):
            body = expand("\n".join(body)).split("\n")
        out.extend(body)
        if inner is not None:
            out.append(inner)
    return "\n".join(out)


def check(snippets_dir: Path, lang: str) -> list[str]:
    """What is wrong with ``lang``'s table: each comment of a snippet section without a
    translation, each translation no section's comment uses, each translated line wider
    than the code column. Empty for a language without a table."""
    from lossbook._site.runner import split_sections

    table = load_table(snippets_dir, lang)
    if table is None:
        return []
    where = table_path(snippets_dir, lang).name
    problems, used = [], set()
    for path in sorted(Path(snippets_dir).glob("*.py")):
        for name, code in split_sections(path.read_text(encoding="utf-8"), path.name):
            if name is None:
                continue
            result = translate(textwrap.dedent(code).strip("\n"), table, path.stem)
            used |= result.used
            for snippet, text in result.missing:
                problems.append(f"{path.name}:{name}: the comment {text!r} has no "
                                f"translation in snippets/{where} [{snippet}]")
            for line in result.code.split("\n"):
                if columns(line) > CODE_COLUMNS:
                    problems.append(f"{path.name}:{name}: translated, this line is wider than "
                                    f"{CODE_COLUMNS} columns: {line.strip()}")
    for snippet, entries in table.items():
        for text in entries:
            if (snippet, text) not in used:
                problems.append(f"snippets/{where} [{snippet}]: {text!r} translates no "
                                "comment of a section the pages include")
    return problems
