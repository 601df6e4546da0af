"""The NL Design System look: Utrecht component CSS, design tokens and the municipal theme.

In Debian's chromium (Playwright): the main pages at 1280 and 390 px use the NL Design System
components with the theme's tokens (computed styles, not only class names), stay axe-clean
(no serious or critical WCAG 2.1 A/AA violations) and need no sideways scrolling; a
municipality's theme file (JEUGDSTELSEL_THEMA) replaces the tokens, and only that one file of
its folder is served. Screenshots go to ``JEUGDSTELSEL_SCREENSHOTS`` (see test_web_browser.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.web.test_web_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    axe_check,
    browser_page,
    login,
    shot,
    tiel_advisor,
)

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ACCENT = "rgb(11, 83, 148)"  # --basis-color-accent-1-inverse-bg-default of the shipped theme
PAGES = (
    ("/staat-van-het-jeugdstelsel", "nlds-dashboard"),
    ("/kompas/GM0281", "nlds-kompas"),
    ("/kompas/GM0281/doelen/nieuw", "nlds-kompas-doel-nieuw"),
    ("/scenariolab/GM0281", "nlds-lab"),
    ("/scenariolab/GM0281/nieuw", "nlds-lab-nieuw"),
)


def style(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(
        f"e => getComputedStyle(e).getPropertyValue('{prop}')"
    )


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.usefixtures("tiel_advisor")
def test_main_pages_use_the_nl_design_system_and_stay_accessible(browser_page, width):  # noqa: F811
    page, base = browser_page
    login(page, base)
    page.set_viewport_size({"width": width, "height": 900})
    for path, name in PAGES:
        page.goto(base + path)
        assert page.locator("html.voorbeeld-theme.gemeente-thema").count() == 1
        assert page.locator("main.utrecht-html h1.utrecht-heading-1").count() == 1, path
        # the tokens reach the components: the theme's font and colours, computed
        assert "system-ui" in style(page, "body", "font-family")
        assert style(page, "header.utrecht-page-header", "background-color") == ACCENT
        axe_check(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        shot(page, f"{name}-{width}")
    # buttons and form fields are the Utrecht components, styled by the tokens
    button = "main button.utrecht-button--primary-action"
    assert style(page, button, "background-color") == ACCENT
    assert style(page, button, "color") == "rgb(255, 255, 255)"
    assert page.locator("main .utrecht-form-field input.utrecht-textbox").count() >= 1
    assert page.locator("main .utrecht-form-field label.utrecht-form-label").count() >= 1
    # a button link keeps its button colours inside .utrecht-html (which colours every <a>)
    page.goto(base + "/scenariolab/GM0281")
    link = "main a.utrecht-button-link--primary-action"
    assert style(page, link, "background-color") == ACCENT
    assert style(page, link, "color") == "rgb(255, 255, 255)"
    page.goto(base + "/kompas/GM0281")
    link = "main a.utrecht-button-link--secondary-action"
    assert style(page, link, "color") == ACCENT
    assert style(page, link, "text-decoration-line") == "none"


@pytest.mark.browser
@needs_chromium
@pytest.mark.usefixtures("tiel_advisor")
def test_a_municipal_theme_replaces_the_tokens(browser_page, tmp_path, settings):  # noqa: F811
    folder = tmp_path / "huisstijl"
    folder.mkdir()
    (folder / "gemeente-tiel.css").write_text(
        ".gemeente-thema { --basis-color-accent-1-inverse-bg-default: #6e1423; }\n",
        encoding="utf-8",
    )
    (folder / "geheim.txt").write_text("niet publiek", encoding="utf-8")
    settings.THEME_FILE = folder / "gemeente-tiel.css"
    settings.THEME_CSS = "thema/gemeente-tiel.css"
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "jeugdstelsel.web.core.theme.ThemeFinder",
    ]
    finders.get_finder.cache_clear()
    try:
        assert finders.find("thema/gemeente-tiel.css") == str(folder / "gemeente-tiel.css")
        assert finders.find("thema/geheim.txt") is None  # only the theme, not its folder
        page, base = browser_page
        login(page, base)
        page.goto(base + "/kompas/GM0281")
        # after the app's own theme, so that it overrides only what it sets
        links = page.locator('link[rel="stylesheet"]').evaluate_all("ls => ls.map(l => l.href)")
        assert [link.split("/static/")[1] for link in links][1:3] == [
            "web/thema-jeugdstelsel.css", "thema/gemeente-tiel.css"]
        assert style(page, "header.utrecht-page-header", "background-color") == \
            "rgb(110, 20, 35)"
        axe_check(page, "thema-tiel")
        shot(page, "nlds-thema-tiel")
        page.goto(base + "/kompas/GM0281/doelen/nieuw")  # one token re-colours the buttons too
        assert style(page, "main button.utrecht-button--primary-action",
                     "background-color") == "rgb(110, 20, 35)"
        assert page.request.get(base + "/static/thema/geheim.txt").status == 404
    finally:
        finders.get_finder.cache_clear()


def _settings(env: dict) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.THEME_CSS, s.THEME_FILE)")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings", **env},
    )


def test_the_theme_setting(tmp_path):
    theme = tmp_path / "thema.css"
    theme.write_text(".gemeente-thema { --basis-color-accent-1-inverse-bg-default: red; }")
    shipped = _settings({"JEUGDSTELSEL_THEMA": ""})
    assert shipped.stdout.split() == ["None", "None"]
    own = _settings({"JEUGDSTELSEL_THEMA": str(theme)})
    assert own.stdout.split() == ["thema/thema.css", str(theme.resolve())]
    wrong = _settings({"JEUGDSTELSEL_THEMA": str(tmp_path / "bestaat-niet.css")})
    assert wrong.returncode != 0
    assert "JEUGDSTELSEL_THEMA wijst niet naar een CSS-bestand" in wrong.stderr


def test_the_nlds_files_are_local_with_licence_and_version(client, db):
    html = client.get("/").content.decode()
    for name in ("web/nlds/voorbeeld-theme.css", "web/thema-jeugdstelsel.css",
                 "web/nlds/utrecht-components.css", "web/nlds/utrecht-html.css",
                 "web/site.css"):
        assert f'href="/static/{name}"' in html
        path = finders.find(name)
        assert path, name
        text = Path(path).read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text and "@import" not in text, name  # nothing from outside
    readme = Path(finders.find("web/nlds/README.md")).read_text(encoding="utf-8")
    assert "@utrecht/component-library-css" in readme and "| 9.0.4 |" in readme
    assert finders.find("web/nlds/LICENSE-utrecht-component-library-css.md")
    assert finders.find("web/nlds/LICENSE-voorbeeld-design-tokens.md")
