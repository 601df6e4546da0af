"""Every page issues a bounded number of SQL queries, whatever the number of items (issue 17).

Each page is requested twice as a signed-in user: on the small workspace of the fixtures and
after adding many items of every kind (plus scenarios, runs and history entries). The count
may not grow with the number of items, and stays under a fixed bound.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.lab.models import Run, Scenario
from tests.web.conftest import PASSWORD

#: A page may use at most this many queries (session, user, membership, the page's own lists).
MAX_QUERIES = 25
EXTRA = 12  # items of every kind added for the second count


def _grow(ws, user, n: int) -> None:
    area, team = ws["area"], ws["team"]
    for i in range(n):
        issue = m.Issue(area=area, kind=m.Issue.Kind.QUALITY, title=f"Vraag {i}")
        history.save_item(issue, user)
        goal = m.Goal(area=area, issue=issue, title=f"Doel {i}", indicator="jongeren",
                      unit="jongeren", direction=m.Goal.Direction.DOWN, baseline_value=100 + i,
                      baseline_date=dt.date(2024, 1, 1), target_value=80,
                      deadline=dt.date(2028, 12, 31))
        history.save_item(goal, user)
        act = m.Activity(area=area, goal=goal, title=f"Activiteit {i}",
                         layer=m.Layer.FIRST_LINE, organisation=team)
        history.save_item(act, user)
        history.save_item(m.Intervention(area=area, activity=act, name=f"Interventie {i}",
                                         evidence_level=m.EvidenceLevel.STRONG), user)
        for goal_ in (goal, ws["goal"]):
            history.save_item(m.Measurement(area=area, goal=goal_, date=dt.date(2024, 6, 1 + i),
                                            value=90 + i, organisation=team), user)
        history.save_item(m.ImprovementAction(area=area, goal=goal, title=f"Actie {i}",
                                              owner="Wijkteam"), user)
        gone = m.ImprovementAction(area=area, goal=goal, title=f"Weg {i}", owner="Wijkteam")
        history.save_item(gone, user)
        history.soft_delete(gone, user)
        plan = Scenario.objects.create(municipality=area.municipality, name=f"Plan {i}",
                                       owner=user, shared=True,
                                       levers=[{"naam": "poh_jeugd", "dosis": 1, "start": 2026}])
        Run.objects.create(municipality=area.municipality, plan=plan, spec={},
                           requested_by=user)


def _pages(ws, tiel) -> dict[str, str]:
    plan = Scenario.objects.filter(municipality=tiel).order_by("pk").first()
    run = Run.objects.filter(municipality=tiel).order_by("created_at").first()
    goal = ws["goal"]
    code = tiel.code
    pages = {
        "dashboard": "/staat-van-het-jeugdstelsel",
        "dashboard gemeente": f"/staat-van-het-jeugdstelsel?gemeente={code}",
        "routekaart": f"/staat-van-het-jeugdstelsel/routekaart?gemeente={code}",
        "kompas": "/kompas/",
        "overzicht": f"/kompas/{code}",
        "overzicht gebied": f"/kompas/{code}?gebied={ws['area'].pk}",
        "doel": f"/kompas/{code}/doelen/{goal.pk}",
        "geschiedenis": f"/kompas/{code}/geschiedenis",
        "prullenbak": f"/kompas/{code}/prullenbak",
        "beheer": f"/kompas/{code}/beheer",
        "importeren": f"/kompas/{code}/importeren",
        "exporteren": f"/kompas/{code}/exporteren",
        "doel wijzigen": f"/kompas/{code}/doelen/{goal.pk}/wijzigen",
        "meting nieuw": f"/kompas/{code}/metingen/nieuw",
        "scenariolab": f"/scenariolab/{code}",
        "scenario nieuw": f"/scenariolab/{code}/nieuw",
        "transparantie": "/transparantie",
        "api-sleutel": "/account/api-sleutel",
        "api doelen": f"/api/v1/doelen?gemeente={code}",
        "api metingen": "/api/v1/metingen",
        "api scenarios": "/api/v1/scenarios",
    }
    if plan is not None:
        pages["scenario"] = f"/scenariolab/{code}/scenarios/{plan.pk}"
    if run is not None:
        pages["berekening"] = f"/scenariolab/{code}/berekeningen/{run.pk}"
    return pages


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx)


@pytest.mark.parametrize("who", ["beheerder", "partner"])
def test_every_page_has_a_bounded_number_of_queries(client, users, tiel, workspace, who,
                                                    django_assert_max_num_queries):
    assert client.login(username=who, password=PASSWORD)
    plan = Scenario.objects.create(municipality=tiel, name="Eerste", owner=users["adviseur"],
                                   shared=True)
    Run.objects.create(municipality=tiel, plan=plan, spec={}, requested_by=users["adviseur"])
    pages = _pages(workspace, tiel)
    if who == "partner":
        for name in ("geschiedenis", "prullenbak", "beheer", "importeren", "exporteren",
                     "doel wijzigen", "scenario nieuw"):
            pages.pop(name)
    small = {name: _count(client, url) for name, url in pages.items()}
    _grow(workspace, users["adviseur"], EXTRA)
    for name, url in pages.items():
        with django_assert_max_num_queries(min(MAX_QUERIES, small[name] + 1), info=name):
            response = client.get(url)
        assert response.status_code == 200, name
