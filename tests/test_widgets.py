"""The explorable figures (docs/overrides/assets/javascripts/widget-*.js) in a browser.

Each widget is a box on a lesson page with the data the build's run wrote into it
(build.insert_widgets). For each widget, in both languages: the box is filled without a
console error, a failed request or a request to another host; at each of its module's
SETTINGS (tests/widget_<name>.py, at least three) every number it shows equals what
lossbook / TensorFlow compute for the same setting (the module's TOLERANCE), and at the
page's defaults what the build's run recorded; a control moves with the keyboard; at a
phone's width nothing in it scrolls sideways. Screenshots (light at 1280 px, dark at
390 px) go to build/browser/widgets/. Without JavaScript the box stays hidden and the
page's static figures are there. The checks of every page (test_browser.py) cover the
rest: the first-load budget, no console error on load.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import re
from pathlib import Path

import pytest
from test_browser import OUT, _browser_or_skip, _launch, _Server, page_path

from conftest import LANGS, ROOT

WIDGETS = ["pinball", "softmax", "robust", "gd"]
MODULES = {name: importlib.import_module(f"widget_{name}") for name in WIDGETS}
SHOTS = OUT / "widgets"


def test_each_widget_is_on_its_page_in_both_languages():
    for name, module in MODULES.items():
        assert len(module.SETTINGS) >= 3, name
        for lang in LANGS:
            text = (ROOT / "docs" / lang / f"{module.PAGE}.md").read_text(encoding="utf-8")
            assert re.search(rf"^<!-- lossbook-widget: {name} \w+\.\w+ -->$", text, re.M), (
                f"docs/{lang}/{module.PAGE}.md has no {name} widget")


def test_only_the_pages_with_a_widget_load_widget_code(built_site):
    pages = {MODULES[name].PAGE: name for name in WIDGETS}
    for html_file in built_site.rglob("index.html"):
        page = html_file.read_text(encoding="utf-8")
        loaded = set(re.findall(r'assets/javascripts/widget-(\w+)\.js', page))
        stem = html_file.parent.name
        if "notebooks" in html_file.parts:
            assert not loaded, html_file
            continue
        assert loaded == ({pages[stem]} if stem in pages else set()), html_file


def _close(shown: str, want, tol: dict) -> bool:
    if isinstance(want, bool):
        return shown == str(want).lower()
    value = float(shown)  # "Infinity", "-Infinity", "NaN" parse
    want = float(want)
    if math.isnan(want) or math.isinf(want):
        return (math.isnan(value) and math.isnan(want)) or value == want
    return math.isclose(value, want, rel_tol=tol["rtol"], abs_tol=tol["atol"])


async def _set(page, root, setting):
    for key, value in setting.items():
        control = root.locator(f'[data-in="{key}"]')
        kind = await control.first.get_attribute("type")
        if kind == "checkbox":
            await (control.check() if value else control.uncheck())
        elif kind == "radio":
            await root.locator(f'[data-in="{key}"][value="{value}"]').check()
        else:
            await control.fill(str(value))


async def _shown(root) -> dict:
    return await root.evaluate(
        "r => Object.fromEntries([...r.querySelectorAll('[data-out][data-raw]')]"
        ".map(e => [e.dataset.out, e.dataset.raw]))")


def _visit(built_site, lang):
    """Every widget's settings on its page in ``lang``: the problems found."""
    executable = _browser_or_skip()
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def run():
        from playwright.async_api import async_playwright

        server, problems = _Server(built_site), []
        try:
            async with async_playwright() as playwright:
                browser = await _launch(playwright, executable)
                try:
                    for name in WIDGETS:
                        problems += await _check_widget(browser, server, lang, name)
                    problems += await _check_without_javascript(browser, server, lang)
                finally:
                    await browser.close()
        finally:
            server.close()
        return problems

    return asyncio.run(run())


async def _check_widget(browser, server, lang, name):
    module = MODULES[name]
    problems, hosts = [], set()
    local = server.url.split("/")[2]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("console", lambda m: problems.append(f"console error: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("request", lambda r: hosts.add(r.url.split("/")[2])
            if r.url.startswith("http") else None)
    label = f"{lang}/{module.PAGE} {name}"
    try:
        await page.goto(server.url + page_path(lang, Path(module.PAGE)), wait_until="networkidle")
        await page.wait_for_selector(
            f'.lossbook-widget--ready[data-widget="{name}"]', timeout=15000)
        root = page.locator(f'.lossbook-widget[data-widget="{name}"]')
        data = json.loads(await root.locator('script[type="application/json"]').text_content())
        tolerances = module.TOLERANCE
        for setting in module.SETTINGS:
            await _set(page, root, setting)
            shown = await _shown(root)
            want = module.expected(data, setting)
            recorded = getattr(module, "at_default", lambda d, s: None)(data, setting)
            for source, values in (("lossbook", want), ("the build's run", recorded or {})):
                for key, value in values.items():
                    tol = tolerances.get(key, tolerances["default"])
                    if key not in shown:
                        problems.append(f"{label} {setting}: shows no {key!r}")
                    elif not _close(shown[key], value, tol):
                        problems.append(f"{label} {setting}: {key} = {shown[key]}, "
                                        f"{source} gives {value!r} ({tol})")
        # The keyboard: a range input takes the arrow keys.
        control = root.locator('input[type="range"]').first
        before = await _shown(root)
        await control.focus()
        await page.keyboard.press("ArrowLeft")
        await page.keyboard.press("ArrowLeft")
        if await _shown(root) == before:
            problems.append(f"{label}: the arrow keys on its first slider changed nothing")
        # Material's header stays on top of the page and would cover the widget's top.
        await page.add_style_tag(content=".md-header { visibility: hidden; }")
        await root.screenshot(path=str(SHOTS / f"{name}-{lang}-light-1280.png"))
        await page.emulate_media(color_scheme="dark")
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        await page.wait_for_timeout(300)
        # What an <svg> draws beyond its box is clipped: the <svg> itself is measured.
        wide = await root.evaluate(
            "r => [...r.querySelectorAll('*')].filter(e => !(e instanceof SVGElement) ||"
            " e instanceof SVGSVGElement).filter(e => e.getBoundingClientRect().right >"
            " r.getBoundingClientRect().right + 1).map(e => e.tagName)")
        if wide or await root.evaluate("r => r.scrollWidth > r.clientWidth + 1"):
            problems.append(f"{label}: wider than the column at 390 px: {wide[:5]}")
        await root.screenshot(path=str(SHOTS / f"{name}-{lang}-dark-390.png"))
    except Exception as err:  # noqa: BLE001 - reported with the widget's name
        problems.append(f"{label}: {type(err).__name__}: {err}")
    finally:
        await context.close()
    if hosts - {local}:
        problems.append(f"{label}: requests to {sorted(hosts - {local})}")
    return problems


async def _check_without_javascript(browser, server, lang):
    problems = []
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    try:
        for name in WIDGETS:
            await page.goto(server.url + page_path(lang, Path(MODULES[name].PAGE)))
            box = page.locator(f'.lossbook-widget[data-widget="{name}"]')
            if await box.is_visible():
                problems.append(f"{lang} {name}: the empty box shows without JavaScript")
            # What the run showed stays: its figures (the softmax lesson has none: its
            # outputs are text) load without a script.
            for figure in await page.locator("article img").all():
                if not await figure.evaluate("e => e.complete && e.naturalWidth > 0"):
                    await figure.scroll_into_view_if_needed()
                    await page.wait_for_function("e => e.complete && e.naturalWidth > 0",
                                                 arg=await figure.element_handle())
    finally:
        await context.close()
    return problems


@pytest.mark.parametrize("lang", LANGS)
def test_every_widget_shows_what_lossbook_computes(built_site, lang):
    problems = _visit(built_site, lang)
    assert not problems, "\n".join(problems[:30])


class TestWhatThePagesSay:
    """The sentences of the "Try it" sections about what the widgets show, checked with
    lossbook on the data the build wrote (no browser needed)."""

    @staticmethod
    def data(snippet):
        path = ROOT / "build" / "run" / snippet / "values.json"
        return json.loads(path.read_text(encoding="utf-8"))["widget"]

    def test_custom_loss_the_inequality_fails_without_bias_and_holds_with_it(self, built_site):
        module, data = MODULES["pinball"], self.data("custom_loss_quantile")
        default = {"profit": data["profit"], "cost": data["cost"]}
        assert module.expected(data, {**default, "bias": False})["status"] is False
        for setting in module.SETTINGS:
            if setting["bias"]:
                assert module.expected(data, setting)["status"] is True, setting

    def test_custom_loss_raising_cost_moves_the_points_below_the_line(self, built_site):
        # "at PROFIT = COST about half of them lie below, and at PROFIT = 1, COST = 99
        # all lie on it or below" (with the bias column, as the page has it ticked)
        module, data = MODULES["pinball"], self.data("custom_loss_quantile")
        n = len(data["y"])
        start = module.expected(data, {"profit": data["profit"], "cost": data["cost"],
                                       "bias": False})
        assert start["over"] > n / 2, start  # the default: most points above the line
        even = module.expected(data, {"profit": 99, "cost": 99, "bias": True})
        assert 0.4 * n <= even["short"] <= 0.6 * n, even
        low = module.expected(data, {"profit": 1, "cost": 99, "bias": True})
        assert low["over"] == 0, low

    def test_softmax_the_naive_formula_breaks_where_the_page_says(self, built_site):
        module, data = MODULES["softmax"], self.data("softmax_ce_seed")

        def naive(z):  # the answer's logit moved, the others at the page's defaults
            others = data["logits"][1:]
            return module.expected(data, {"z0": z, "z1": others[0], "z2": others[1],
                                          "label": 0, "naive": True})["loss"]

        assert data["label"] == 0
        assert math.isfinite(naive(88.7)) and math.isnan(naive(88.8))  # "88.8"
        assert math.isfinite(naive(-85.9)) and naive(-86.0) == math.inf  # "about −86"

    def test_robust_a_typo_moved_up_moves_only_the_mse_line(self, built_site):
        module, data = MODULES["robust"], self.data("robust_fits")
        before = module.expected(data, {"point": data["point"]})
        after = module.expected(data, {"point": data["point"], "py": 6.0})
        for key in ("mae_a", "mae_b", "huber_a", "huber_b"):
            assert math.isclose(after[key], before[key], rel_tol=1e-9, abs_tol=1e-12), key
        assert abs(after["mse_a"] - before["mse_a"]) > 0.05
        back = module.expected(data, {"point": data["point"], "px": 0.89, "py": 0.89})
        assert abs(back["mse_a"] - before["mse_a"]) > 0.1  # "comes a long way back"
        assert abs(back["mse_a"] - back["mae_a"]) > 0.1  # "still pulled"
