"""The role matrix (issue 17): every page and API endpoint of a municipality's workspace and
lab, as every kind of user, against what the role table in docs/web.md promises.

The users include the two that found the leak: a council member of Tiel who is policy advisor
in Urk ("dubbel"), and a partner of Tiel (the school) who is administrator in Urk
("dubbel_partner"). Their roles elsewhere must give them nothing more in Tiel. Each case checks
the effect as well as the status: a refused write leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.lab.models import Run, Scenario
from tests.web.conftest import make_user

USERS = ("anoniem", "niemand", "urk", "partner", "raadslid", "adviseur", "beheerder",
         "administrator", "dubbel", "dubbel_partner")
VIEW = {"partner", "raadslid", "adviseur", "beheerder", "administrator", "dubbel",
        "dubbel_partner"}
WRITE = {"adviseur", "beheerder", "administrator"}
ADMIN = {"beheerder", "administrator"}
OWNER = {"adviseur", "beheerder", "administrator"}  # the scenarios belong to "adviseur"
TEAM = WRITE | {"partner"}  # the Wijkteam's activity
SCHOOL = WRITE | {"dubbel_partner"}  # the school's activity
MEASURE = WRITE | {"partner", "dubbel_partner"}
NOBODY: set[str] = set()


@pytest.fixture
def world(tiel, urk, users, workspace):
    team, school = workspace["team"], workspace["school"]
    urk_area = urk.areas.get(kind=m.Area.Kind.MUNICIPALITY)
    urk_issue = m.Issue(area=urk_area, kind=m.Issue.Kind.TOP_TEN, rank=2, title="Urk-vraagstuk")
    history.save_item(urk_issue, users["urk"])
    people = {
        "niemand": users["niemand"], "urk": users["urk"], "partner": users["partner"],
        "raadslid": users["raadslid"], "adviseur": users["adviseur"],
        "beheerder": users["beheerder"],
        "administrator": make_user("administrator", is_superuser=True, is_staff=True),
        "dubbel": make_user("dubbel", tiel, m.Role.COUNCIL),
        "dubbel_partner": make_user("dubbel_partner", tiel, m.Role.PARTNER, school),
    }
    m.Membership.objects.create(user=people["dubbel"], municipality=urk, role=m.Role.ADVISOR)
    m.Membership.objects.create(user=people["dubbel_partner"], municipality=urk,
                                role=m.Role.ADMIN)
    owner = users["adviseur"]
    shared = Scenario.objects.create(municipality=tiel, name="Gedeeld", owner=owner, shared=True)
    unshared = Scenario.objects.create(municipality=tiel, name="Concept", owner=owner)
    spec = {"area": "GM0281", "end_year": 2030, "draws": 2, "seed": 1,
            "plan": {"name": "Concept", "levers": []}, "reference": {"name": "B", "levers": []}}
    hidden_run = Run.objects.create(municipality=tiel, plan=unshared, spec=spec,
                                    requested_by=owner)
    deleted = m.ImprovementAction(area=workspace["area"], goal=workspace["goal"],
                                  title="Weggegooid", owner="Wijkteam")
    history.save_item(deleted, owner)
    history.soft_delete(deleted, owner)
    return {**workspace, "people": people, "team": team, "school": school,
            "urk_area": urk_area, "urk_issue": urk_issue, "shared": shared,
            "unshared": unshared, "hidden_run": hidden_run, "deleted": deleted}


def page_client(world, who: str) -> Client:
    client = Client()
    if who != "anoniem":
        client.force_login(world["people"][who])
    return client


def api_client(world, who: str) -> APIClient:
    client = APIClient()
    if who != "anoniem":
        token, _ = Token.objects.get_or_create(user=world["people"][who])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


REFUSED = {302, 400, 401, 403, 404, 405}


def ok_page(response) -> bool:
    if response.status_code == 302:
        return not response.url.startswith(reverse("login"))
    assert response.status_code in REFUSED | {200}, response.status_code
    return response.status_code == 200


def ok_read(response, needle: str = "") -> bool:
    assert response.status_code < 500, response.content[:300]
    if response.status_code != 200:
        assert response.status_code in REFUSED, response.status_code
        return False
    return needle in response.content.decode()


def ok_write(response) -> bool:
    assert response.status_code < 500, response.content[:300]
    if response.status_code in (200, 201, 202, 204, 302):
        return response.status_code != 302 or not response.url.startswith(reverse("login"))
    assert response.status_code in REFUSED, response.status_code
    return False


def goal_data(w) -> dict:
    return {"area": w["area"].pk, "title": "Nieuw doel", "indicator": "Jongeren", "unit": "aantal",
            "direction": "omlaag", "baseline_value": "120", "baseline_date": "2024-01-01",
            "target_value": "100", "deadline": "2027-01-01", "model_output_key": ""}


def live(model, **kw) -> bool:
    return model.objects.filter(**kw).exists()


def title_of(item) -> str:
    return type(item).all_objects.get(pk=item.pk).title


@dataclass(frozen=True)
class Case:
    name: str
    allowed: set[str]
    run: Callable  # (world, who) -> bool: did it happen / was it shown?

    def __str__(self) -> str:
        return self.name


def _page_get(url_of, needle: str = ""):
    def run(w, who):
        response = page_client(w, who).get(url_of(w))
        return ok_page(response) and needle in response.content.decode()
    return run


def _page_post(url_of, data_of, effect):
    def run(w, who):
        response = page_client(w, who).post(url_of(w), data_of(w, who))
        happened = effect(w)
        assert ok_write(response) == happened or response.status_code == 200, (
            response.status_code, happened)
        return happened
    return run


def _api(method: str, url_of, data_of=None, effect=None, needle: str | Callable = ""):
    def run(w, who):
        client = api_client(w, who)
        data = data_of(w, who) if data_of else None
        response = getattr(client, method)(url_of(w), data, format="json")
        if effect is None:
            return ok_read(response, needle(w) if callable(needle) else needle)
        happened = effect(w)
        assert ok_write(response) == happened, (response.status_code, happened,
                                                response.content[:300])
        return happened
    return run


def _own_org(w, who):
    return {"partner": w["team"].pk, "dubbel_partner": w["school"].pk}.get(who)


def _measurement(w, who) -> dict:
    data = {"goal": w["goal"].pk, "kind": "indicator", "date": "2025-09-01", "value": "10,2"}
    if org := _own_org(w, who):
        data["organisation"] = org
    return data


def _api_measurement(w, who) -> dict:
    return {**_measurement(w, who), "value": 10.2}


KOMPAS = lambda name, *a: (lambda w: reverse(f"kompas:{name}", args=["GM0281", *a]))  # noqa: E731
GOAL = lambda w: w["goal"].pk  # noqa: E731

CASES = [
    # -- Kwaliteitskompas pages
    Case("overzicht", VIEW, _page_get(KOMPAS("overview"), "Minder specialistische")),
    Case("doel", VIEW, _page_get(lambda w: reverse("kompas:goal", args=["GM0281", GOAL(w)]),
                                 "Minder specialistische")),
    Case("geschiedenis", WRITE, _page_get(KOMPAS("history"))),
    Case("prullenbak", ADMIN, _page_get(KOMPAS("trash"), "Weggegooid")),
    Case("exporteren", WRITE, _page_get(KOMPAS("export"))),
    Case("importeren", WRITE, _page_get(KOMPAS("import"))),
    Case("doel-nieuw-formulier", WRITE, _page_get(KOMPAS("create", "doelen"))),
    Case("doel-nieuw", WRITE, _page_post(
        KOMPAS("create", "doelen"), lambda w, who: goal_data(w),
        lambda w: live(m.Goal, title="Nieuw doel"))),
    Case("doel-wijzigen", WRITE, _page_post(
        lambda w: reverse("kompas:edit", args=["GM0281", "doelen", GOAL(w)]),
        lambda w, who: {**goal_data(w), "title": "Gewijzigd"},
        lambda w: title_of(w["goal"]) == "Gewijzigd")),
    Case("doel-verwijderen", WRITE, _page_post(
        lambda w: reverse("kompas:delete", args=["GM0281", "doelen", GOAL(w)]),
        lambda w, who: {}, lambda w: not live(m.Goal, pk=w["goal"].pk))),
    Case("activiteit-wijkteam-wijzigen", TEAM, _page_post(
        lambda w: reverse("kompas:edit", args=["GM0281", "activiteiten", w["own_activity"].pk]),
        lambda w, who: {"area": w["area"].pk, "goal": GOAL(w), "title": "Anders",
                        "layer": "eerstelijn", "organisation": w["team"].pk},
        lambda w: title_of(w["own_activity"]) == "Anders")),
    Case("activiteit-school-wijzigen", SCHOOL, _page_post(
        lambda w: reverse("kompas:edit", args=["GM0281", "activiteiten",
                                               w["other_activity"].pk]),
        lambda w, who: {"area": w["area"].pk, "goal": GOAL(w), "title": "Anders",
                        "layer": "preventie", "organisation": w["school"].pk},
        lambda w: title_of(w["other_activity"]) == "Anders")),
    Case("meting-nieuw", MEASURE, _page_post(
        KOMPAS("create", "metingen"), _measurement,
        lambda w: live(m.Measurement, date=dt.date(2025, 9, 1)))),
    Case("terugzetten", ADMIN, _page_post(
        lambda w: reverse("kompas:restore", args=["GM0281", "verbeteracties", w["deleted"].pk]),
        lambda w, who: {}, lambda w: live(m.ImprovementAction, pk=w["deleted"].pk))),
    Case("beheer", ADMIN, _page_get(KOMPAS("manage"), "Wie heeft welke rol")),
    Case("beheer-wijk-toevoegen", ADMIN, _page_post(
        KOMPAS("manage"), lambda w, who: {"soort": "wijk", "wijk-name": "Nieuwe wijk"},
        lambda w: m.Area.objects.filter(name="Nieuwe wijk").exists())),
    Case("beheer-rol-geven", ADMIN, _page_post(
        KOMPAS("manage"), lambda w, who: {"soort": "lid", "lid-username": "urk",
                                          "lid-role": "beheerder"},
        lambda w: m.Membership.objects.filter(user__username="urk",
                                              municipality__code="GM0281").exists())),
    # -- scenario lab pages
    Case("lab", VIEW, _page_get(lambda w: reverse("lab:overview", args=["GM0281"]), "Gedeeld")),
    Case("lab-concept-zichtbaar", WRITE,
         _page_get(lambda w: reverse("lab:overview", args=["GM0281"]), "Concept")),
    Case("lab-scenario-gedeeld", VIEW,
         _page_get(lambda w: reverse("lab:scenario", args=["GM0281", w["shared"].pk]))),
    Case("lab-scenario-concept", WRITE,
         _page_get(lambda w: reverse("lab:scenario", args=["GM0281", w["unshared"].pk]))),
    Case("lab-nieuw", WRITE, _page_post(
        lambda w: reverse("lab:create", args=["GM0281"]),
        lambda w, who: {"name": "Nieuw plan", "description": "", "end_year": "2030"},
        lambda w: live(Scenario, name="Nieuw plan"))),
    Case("lab-wijzigen", OWNER, _page_post(
        lambda w: reverse("lab:edit", args=["GM0281", w["shared"].pk]),
        lambda w, who: {"name": "Hernoemd", "description": "", "end_year": "2030",
                        "shared": "on"},
        lambda w: live(Scenario, name="Hernoemd"))),
    Case("lab-verwijderen", OWNER, _page_post(
        lambda w: reverse("lab:delete", args=["GM0281", w["shared"].pk]),
        lambda w, who: {}, lambda w: not live(Scenario, pk=w["shared"].pk))),
    Case("lab-kopie", WRITE, _page_post(
        lambda w: reverse("lab:duplicate", args=["GM0281", w["shared"].pk]),
        lambda w, who: {}, lambda w: live(Scenario, name__startswith="Kopie van"))),
    Case("lab-doorrekenen", WRITE, _page_post(
        lambda w: reverse("lab:run_create", args=["GM0281", w["shared"].pk]),
        lambda w, who: {"reference": ""}, lambda w: Run.objects.filter(
            plan=w["shared"]).exists())),
    Case("lab-berekening-concept", WRITE, _page_get(
        lambda w: reverse("lab:run", args=["GM0281", w["hidden_run"].pk]))),
    # -- API
    Case("api-gemeente", VIEW, _api("get", lambda w: "/api/v1/gemeenten/GM0281", needle="Tiel")),
    Case("api-gebieden", VIEW, _api("get", lambda w: "/api/v1/gebieden?gemeente=GM0281",
                                    needle="Tiel-Oost")),
    Case("api-organisaties", VIEW, _api("get", lambda w: "/api/v1/organisaties?gemeente=GM0281",
                                        needle="De Brug")),
    Case("api-doelen", VIEW, _api("get", lambda w: "/api/v1/doelen?gemeente=GM0281",
                                  needle="Minder specialistische")),
    Case("api-doel", VIEW, _api("get", lambda w: f"/api/v1/doelen/{GOAL(w)}",
                                needle="Minder specialistische")),
    Case("api-doel-nieuw", WRITE, _api(
        "post", lambda w: "/api/v1/doelen",
        lambda w, who: {**goal_data(w), "baseline_value": 120, "target_value": 100},
        lambda w: live(m.Goal, title="Nieuw doel"))),
    Case("api-doel-wijzigen", WRITE, _api(
        "patch", lambda w: f"/api/v1/doelen/{GOAL(w)}", lambda w, who: {"title": "Gewijzigd"},
        lambda w: title_of(w["goal"]) == "Gewijzigd")),
    Case("api-doel-verwijderen", WRITE, _api(
        "delete", lambda w: f"/api/v1/doelen/{GOAL(w)}", None,
        lambda w: not live(m.Goal, pk=w["goal"].pk))),
    Case("api-activiteit-wijkteam", TEAM, _api(
        "patch", lambda w: f"/api/v1/activiteiten/{w['own_activity'].pk}",
        lambda w, who: {"title": "Anders"}, lambda w: title_of(w["own_activity"]) == "Anders")),
    Case("api-activiteit-school", SCHOOL, _api(
        "patch", lambda w: f"/api/v1/activiteiten/{w['other_activity'].pk}",
        lambda w, who: {"title": "Anders"}, lambda w: title_of(w["other_activity"]) == "Anders")),
    Case("api-meting-nieuw", MEASURE, _api(
        "post", lambda w: "/api/v1/metingen", _api_measurement,
        lambda w: live(m.Measurement, date=dt.date(2025, 9, 1)))),
    Case("api-vraagstuk-naar-andere-gemeente", NOBODY, _api(
        "patch", lambda w: f"/api/v1/vraagstukken/{w['issue'].pk}",
        lambda w, who: {"area": w["urk_area"].pk},
        lambda w: m.Issue.objects.get(pk=w["issue"].pk).area_id != w["area"].pk)),
    Case("api-doel-aan-vraagstuk-andere-gemeente", NOBODY, _api(
        "patch", lambda w: f"/api/v1/doelen/{GOAL(w)}",
        lambda w, who: {"issue": w["urk_issue"].pk},
        lambda w: m.Goal.objects.get(pk=w["goal"].pk).issue_id == w["urk_issue"].pk)),
    Case("api-scenario-gedeeld", VIEW, _api("get", lambda w: f"/api/v1/scenarios/{w['shared'].pk}",
                                            needle="Gedeeld")),
    Case("api-scenario-concept", WRITE, _api(
        "get", lambda w: f"/api/v1/scenarios/{w['unshared'].pk}", needle="Concept")),
    Case("api-scenarios-lijst-concept", WRITE, _api(
        "get", lambda w: "/api/v1/scenarios?gemeente=GM0281", needle="Concept")),
    Case("api-scenario-nieuw", WRITE, _api(
        "post", lambda w: "/api/v1/scenarios",
        lambda w, who: {"municipality": "GM0281", "name": "Nieuw plan"},
        lambda w: live(Scenario, name="Nieuw plan"))),
    Case("api-scenario-wijzigen", OWNER, _api(
        "patch", lambda w: f"/api/v1/scenarios/{w['shared'].pk}",
        lambda w, who: {"name": "Hernoemd"}, lambda w: live(Scenario, name="Hernoemd"))),
    Case("api-scenario-verwijderen", OWNER, _api(
        "delete", lambda w: f"/api/v1/scenarios/{w['shared'].pk}", None,
        lambda w: not live(Scenario, pk=w["shared"].pk))),
    Case("api-berekening-concept", WRITE, _api(
        "get", lambda w: f"/api/v1/doorrekeningen/{w['hidden_run'].pk}", needle="wachtend")),
    Case("api-berekeningen-lijst-concept", WRITE, _api(
        "get", lambda w: "/api/v1/doorrekeningen?gemeente=GM0281",
        needle=lambda w: str(w["hidden_run"].pk))),
]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(world, case, who):
    happened = case.run(world, who)
    expected = who in case.allowed
    assert happened == expected, (
        f"{case.name} as {who}: {'allowed' if happened else 'refused'}, the role table says "
        f"{'allowed' if expected else 'refused'}"
    )
