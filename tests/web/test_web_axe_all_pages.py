"""axe-core on every HTML page of the site, at 1280 and 390 px (issue 17, item 5).

The pages are not a hand list: the test walks Django's URL configuration and fails when a GET
HTML pattern is neither visited here nor named in ``EXCLUDED`` with the reason (POST-only,
download, JSON). It builds one small world through the product's own models and functions (a
municipality with an item of every kind, a deleted item, scenarios, a finished and a waiting
run, a goal search, a second member), then visits every page in one browser as a role that may
see it — anonymous for the public pages, a gemeentelijk beheerder for the rest — runs axe at
1280 px, narrows the same page to 390 px (no reload) and runs axe again, and checks that the
page needs no sideways scrolling on a phone (WCAG 1.4.10). All findings are collected and
reported together. Screenshots at 390 px go to ``JEUGDSTELSEL_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas.registry import KINDS
from jeugdstelsel.web.lab import goalseek, worker
from jeugdstelsel.web.lab.models import GoalSearch, Run, Scenario
from jeugdstelsel.web.lab.views import queue_run
from tests.web.conftest import PASSWORD, make_user
from tests.web.test_web_browser import CHROMIUM, axe_check, browser_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                       "(apt-get install -y chromium); no browser is downloaded"),
]

WIDTHS = (1280, 390)
SHOTS = os.environ.get("JEUGDSTELSEL_SCREENSHOTS")

#: Namespaces that are not pages of this site's layout: the Django admin (its own templates,
#: named as not separately tested in the accessibility statement) and the JSON API.
SKIPPED_NAMESPACES = {"admin", "api"}

#: Patterns that answer GET with something other than an HTML page of their own, or not GET.
EXCLUDED = {
    # POST only (Django 5's LogoutView answers GET with 405)
    "uitloggen": "POST: uitloggen",
    "kompas/<str:code>/<slug:slug>/<int:pk>/herstellen": "POST: herstellen uit de prullenbak",
    "scenariolab/<str:code>/scenarios/<int:pk>/dupliceren": "POST: scenario dupliceren",
    "scenariolab/<str:code>/scenarios/<int:pk>/berekenen": "POST: doorrekenen",
    "scenariolab/<str:code>/doelzoeker/<uuid:pk>/opslaan": "POST: pakket als scenario opslaan",
    # OpenID Connect: off in the tests (404); when on, redirects to and from the provider
    "inloggen/organisatie": "redirect naar de identiteitsprovider",
    "inloggen/organisatie/terug": "redirect terug van de identiteitsprovider",
    # downloads
    "transparantie/algoritmeregister.json": "download: JSON voor het Algoritmeregister",
    "kompas/<str:code>/exporteren": "download: werkplaats als JSON",
    "scenariolab/<str:code>/berekeningen/<uuid:pk>/excel": "download: Excel-werkmap",
    "scenariolab/<str:code>/berekeningen/<uuid:pk>/raadsrapport": "download: raadsrapport (PDF)",
    # JSON polled by the waiting pages
    "scenariolab/<str:code>/berekeningen/<uuid:pk>/status": "JSON: status van een berekening",
    "scenariolab/<str:code>/doelzoeker/<uuid:pk>/status": "JSON: status van een zoektocht",
}


#: Cells of a table shown as cards on a phone (table.kaarten) whose content is taller than the
#: cell: their lines would overlap the next (seen in a screenshot: the Utrecht table's fixed
#: cell height).
CLIPPED_CELLS = """[...document.querySelectorAll('table.kaarten td, table.kaarten th')]
    .filter(c => c.offsetParent !== null && c.scrollHeight > c.clientHeight + 1)
    .slice(0, 3).map(c => c.textContent.trim().slice(0, 40))"""


def html_get_patterns() -> set[str]:
    """Every route of the URL configuration outside the skipped namespaces."""
    found: set[str] = set()

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns not in SKIPPED_NAMESPACES:
                    walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                found.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", None)
    return found


@pytest.fixture
def world(transactional_db, monkeypatch):
    """Tiel with an item of every kind, made the way the product makes them."""
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "DASHBOARD_DRAWS", 20)
    monkeypatch.setattr(modelbridge, "ROUTEKAART_DRAWS", 100)  # the least it accepts
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)
    monkeypatch.setattr(goalseek, "DRAWS", 30)
    monkeypatch.setattr(goalseek, "GENERATIONS", 1)
    monkeypatch.setattr(goalseek, "POPULATION", 1)
    modelbridge.clear_cache()

    tiel = m.Municipality.objects.create(code="GM0281", name="Tiel")
    urk = m.Municipality.objects.create(code="GM0184", name="Urk")
    m.Municipality.objects.create(code="GM0096", name="Vlieland")  # no role: 403
    team = m.Organisation.objects.create(municipality=tiel, name="Wijkteam Tiel-Oost",
                                         kind=m.Organisation.Kind.LOCAL_TEAM)
    m.Area.objects.create(municipality=tiel, name="Tiel-Oost", kind=m.Area.Kind.DISTRICT)
    area = tiel.areas.get(kind=m.Area.Kind.MUNICIPALITY)
    admin = make_user("beheerder", tiel, m.Role.ADMIN)
    m.Membership.objects.create(user=admin, municipality=urk, role=m.Role.ADVISOR)
    partner = make_user("partner", tiel, m.Role.PARTNER, team)

    issue = m.Issue(area=area, kind=m.Issue.Kind.TOP_TEN, rank=1, title="Schooluitval")
    history.save_item(issue, admin)
    goal = m.Goal(area=area, issue=issue, title="Minder jongeren in verblijf",
                  indicator="Jongeren met verblijf", unit="jongeren",
                  direction=m.Goal.Direction.DOWN, baseline_value=180,
                  baseline_date=dt.date(2024, 1, 1), target_value=150,
                  deadline=dt.date(2028, 12, 31), model_output_key="verblijf_stand")
    history.save_item(goal, admin)
    activity = m.Activity(area=area, goal=goal, title="Gezinscoach in de wijk",
                          layer=m.Layer.FIRST_LINE, organisation=team)
    history.save_item(activity, admin)
    intervention = m.Intervention(area=area, activity=activity, name="Families First",
                                  evidence_level=m.EvidenceLevel.GOOD)
    history.save_item(intervention, admin)
    measurement = None
    for date, value, kind in ((dt.date(2024, 7, 1), 172, m.Measurement.Kind.INDICATOR),
                              (dt.date(2025, 1, 1), 7.4, m.Measurement.Kind.SATISFACTION)):
        measurement = m.Measurement(area=area, goal=goal, date=date, value=value, kind=kind,
                                    organisation=team)
        history.save_item(measurement, admin)
    action = m.ImprovementAction(area=area, goal=goal, owner="Gemeente Tiel",
                                 title="Wachtlijst maandelijks bespreken")
    history.save_item(action, admin)
    history.save_item(goal, admin)  # a second version: the history shows a change
    thrown = m.ImprovementAction(area=area, goal=goal, owner="Wijkteam", title="Weggegooid")
    history.save_item(thrown, admin)
    history.soft_delete(thrown, admin)

    plan = Scenario.objects.create(
        municipality=tiel, name="POH en school", owner=admin, shared=True,
        levers=[{"naam": "poh_jeugd", "dosis": 0.8, "start": 2026},
                {"naam": "jeugdhulp_op_school", "dosis": 0.5, "start": 2026}])
    done = queue_run(tiel, plan, None, admin)
    search = goalseek.queue(tiel, admin, "eerste_lijn", 0.5, ["poh_jeugd", "jeugdhulp_op_school"])
    assert worker.run_pending() == 1
    assert goalseek.run_pending() == 1
    done.refresh_from_db()
    search.refresh_from_db()
    assert done.status == Run.Status.DONE and done.details is not None, done.error
    assert search.status == GoalSearch.Status.DONE, search.error
    waiting = queue_run(tiel, plan, None, admin)  # no worker runs any more: stays queued
    waiting_search = goalseek.queue(tiel, admin, "eerste_lijn", 0.5, ["poh_jeugd"])
    modelbridge.warm(("GM0281",))  # dashboard band and Routekaart, before the first visit

    items = {"vraagstukken": issue, "doelen": goal, "activiteiten": activity,
             "interventies": intervention, "metingen": measurement, "verbeteracties": action}
    assert set(items) == {k.slug for k in KINDS}
    return {"items": items, "goal": goal, "plan": plan, "run": done, "waiting": waiting,
            "search": search, "waiting_search": waiting_search,
            "membership": m.Membership.objects.get(user=partner)}


def pages(w) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, path) seen anonymously, then (name, path) seen as the gemeentelijk beheerder."""
    public = [
        ("start", "/"),
        ("dashboard", "/staat-van-het-jeugdstelsel"),
        ("dashboard-tiel", "/staat-van-het-jeugdstelsel?gemeente=GM0281"),
        ("routekaart", "/staat-van-het-jeugdstelsel/routekaart"),
        ("routekaart-tiel", "/staat-van-het-jeugdstelsel/routekaart?gemeente=GM0281"),
        ("transparantie", "/transparantie"),
        ("toegankelijkheid", "/toegankelijkheid"),
        ("niet-gevonden", "/bestaat-niet"),
        ("organisatie-mislukt", "/inloggen/organisatie/mislukt"),  # lands on login, with reason
        ("inloggen", "/inloggen"),
    ]
    k, lab = "/kompas/GM0281", "/scenariolab/GM0281"
    goal, plan, run = w["goal"].pk, w["plan"].pk, w["run"].pk
    signed_in = [
        ("kompas-index", "/kompas/"),
        ("kompas", k),
        ("kompas-gebied", f"{k}?gebied={w['goal'].area_id}"),
        ("doel", f"{k}/doelen/{goal}"),
        ("doel-tegen-scenario", f"{k}/doelen/{goal}?berekening={run}"),
        ("geschiedenis", f"{k}/geschiedenis"),
        ("prullenbak", f"{k}/prullenbak"),
        ("beheer", f"{k}/beheer"),
        ("lidmaatschap", f"{k}/beheer/leden/{w['membership'].pk}"),
        ("importeren", f"{k}/importeren"),
    ]
    for slug, item in w["items"].items():
        signed_in += [
            (f"{slug}-nieuw", f"{k}/{slug}/nieuw"),
            (f"{slug}-wijzigen", f"{k}/{slug}/{item.pk}/wijzigen"),
            (f"{slug}-verwijderen", f"{k}/{slug}/{item.pk}/verwijderen"),
        ]
    signed_in += [
        ("lab-index", "/scenariolab/"),
        ("lab", lab),
        ("lab-nieuw", f"{lab}/nieuw"),
        ("scenario", f"{lab}/scenarios/{plan}"),
        ("scenario-wijzigen", f"{lab}/scenarios/{plan}/wijzigen"),
        ("scenario-verwijderen", f"{lab}/scenarios/{plan}/verwijderen"),
        ("vergelijking", f"{lab}/berekeningen/{run}"),
        ("berekening-wacht", f"{lab}/berekeningen/{w['waiting'].pk}"),
        ("doelzoeker", f"{lab}/doelzoeker"),
        ("doelzoeker-uitkomst", f"{lab}/doelzoeker/{w['search'].pk}"),
        ("doelzoeker-wacht", f"{lab}/doelzoeker/{w['waiting_search'].pk}"),
        ("api-sleutel", "/account/api-sleutel"),
        ("geen-toegang", "/kompas/GM0096"),  # a municipality she has no role in: 403
    ]
    return public, signed_in


def _error_page(view) -> str:
    """An error page that no URL of a working site gives (400, 500), drawn by its own view."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return view(request).content.decode()


def _serve(html: str, status: int):
    def handler(route, request) -> None:
        route.fulfill(status=status, body=html, content_type="text/html; charset=utf-8")
    return handler


def test_every_page_is_axe_clean_at_1280_and_390_px(browser_page, world):  # noqa: F811
    from jeugdstelsel.web.core import views as core

    page, base = browser_page
    public, signed_in = pages(world)
    findings: list[str] = []
    visited: set[str] = set()

    def check(name: str, path: str | None = None, status: int = 200) -> None:
        if path is not None:
            response = page.goto(base + path)
            assert response.status == status, (name, path, response.status)
            with contextlib.suppress(Resolver404):  # the 404 page has no route
                visited.add(resolve(path.split("?")[0]).route)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            try:
                axe_check(page, f"{name} @ {width}px")
            except AssertionError as finding:  # the first line names page and rules
                findings.append(str(finding).splitlines()[0])
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                findings.append(f"{name} @ {width}px: page is {scroll} px wide (reflow)")
            if clipped := page.evaluate(CLIPPED_CELLS):
                findings.append(f"{name} @ {width}px: table cells whose text overflows onto "
                                f"the next line of the card: {clipped}")
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"alle-{name}-390.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    for name, path in public:
        check(name, path, 404 if name == "niet-gevonden" else 200)
    for name, view, status in (("fout-400", core.error_400, 400),
                               ("fout-500", core.error_500, 500)):
        html = _error_page(view)
        assert "<main" in html and 'lang="nl"' in html, name

        page.route(f"{base}/{name}", _serve(html, status))
        page.goto(f"{base}/{name}")
        check(name)

    # a wrong password shows the login page with its error; then sign in
    page.goto(base + "/inloggen")
    page.get_by_label("Gebruikersnaam").fill("beheerder")
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Inloggen").click()
    check("inloggen-fout")
    page.get_by_label("Gebruikersnaam").fill("beheerder")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/kompas/")

    for name, path in signed_in:
        check(name, path, 403 if name == "geen-toegang" else 200)

    # states a GET does not show: a form with errors, the import's preview
    page.goto(f"{base}/kompas/GM0281/doelen/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".foutsamenvatting").wait_for()
    check("doel-nieuw-fout")
    page.goto(f"{base}/scenariolab/GM0281/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    page.locator(".foutsamenvatting").wait_for()
    check("scenario-nieuw-fout")
    export = page.request.get(f"{base}/kompas/GM0281/exporteren")
    assert export.ok
    page.goto(f"{base}/kompas/GM0281/importeren")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "werkplaats.json", "mimeType": "application/json",
                "buffer": export.body()}])
    page.get_by_role("button", name="Importeren").click()
    page.get_by_role("button", name="Bevestigen").wait_for()
    check("importeren-voorbeeld")

    missing = html_get_patterns() - visited - set(EXCLUDED)
    assert missing == set(), f"URL patterns this test does not visit (add them): {missing}"
    stale = set(EXCLUDED) - html_get_patterns()
    assert stale == set(), f"excluded patterns that no longer exist: {stale}"
    assert not visited & set(EXCLUDED)
    assert findings == [], "\n".join(findings)
