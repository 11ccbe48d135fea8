"""MkDocs hook: executed snippets, figures, quoted values, MathML, and the English build.

- on_config: runs the snippets whose outputs are stale (cached in ``build/run``).
- on_files: adds each figure of the page's language as ``figures/<snippet>/<name>.svg``.
- on_page_markdown: fills ``{{ snippet.value:spec }}`` with numbers from the runs (and an
  explorable figure's line with its box and data: build.insert_widgets), and gives
  the included code the comments of the page's language (``comments.py``).
- on_page_content: typesets math as MathML at build time (no script, no CDN).
- on_post_build: writes the search index as UTF-8 rather than ``\\uXXXX`` escapes (a
  Chinese character costs 3 bytes instead of 6, and every page loads the index); then
  the Chinese build (``mkdocs.yml``) builds the English site (``mkdocs.en.yml``) into
  ``<site>/en``, so ``mkdocs build`` and ``mkdocs serve`` produce and serve both languages.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from mkdocs.structure.files import File  # noqa: E402

from lossbook._site import build, comments, css, notebooks, wheel  # noqa: E402

log = logging.getLogger("mkdocs.hooks.lossbook")
RUN_DIR = ROOT / "build" / "run"


def _settings(config):
    return config.extra["lossbook"]


def on_config(config):
    build.ensure_runs(ROOT / "snippets", RUN_DIR, ROOT / "src" / "lossbook", log=log.info)
    # A comment without a translation (or a translation of no comment) is a warning,
    # which fails the strict build.
    for problem in comments.check(ROOT / "snippets", _settings(config)["lang"]):
        log.warning(problem)
    # "Edit this page" needs the GitHub repository: GITHUB_REPOSITORY in GitHub Actions,
    # or LOSSBOOK_REPOSITORY=owner/name. Without it the link is left out, never guessed.
    # repo_url stays unset: Material would call api.github.com from every page for it.
    repository = _repository()
    lang = _settings(config)["lang"]
    if repository:
        config.edit_uri = f"https://github.com/{repository}/edit/main/docs/{lang}/"
    # The first build makes every language's notebooks, from the runs above.
    docs_dirs = {lang: Path(config.docs_dir)}
    for config_file in _settings(config).get("also_build", []):
        from mkdocs.config import load_config

        other = load_config(str(ROOT / config_file))
        docs_dirs[_settings(other)["lang"]] = Path(other.docs_dir)
    notebooks.ensure_notebooks(
        docs_dirs, {lang: _expander(config, lang) for lang in docs_dirs}, RUN_DIR,
        site_url=config.site_url,
    )
    return config


def _repository():
    return os.environ.get("LOSSBOOK_REPOSITORY") or os.environ.get("GITHUB_REPOSITORY")


def _expander(config, lang):
    """Expands includes as the build does, with the comments in ``lang``."""
    plain = build.snippet_expander(config.mdx_configs["pymdownx.snippets"])
    return comments.expander(plain, ROOT / "snippets", lang)


def on_files(files, config):
    lang = _settings(config)["lang"]
    for svg in sorted(RUN_DIR.glob(f"*/*.{lang}.svg")):
        uri = f"figures/{svg.parent.name}/{svg.name[: -len(f'.{lang}.svg')]}.svg"
        files.append(File.generated(config, uri, abs_src_path=str(svg)))
    return files


def on_page_markdown(markdown, page, config, files):
    where = page.file.src_uri
    if where.startswith("notebooks/"):
        # The lesson page is the one to find; indexing its notebook would double the
        # search index every page loads.
        page.meta.setdefault("search", {})["exclude"] = True
        return markdown
    lang = _settings(config)["lang"]
    markdown = build.version_stamp(markdown, RUN_DIR, lang, where=where)
    notebook = Path(config.docs_dir) / "notebooks" / f"{Path(where).stem}.py"
    if not where.startswith("notebooks/") and notebook.exists():
        # From the page (one folder per page) to the root site, which serves the wheel.
        root = "../" * page.url.count("/") + ("../" if _settings(config)["path"] else "")
        markdown = build.notebook_links(markdown, Path(where).stem, lang, _repository(), root)
    markdown = build.substitute_values(markdown, RUN_DIR, where=where)
    markdown = build.insert_widgets(markdown, RUN_DIR, where=where)
    expand = _expander(config, lang)
    if isinstance(expand, comments.Translator):
        # Included here rather than by pymdownx.snippets, with the comments translated.
        markdown = comments.expand_code_blocks(markdown, expand)
    return markdown


def on_page_content(html, page, config, files):
    return build.slim_code_blocks(build.keep_code_out_of_search(build.math_to_mathml(html)))


def on_post_page(output, page, config):
    if page.file.src_uri.startswith("notebooks/"):
        # Offline, then light: JupyterLab's stylesheets cut to what the page uses, and
        # the figures as files that load when seen (the first-load budget of a lesson).
        output = build.slim_notebook_page(build.notebook_page_offline(output))
        output = css.purge_page(output)
        return build.externalize_images(
            output, Path(config.site_dir) / Path(page.file.dest_uri).parent)
    # An explorable figure's script and styles, on the pages that hold one.
    return build.widget_assets(output, "../" * page.url.count("/"))


def on_post_build(config):
    from mkdocs.config import load_config

    build.compact_search_index(Path(config.site_dir) / "search" / "search_index.json")
    settings = _settings(config)
    subs = [load_config(str(ROOT / config_file), strict=config.strict)
            for config_file in settings.get("also_build", [])]
    # Material's stylesheet, cut to the rules this language's pages can use (each
    # language's site has its own copy).
    sizes = css.purge_site_stylesheet(config.site_dir,
                                      skip=[_settings(sub)["path"] for sub in subs])
    if sizes:
        log.info("Material's stylesheet cut from %d to %d bytes", *sizes)
    if not settings["path"]:  # the root site serves lossbook's wheel to both languages
        made = wheel.ensure_wheel(ROOT, ROOT / "build" / "wheel", log=log.info)
        wheel.write_index(Path(config.site_dir), made, ROOT)
    for sub in subs:
        from mkdocs.commands.build import build as mkdocs_build

        sub.site_dir = str(Path(config.site_dir) / _settings(sub)["path"])
        sub.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(sub)
        finally:
            sub.plugins.on_shutdown()
