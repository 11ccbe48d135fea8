"""Keeps, of a page's inline stylesheets, only the rules that can apply to the page.

mkdocs-jupyter inlines JupyterLab's stylesheets into every notebook page: about 570 KB
of CSS (colour palettes, widgets, menus, dialogs) for a page that uses a few dozen
classes, which put the notebook pages at twice the first-load budget of the lessons.
:func:`purge_page` drops what cannot match:

- a selector is kept when every class, id and element name it requires occurs in the
  page (what sits inside ``:not()``, ``:is()``, ``:where()``, ``:has()`` and attribute
  brackets requires nothing, so such selectors are judged by the rest: the purge may keep
  too much, never too little); a rule keeps its matching selectors, or goes;
- ``@media`` and ``@supports`` blocks are purged inside and go when empty; other at-rules
  (``@font-face``, ``@keyframes``, ``@page``) stay;
- a custom property (``--jp-ui-font-size1: …``) is kept when a kept declaration, another
  kept custom property, the page's ``style`` attributes or its other stylesheets use it
  (``var(--…)``), followed to a fixed point.

The static pages have no script that adds JupyterLab classes later (the notebook is not
live); a test renders a notebook page before and after, in light and dark mode, and
compares the pixels.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

STYLE_RE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
VAR_RE = re.compile(r"var\(\s*(--[\w-]+)")
CLASS_RE = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
ID_RE = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
# An element name: at the start of a compound selector.
TAG_RE = re.compile(r"(?:^|[\s>+~])([a-zA-Z][\w-]*)")


class _Used(html.parser.HTMLParser):
    """The element names, classes and ids a page's HTML contains, and its inline styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.classes, self.ids, self.inline = set(), set(), set(), []
        # Beginnings of class and id names a script completes at run time
        # (`tabbed-control--${side}`): a name that starts with one counts as used.
        self.prefixes: tuple = ()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag.lower())
        for name, value in attrs:
            if name == "class" and value:
                self.classes.update(value.split())
            elif name == "id" and value:
                self.ids.add(value)
            elif name == "style" and value:
                self.inline.append(value)

    handle_startendtag = handle_starttag


def _past_group(selector: str, i: int) -> int:
    """The index just past the bracketed group that opens at ``selector[i]``."""
    opening = selector[i]
    closing = {"[": "]", "(": ")"}[opening]
    depth = 0
    while i < len(selector):
        depth += selector[i] == opening
        depth -= selector[i] == closing
        i += 1
        if depth == 0:
            break
    return i


def _strip_neutral(selector: str) -> str:
    """The selector without attribute brackets, pseudo-classes and pseudo-elements with
    their arguments (``:not(.x)``, ``:nth-child(2n)``): what is left must all be in the
    page."""
    out, i = [], 0
    while i < len(selector):
        if selector[i] == "[":  # an attribute: requires no class or element
            i = _past_group(selector, i)
        elif selector[i] == ":":
            match = re.match(r"::?[\w-]+", selector[i:])
            i += match.end() if match else 1
            if i < len(selector) and selector[i] == "(":
                i = _past_group(selector, i)
        else:
            out.append(selector[i])
            i += 1
    return "".join(out)


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        depth += char in "(["
        depth -= char in ")]"
        if char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def selector_can_match(selector: str, used: _Used) -> bool:
    rest = _strip_neutral(selector)
    for names, found in ((CLASS_RE.findall(rest), used.classes),
                         (ID_RE.findall(rest), used.ids)):
        if not all(n in found or n.startswith(used.prefixes) for n in names):
            return False
    tags = {t.lower() for t in TAG_RE.findall(re.sub(r"[.#][\w-]+", " ", rest))}
    return tags <= used.tags | {"html", "body"}


def _declarations(content):
    import tinycss2

    return [d for d in tinycss2.parse_blocks_contents(content, skip_comments=True,
                                                      skip_whitespace=True)
            if d.type == "declaration"]


def _declaration_text(declaration) -> str:
    import tinycss2

    value = tinycss2.serialize(declaration.value).strip()
    return f"{declaration.name}:{value}{' !important' if declaration.important else ''}"


def _purge_rules(rules, used: _Used):
    """The rules that can apply, as (selectors, [(name, text)]) or (at-rule, inner)."""
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split_selectors(tinycss2.serialize(rule.prelude))
                         if selector_can_match(s, used)]
            if selectors:
                kept.append(("rule", ",".join(selectors),
                             [(d.lower_name, _declaration_text(d))
                              for d in _declarations(rule.content)]))
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword == "charset":
                continue  # not allowed inside a <style> element's text anyway
            if keyword in ("media", "supports") and rule.content is not None:
                inner = _purge_rules(tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True), used)
                if inner:
                    kept.append(("block", f"@{keyword}{tinycss2.serialize(rule.prelude)}",
                                 inner))
            else:
                kept.append(("verbatim", tinycss2.serialize([rule]), None))
    return kept


def _walk_declarations(kept):
    for kind, _, body in kept:
        if kind == "rule":
            yield from body
        elif kind == "block":
            yield from _walk_declarations(body)


def _serialize(kept, needed: set) -> str:
    out = []
    for kind, head, body in kept:
        if kind == "verbatim":
            out.append(head)
        elif kind == "block":
            inner = _serialize(body, needed)
            if inner:
                out.append(f"{head.strip()}{{{inner}}}")
        else:
            texts = [text for name, text in body if not name.startswith("--") or name in needed]
            if texts:
                out.append(f"{head}{{{';'.join(texts)}}}")
    return "".join(out)


def _needed_properties(kepts: list, outside: str) -> set:
    """The custom properties used by the kept rules of all the page's stylesheets, or by
    ``outside`` (inline styles), followed through the properties that use others."""
    declarations = [d for kept in kepts for d in _walk_declarations(kept)]
    custom: dict = {}
    for name, text in declarations:
        if name.startswith("--"):
            custom.setdefault(name, []).append(text)
    needed = set(VAR_RE.findall(outside))
    for name, text in declarations:
        if not name.startswith("--"):
            needed.update(VAR_RE.findall(text))
    for kept in kepts:
        for kind, head, _ in kept:
            if kind == "verbatim":
                needed.update(VAR_RE.findall(head))
    todo = list(needed)
    while todo:
        for text in custom.get(todo.pop(), []):
            for name in VAR_RE.findall(text):
                if name not in needed:
                    needed.add(name)
                    todo.append(name)
    return needed


def _is_python_repr(css: str) -> bool:
    """mkdocs-jupyter writes the highlighter's stylesheet a second time as a Python list
    literal (``['pre { … }']``): not CSS; a browser drops all of it."""
    text = css.strip()
    return text.startswith("['") and text.endswith("']")


def purge_page(page_html: str) -> str:
    """The page with its inline ``<style>`` elements cut to the rules that can apply."""
    import tinycss2

    used = _Used()
    used.feed(STYLE_RE.sub("", page_html))
    kepts = [None if _is_python_repr(m[2]) else _purge_rules(tinycss2.parse_stylesheet(
        m[2], skip_comments=True, skip_whitespace=True), used)
        for m in STYLE_RE.finditer(page_html)]
    needed = _needed_properties([k for k in kepts if k], "\n".join(used.inline))
    purged = iter(kepts)

    def purge(match):
        kept = next(purged)
        return "" if kept is None else match[1] + _serialize(kept, needed) + match[3]

    return STYLE_RE.sub(purge, page_html)


# --- Material's stylesheet, cut to the site -------------------------------------------

JS_WORD_RE = re.compile(r"[A-Za-z_][\w-]*")
# The start of a name in a template string: `tabbed-control--${side}`.
JS_PREFIX_RE = re.compile(r"([A-Za-z_][\w-]*[-_])\$\{")


def _site_used(site: Path, skip: tuple) -> _Used:
    """The element names, classes and ids of every page of the site, and every word of
    its scripts (a class a script adds, e.g. to a search result, is a word of it)."""
    used = _Used()
    for page in sorted(site.rglob("*.html")):
        if not any(page.is_relative_to(site / part) for part in skip):
            used.feed(STYLE_RE.sub("", page.read_text(encoding="utf-8")))
    for script in sorted((site / "assets" / "javascripts").rglob("*.js")):
        text = script.read_text(encoding="utf-8")
        words = set(JS_WORD_RE.findall(text))
        used.classes |= words
        used.ids |= words
        used.tags |= {w.lower() for w in words}
        used.prefixes += tuple(sorted(set(JS_PREFIX_RE.findall(text))))
    return used


def purge_site_stylesheet(site, skip=()) -> tuple[int, int] | None:
    """Cuts Material's ``main.*.min.css`` in ``site`` to the rules that can apply to one of
    its pages, and points every page at the cut file (under a name of its own content).

    What can apply is judged as :func:`purge_page` judges a page, against the whole site:
    every class, id and element of every page (sub-sites in ``skip`` aside: they cut
    their own), and every word of the site's scripts, which is how the classes Material's
    JavaScript adds later (search results, tooltips, the copy button's states) are kept.
    Custom properties are kept when a kept rule, another stylesheet of the site or a
    ``style`` attribute uses them. Returns the sizes before and after, or ``None`` when
    the site has no such stylesheet.
    """
    import hashlib

    import tinycss2

    site = Path(site)
    folder = site / "assets" / "stylesheets"
    found = sorted(folder.glob("main.*.min.css"))
    if not found:
        return None
    original = found[0]
    text = original.read_text(encoding="utf-8")
    used = _site_used(site, tuple(skip))
    kept = _purge_rules(tinycss2.parse_stylesheet(text, skip_comments=True,
                                                  skip_whitespace=True), used)
    others = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.css"))
                       if p != original)
    needed = _needed_properties([kept], "\n".join(used.inline) + "\n" + others)
    cut = _serialize(kept, needed)
    name = f"main.{hashlib.sha256(cut.encode()).hexdigest()[:8]}.cut.css"
    (folder / name).write_text(cut, encoding="utf-8")
    for page in site.rglob("*.html"):
        if any(page.is_relative_to(site / part) for part in skip):
            continue
        html_text = page.read_text(encoding="utf-8")
        if original.name in html_text:
            page.write_text(html_text.replace(original.name, name), encoding="utf-8")
    original.unlink()
    return len(text.encode()), len(cut.encode())
