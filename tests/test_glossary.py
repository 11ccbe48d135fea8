"""The glossary (docs/<lang>/glossary.md) and the links the lessons make to it.

How the glossary page declares its terms:

- Each entry is a level-3 heading with an English anchor (``### 独热编码 { #one-hot }``),
  grouped under level-2 headings. zh and en hold the same entries, in the same order.
- The words in bold in an entry are the forms under which the lessons of that language
  write the term; the first is the headword (``**独热编码**（one-hot encoding）……简称
  **独热**``). A form in backticks (``**`from_logits`**``) is an API name: it is found in
  inline code (`` `from_logits=True` ``), not in prose.
- Each entry has exactly one link: to the lesson section that introduces the term, the
  same one in both languages. Each language's entry names the other's headword.

In a lesson (a page with code, the home page aside), the first occurrence of each term in
prose is a link to its entry (``[独热编码](glossary.md#one-hot)``), and no other
occurrence is. Headings, code blocks, math, admonition and tab titles, image alt text and
the text of other links are not prose. Chinese forms are found as substrings, Latin ones
as words (any case, a hyphen or a space alike, up to three more letters for an ending:
``logit`` finds ``logits``, ``clip`` finds ``clipped``); where forms overlap, the longest
wins (``交叉熵`` is not also ``熵``, ``cross-entropy`` not also ``entropy``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lossbook._site.notebooks import lesson_pages

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")
GLOSSARY = "glossary.md"

HEADING_RE = re.compile(r"^(?P<level>#{1,6}) (?P<title>.*?)\s*\{ #(?P<anchor>[a-z0-9-]+) \}\s*$")
BOLD_RE = re.compile(r"\*\*(?P<form>[^*]+?)\*\*")
LINK_RE = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]`]|`[^`]*`)*)\]\((?P<target>[^)\s]+)\)")
ANCHOR_RE = re.compile(r"\{[^}\n]*#(?P<id>[-\w]+)[^}\n]*\}")
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
FENCE_RE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")
SKIPPED_LINE_RE = re.compile(r"^\s*(?:#{1,6} |--8<--|!!!|\?\?\?|===|<!--)")
# Inline spans, left to right. Only "link" and "code" are looked into.
SPAN_RE = re.compile(
    r"(?P<image>!\[[^\]]*\]\([^)]*\)(?:\{[^}]*\})?)"
    r"|(?P<link>" + LINK_RE.pattern.replace("?P<", "?P<link_") + r")"
    r"|(?P<code>(?P<ticks>`+)(?P<code_text>.+?)(?P=ticks))"
    r"|(?P<math>\$\$.*?\$\$|(?<![\\$])\$(?!\s)(?:\\\$|[^$])+?(?<!\s)\$)"
    r"|(?P<other>\{\{.*?\}\}|\{\s*(?:[#.:][^}]*|\w+=[^}]*)\}|<[^>]+>|https?://\S+)"
)


@dataclass
class Entry:
    anchor: str
    forms: list[str]
    links: list[str]
    text: str

    @property
    def headword(self) -> str:
        return self.forms[0].strip("`")


@dataclass(frozen=True)
class Occurrence:
    anchor: str  # the term's entry
    found: str  # the text as the page writes it
    line: int
    link: str | None  # the target of the link it is in, if any


def glossary(lang: str) -> dict[str, Entry]:
    """The entries of one language's glossary page, by anchor, in page order."""
    entries: dict[str, Entry] = {}
    current = None
    for line in (ROOT / "docs" / lang / GLOSSARY).read_text(encoding="utf-8").splitlines():
        heading = HEADING_RE.match(line)
        if heading:
            current = None
            if heading["level"] == "###":
                current = entries[heading["anchor"]] = Entry(heading["anchor"], [], [], "")
        elif current is not None:
            current.forms += BOLD_RE.findall(line)
            current.links += [m["target"] for m in LINK_RE.finditer(line)]
            current.text += line + "\n"
    return entries


def _form_pattern(form: str) -> str:
    """A regex for one form as it stands in prose (see the module docstring)."""
    parts = [r"[\s\-]*" if ch in " -" else re.escape(ch) for ch in form]
    pattern = "".join(parts)
    if re.match(r"[A-Za-z0-9]", form):
        pattern = r"(?<![A-Za-z0-9_.\-])" + pattern
    if re.search(r"[A-Za-z0-9]$", form):
        pattern += r"(?:[a-z]{0,3})(?![A-Za-z0-9_])"
    return pattern


@dataclass
class Matcher:
    """Finds the terms of one language's glossary in a page's prose and inline code."""

    entries: dict[str, Entry]
    prose: re.Pattern = field(init=False)
    code: list[tuple[re.Pattern, str]] = field(init=False)

    def __post_init__(self):
        prose_forms, self.code = [], []
        for entry in self.entries.values():
            for form in entry.forms:
                if form.startswith("`"):
                    name = re.escape(form.strip("`"))
                    self.code.append((re.compile(rf"(?<![\w.]){name}(?!\w)"), entry.anchor))
                else:
                    prose_forms.append((form, entry.anchor))
        # Longest first: at any position, the longest form that matches wins.
        prose_forms.sort(key=lambda item: -len(item[0]))
        self._anchors = [anchor for _, anchor in prose_forms]
        self.prose = re.compile(
            "|".join(f"({_form_pattern(form)})" for form, _ in prose_forms), re.IGNORECASE)

    def in_prose(self, text: str):
        for match in self.prose.finditer(text.replace("**", "")):
            yield self._anchors[match.lastindex - 1], match[0]

    def in_code(self, code: str):
        for pattern, anchor in self.code:
            if pattern.search(code):
                yield anchor, code


def prose_lines(text: str):
    """(line number, line) for each line of prose: not code, math, headings or titles."""
    fence = None
    in_math = False
    for number, line in enumerate(text.splitlines(), start=1):
        opened = FENCE_RE.match(line)
        if fence:
            if opened and opened["fence"][0] == fence[0] and len(opened["fence"]) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            continue
        if opened:
            fence = opened["fence"]
            continue
        if line.strip() == "$$":
            in_math = not in_math
            continue
        if in_math or SKIPPED_LINE_RE.match(line):
            continue
        yield number, line


def occurrences(text: str, matcher: Matcher) -> list[Occurrence]:
    """Every occurrence of a glossary term in a page, in reading order."""
    found = []
    for number, line in prose_lines(text):
        position = 0
        for span in [*SPAN_RE.finditer(line), None]:
            end = span.start() if span else len(line)
            piece = line[position:end]
            found += [Occurrence(a, f, number, None) for a, f in matcher.in_prose(piece)]
            if span is None:
                break
            position = span.end()
            if span["code"]:
                code = span["code_text"]
                found += [Occurrence(a, f, number, None) for a, f in matcher.in_code(code)]
            elif span["link"]:
                target, inside = span["link_target"], span["link_text"]
                for part in re.split(r"(`+[^`]*`+)", inside):
                    if part.startswith("`"):
                        found += [Occurrence(a, f, number, target)
                                  for a, f in matcher.in_code(part.strip("`"))]
                    else:
                        found += [Occurrence(a, f, number, target)
                                  for a, f in matcher.in_prose(part)]
    return found


def link_problems(text: str, matcher: Matcher) -> list[str]:
    """What is wrong with a page's links to the glossary (an empty list if nothing)."""
    problems = []
    seen: set[str] = set()
    for occ in occurrences(text, matcher):
        to_glossary = occ.link is not None and occ.link.split("#")[0] == GLOSSARY
        if occ.link is not None and not to_glossary:
            continue  # the text of a link elsewhere: no link can go there
        expected = f"{GLOSSARY}#{occ.anchor}"
        if occ.anchor not in seen:
            seen.add(occ.anchor)
            if occ.link != expected:
                problems.append(f"line {occ.line}: the first {occ.found!r} should link to "
                                f"{expected}")
        elif occ.link == expected:
            problems.append(f"line {occ.line}: {occ.found!r} links to {expected}, but it is "
                            f"not the term's first occurrence")
    for number, line in prose_lines(text):
        for link in LINK_RE.finditer(line):
            page, _, anchor = link["target"].partition("#")
            if page != GLOSSARY:
                continue
            if anchor not in matcher.entries:
                problems.append(f"line {number}: {link[0]} points to no glossary entry")
            elif not any(occ.anchor == anchor and occ.link == link["target"]
                         for occ in occurrences(line, matcher)):
                problems.append(f"line {number}: {link[0]}: the link text is none of the forms "
                                f"of {anchor!r}: {matcher.entries[anchor].forms}")
    return problems


def anchors_of(page: Path) -> set[str]:
    return set(ANCHOR_RE.findall(page.read_text(encoding="utf-8")))


LESSONS = [page for lang in LANGS for page in lesson_pages(ROOT / "docs" / lang)]


class TestTheGlossaryPage:
    def test_both_languages_have_the_same_entries(self):
        """zh and en hold the same entries, under the same anchors, in the same order."""
        assert list(glossary("zh")) == list(glossary("en"))
        assert len(glossary("zh")) >= 30

    @pytest.mark.parametrize("lang", LANGS)
    def test_every_entry_declares_its_forms_and_one_link(self, lang):
        """Each entry has at least one form in bold and exactly one link."""
        for entry in glossary(lang).values():
            assert entry.forms, f"{lang}/{GLOSSARY}#{entry.anchor}: no form in bold"
            assert len(entry.links) == 1, f"{lang}/{GLOSSARY}#{entry.anchor}: {entry.links}"

    @pytest.mark.parametrize("lang", LANGS)
    def test_no_form_belongs_to_two_entries(self, lang):
        """A form names one term only."""
        owners: dict[str, str] = {}
        for entry in glossary(lang).values():
            for form in entry.forms:
                key = re.sub(r"[\s-]+", " ", form.lower())
                assert owners.setdefault(key, entry.anchor) == entry.anchor, (
                    f"{lang}: {form!r} is a form of both {owners[key]!r} and {entry.anchor!r}")

    def test_every_entry_names_the_term_in_both_languages(self):
        """The zh entry gives the English term and the en entry the Chinese one."""
        zh, en = glossary("zh"), glossary("en")

        def plain(text: str) -> str:  # "closed form" is "closed-form"
            return re.sub(r"[\s-]+", " ", text.lower())

        for anchor in zh:
            english, chinese = en[anchor].headword, zh[anchor].headword
            assert plain(english) in plain(zh[anchor].text), (
                f"zh/{GLOSSARY}#{anchor} does not give the English {english!r}")
            assert plain(chinese) in plain(en[anchor].text), (
                f"en/{GLOSSARY}#{anchor} does not give the Chinese {chinese!r}")

    def test_both_languages_link_to_the_same_section(self):
        """An entry's link goes to the same page and anchor in zh and in en."""
        zh, en = glossary("zh"), glossary("en")
        assert {a: e.links for a, e in zh.items()} == {a: e.links for a, e in en.items()}

    @pytest.mark.parametrize("lang", LANGS)
    def test_every_entry_links_to_an_existing_section(self, lang):
        """The section an entry links to exists: the page, and the anchor on it."""
        for entry in glossary(lang).values():
            page, _, anchor = entry.links[0].partition("#")
            target = ROOT / "docs" / lang / page
            assert page != GLOSSARY and target.is_file(), f"{entry.anchor}: no page {page}"
            assert anchor in anchors_of(target), f"{entry.anchor}: no #{anchor} in {page}"

    @pytest.mark.parametrize("lang", LANGS)
    def test_the_introducing_lesson_uses_the_term(self, lang):
        """A lesson an entry names as the term's introduction writes it in its prose."""
        matcher = Matcher(glossary(lang))
        lessons = {page.name for page in lesson_pages(ROOT / "docs" / lang)}
        for entry in glossary(lang).values():
            page = entry.links[0].partition("#")[0]
            if page in lessons:
                text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
                assert any(o.anchor == entry.anchor for o in occurrences(text, matcher)), (
                    f"{lang}/{page} never uses {entry.anchor!r} ({entry.forms})")


@pytest.mark.parametrize("page", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_lesson_links_each_term_where_it_first_uses_it(page):
    """In the lesson's prose, each term's first occurrence links to its glossary entry,
    no later one does, and every link to the glossary is to an entry, on one of its forms."""
    matcher = Matcher(glossary(page.parent.name))
    problems = link_problems(page.read_text(encoding="utf-8"), matcher)
    assert not problems, f"{page.parent.name}/{page.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_removing_any_glossary_link_is_caught(page):
    """Each glossary link the lesson makes is one the check requires: without it, it fails."""
    matcher = Matcher(glossary(page.parent.name))
    text = page.read_text(encoding="utf-8")
    links = [m for m in LINK_RE.finditer(text) if m["target"].startswith(f"{GLOSSARY}#")]
    assert links, f"{page.parent.name}/{page.name} links to no glossary entry"
    for link in links:
        without = text[:link.start()] + link["text"] + text[link.end():]
        assert link_problems(without, matcher), f"removing {link[0]} goes unnoticed"


class TestTheLinkCheck:
    """The check above, on small pages: it sees what it should and nothing else."""

    matcher = Matcher(glossary("zh"))

    def test_a_first_occurrence_without_a_link_is_reported(self):
        """An unlinked first occurrence is a problem; the link on the second does not help."""
        text = "交叉熵很常用。\n\n[交叉熵](glossary.md#cross-entropy)也叫 log loss。\n"
        assert len(link_problems(text, self.matcher)) == 2

    def test_a_linked_first_occurrence_passes(self):
        """Linked once, at the first occurrence: nothing to report."""
        text = "[交叉熵](glossary.md#cross-entropy)很常用，交叉熵也有代价。\n"
        assert link_problems(text, self.matcher) == []

    def test_headings_code_math_and_other_links_are_not_prose(self):
        """Terms in a heading, a code block, inline code, math or another link's text
        do not count; the first in prose does."""
        text = ("# 交叉熵 { #x }\n\n```python\n# 交叉熵\n```\n\n`交叉熵` $交叉熵$ "
                "[交叉熵](cross_entropy.md) 然后是交叉熵。\n")
        problems = link_problems(text, self.matcher)
        assert len(problems) == 1 and "line 7" in problems[0]

    def test_the_longest_form_wins(self):
        """交叉熵 is not also 熵; 全批量 is not also 批量."""
        found = [o.anchor for o in occurrences("交叉熵与熵，全批量。\n", self.matcher)]
        assert found == ["cross-entropy", "entropy", "batch"]

    def test_an_api_name_is_found_in_inline_code(self):
        """`from_logits=True` is an occurrence of from_logits; its link wraps the code."""
        assert link_problems("写 `from_logits=True`。\n", self.matcher)
        linked = "写 [`from_logits=True`](glossary.md#from-logits)。\n"
        assert link_problems(linked, self.matcher) == []

    def test_a_link_to_a_missing_entry_or_on_the_wrong_word_is_reported(self):
        """A link to no entry, or whose text is not a form of its entry, is a problem."""
        assert link_problems("[交叉熵](glossary.md#nothing)。\n", self.matcher)
        assert link_problems("[损失](glossary.md#entropy)。\n", self.matcher)
