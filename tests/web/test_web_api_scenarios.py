"""REST API for the scenario lab: scenarios, doorrekeningen (runs) and a municipality's figures."""

from __future__ import annotations

import pytest

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario
from tests.web.conftest import make_user
from tests.web.test_web_api import api, as_user, assert_problem  # noqa: F401 (fixture)

POH = {"naam": "poh_jeugd", "dosis": 0.5, "start": 2026}


@pytest.fixture
def lab_model(monkeypatch):
    """The real model, with few draws so a comparison in a test takes about a second."""
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)


@pytest.fixture
def scenarios(users, tiel):
    advisor = users["adviseur"]
    return {
        "concept": Scenario.objects.create(municipality=tiel, name="Concept", owner=advisor,
                                           levers=[POH]),
        "gedeeld": Scenario.objects.create(municipality=tiel, name="Gedeeld", owner=advisor,
                                           shared=True, levers=[POH]),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(r["name"] for r in response.json()["results"])


def params(body) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in body["invalidParams"]}


# -- scenarios --------------------------------------------------------------------------------
def test_advisor_creates_a_scenario_validated_by_the_lever_library(api, users, tiel):  # noqa: F811
    as_user(api, users["adviseur"])
    response = api.post(
        "/api/v1/scenarios",
        {"municipality": "GM0281", "name": "  Plan POH ", "description": "Meer POH",
         "levers": [POH], "end_year": 2030, "shared": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Plan POH" and body["owner"] == "adviseur"
    assert body["municipality"] == "GM0281" and body["shared"] is True
    assert body["levers"] == [POH]
    assert {"created_at", "updated_at"} <= set(body)
    saved = Scenario.objects.get(pk=body["id"])
    assert saved.owner == users["adviseur"] and saved.levers == [POH]
    assert response["API-Version"] == "1.0.0"


@pytest.mark.parametrize(
    ("levers", "name", "reason"),
    [
        ([{"naam": "poh_jeugd", "dosis": 7, "start": 2026}], "levers.0.dosis",
         "De dosis moet tussen 0 en 1 fte POH-jeugd"),
        ([{"naam": "bestaat_niet", "dosis": 1, "start": 2026}], "levers.0.naam",
         "Onbekende hefboom “bestaat_niet”"),
        ([{"naam": "poh_jeugd", "dosis": 1, "start": 2040}], "levers.0.start",
         "Het startjaar moet tussen 2025 en 2032 liggen"),
        ([POH, POH], "levers", "Elke hefboom mag maar één keer"),
        ([{"naam": "poh_jeugd", "dosis": 1, "start": 2031}], "levers.0.start",
         "Het startjaar ligt na het einde van het scenario"),
    ],
)
def test_bad_levers_are_refused_as_problem_json_in_dutch(api, users, tiel, levers, name,  # noqa: F811
                                                         reason):
    as_user(api, users["adviseur"])
    response = api.post(
        "/api/v1/scenarios",
        {"municipality": "GM0281", "name": "Fout", "levers": levers, "end_year": 2030},
        format="json",
    )
    body = assert_problem(response, 400)
    assert reason in params(body).get(name, ""), body["invalidParams"]
    assert not Scenario.objects.exists()


def test_duplicate_name_and_missing_name_are_refused(api, users, tiel, scenarios):  # noqa: F811
    as_user(api, users["adviseur"])
    body = assert_problem(
        api.post("/api/v1/scenarios", {"municipality": "GM0281", "name": "concept"},
                 format="json"), 400)
    assert params(body)["name"] == "Er is al een scenario met deze naam in deze gemeente."
    body = assert_problem(
        api.post("/api/v1/scenarios", {"municipality": "GM0281", "name": ""}, format="json"),
        400)
    assert params(body)["name"] == "Geef het scenario een naam."


def test_who_reads_which_scenarios(api, users, tiel, urk, scenarios):  # noqa: F811
    concept = scenarios["concept"]
    as_user(api, users["adviseur"])
    assert names(api.get("/api/v1/scenarios")) == ["Concept", "Gedeeld"]
    for role in ("raadslid", "partner"):
        as_user(api, users[role])
        assert names(api.get("/api/v1/scenarios")) == ["Gedeeld"]
        assert_problem(api.get(f"/api/v1/scenarios/{concept.pk}"), 404)
        assert api.get(f"/api/v1/scenarios/{scenarios['gedeeld'].pk}").status_code == 200
    for outsider in ("urk", "niemand"):
        as_user(api, users[outsider])
        assert names(api.get("/api/v1/scenarios")) == []
        assert_problem(api.get(f"/api/v1/scenarios/{scenarios['gedeeld'].pk}"), 404)
    api.credentials()
    assert_problem(api.get("/api/v1/scenarios"), 401)


def test_who_writes_scenarios(api, users, tiel, scenarios):  # noqa: F811
    gedeeld, concept = scenarios["gedeeld"], scenarios["concept"]
    new = {"municipality": "GM0281", "name": "Nieuw"}
    # council member and partner: read only
    for role in ("raadslid", "partner"):
        as_user(api, users[role])
        assert_problem(api.post("/api/v1/scenarios", new, format="json"), 403)
        assert_problem(api.patch(f"/api/v1/scenarios/{gedeeld.pk}", {"name": "X"},
                                 format="json"), 403)
        assert_problem(api.delete(f"/api/v1/scenarios/{gedeeld.pk}"), 403)
    # an advisor of another municipality cannot create in Tiel: it does not exist for her
    as_user(api, users["urk"])
    body = assert_problem(api.post("/api/v1/scenarios", new, format="json"), 400)
    assert params(body)["municipality"] == "Deze gemeente bestaat niet."
    # a colleague advisor reads but does not change someone else's scenario
    as_user(api, make_user("collega", tiel, m.Role.ADVISOR))
    assert_problem(api.patch(f"/api/v1/scenarios/{concept.pk}", {"name": "X"},
                             format="json"), 403)
    # the owner changes hers; the municipality stays
    as_user(api, users["adviseur"])
    response = api.patch(f"/api/v1/scenarios/{concept.pk}",
                         {"name": "Concept 2", "levers": []}, format="json")
    assert response.status_code == 200 and response.json()["levers"] == []
    body = assert_problem(api.patch(f"/api/v1/scenarios/{concept.pk}",
                                    {"municipality": "GM0184"}, format="json"), 400)
    assert "municipality" in params(body)
    # the administrator may change anyone's scenario
    as_user(api, users["beheerder"])
    assert api.patch(f"/api/v1/scenarios/{concept.pk}", {"shared": True},
                     format="json").status_code == 200
    assert Scenario.objects.get(pk=concept.pk).name == "Concept 2"


def test_delete_is_soft(api, users, tiel, scenarios):  # noqa: F811
    concept = scenarios["concept"]
    as_user(api, users["adviseur"])
    assert api.delete(f"/api/v1/scenarios/{concept.pk}").status_code == 204
    assert_problem(api.get(f"/api/v1/scenarios/{concept.pk}"), 404)
    assert Scenario.all_objects.get(pk=concept.pk).deleted_at is not None
    # the name is free again, as on the pages
    assert api.post("/api/v1/scenarios", {"municipality": "GM0281", "name": "Concept"},
                    format="json").status_code == 201


def test_no_trailing_slash_and_api_version(api, users, tiel, scenarios):  # noqa: F811
    as_user(api, users["adviseur"])
    pk = scenarios["concept"].pk
    assert api.get("/api/v1/scenarios/").status_code == 404
    assert api.get(f"/api/v1/scenarios/{pk}/").status_code == 404
    assert api.get(f"/api/v1/scenarios/{pk}/doorrekeningen/").status_code == 404
    for url in ("/api/v1/scenarios", f"/api/v1/scenarios/{pk}/doorrekeningen",
                "/api/v1/doorrekeningen", "/api/v1/scenarios/999999"):
        assert api.get(url)["API-Version"] == "1.0.0"


# -- runs ---------------------------------------------------------------------------------------
def test_run_request_queues_and_the_worker_computes_it(api, users, tiel, workspace,  # noqa: F811
                                                       scenarios, lab_model):
    gedeeld = scenarios["gedeeld"]
    gedeeld.levers = [{"naam": "poh_jeugd", "dosis": 1.0, "start": 2025},
                      {"naam": "wijkteam_versterken", "dosis": 1.0, "start": 2025}]
    gedeeld.save()
    as_user(api, users["adviseur"])
    response = api.post(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen", {}, format="json")
    assert response.status_code == 202, response.content
    run = Run.objects.get()
    assert response["Location"] == f"/api/v1/doorrekeningen/{run.pk}"
    assert response.json()["status"] == "wachtend" and response["API-Version"] == "1.0.0"
    assert run.status == Run.Status.QUEUED and run.result is None  # nothing computed yet
    waiting = api.get(response["Location"]).json()
    assert waiting["status"] == "wachtend" and waiting["result"] is None
    assert waiting["position"] == 0
    listed = api.get(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen").json()["results"]
    assert [r["id"] for r in listed] == [str(run.pk)]

    assert worker.run_pending() == 1  # the worker's own job function, in this process

    done = api.get(response["Location"]).json()
    assert done["status"] == "klaar", done
    assert done["details_ready"] is True
    result = done["result"]
    assert result["term"] == "2026-2029" and result["area"] == "GM0281"
    assert result["names"]["plan"] == "Gedeeld"
    terms = {r["indicator"]: r for r in result["term_rows"]}
    spec = terms["specialistisch"]
    assert spec["diff"] < 0 and spec["diff_p10"] <= spec["diff"] <= spec["diff_p90"]
    assert terms["eerste_lijn"]["diff"] > 0
    series = {s["key"]: s for s in result["series"]}
    s = series["specialistisch"]
    n = len(s["years"])
    assert n >= 10 and s["years"][0] == 2020
    for side in ("ref", "plan", "diff"):
        assert len(s[side]["p10"]) == len(s[side]["p50"]) == len(s[side]["p90"]) == n
        assert all(lo <= mid <= hi for lo, mid, hi in
                   zip(s[side]["p10"], s[side]["p50"], s[side]["p90"], strict=True))
    assert len(s["diff"]["kans_lager"]) == n

    # a council member reads the shared scenario's run but may not request one
    as_user(api, users["raadslid"])
    assert api.get(response["Location"]).json()["status"] == "klaar"
    assert_problem(api.post(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen", {},
                            format="json"), 403)
    # another municipality's advisor: the run does not exist for her
    as_user(api, users["urk"])
    assert_problem(api.get(response["Location"]), 404)
    assert_problem(api.post(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen", {},
                            format="json"), 404)
    assert Run.objects.count() == 1


def test_runs_against_an_unshared_reference_stay_hidden(api, users, tiel, scenarios,  # noqa: F811
                                                        lab_model):
    gedeeld, concept = scenarios["gedeeld"], scenarios["concept"]
    as_user(api, users["adviseur"])
    response = api.post(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen",
                        {"reference": concept.pk}, format="json")
    assert response.status_code == 202
    run = Run.objects.get()
    assert run.reference == concept and response.json()["reference"] == concept.pk
    body = assert_problem(api.post(f"/api/v1/scenarios/{gedeeld.pk}/doorrekeningen",
                                   {"reference": gedeeld.pk}, format="json"), 400)
    assert "Kies een ander scenario" in params(body)["reference"]
    as_user(api, users["raadslid"])
    assert_problem(api.get(response["Location"]), 404)
    assert api.get("/api/v1/doorrekeningen").json()["results"] == []


def test_failed_run_says_why_in_dutch(api, users, tiel, lab_model):  # noqa: F811
    plan = Scenario.objects.create(municipality=tiel, name="Kapot", owner=users["adviseur"],
                                   levers=[{"naam": "bestaat_niet", "dosis": 1, "start": 2026}])
    as_user(api, users["adviseur"])
    location = api.post(f"/api/v1/scenarios/{plan.pk}/doorrekeningen")["Location"]
    worker.run_pending()
    body = api.get(location).json()
    assert body["status"] == "mislukt" and "onbekende hefboom" in body["error"]
    assert body["result"] is None


def test_no_run_is_queued_without_the_model(api, users, tiel, scenarios):  # noqa: F811
    as_user(api, users["adviseur"])
    url = f"/api/v1/scenarios/{scenarios['gedeeld'].pk}/doorrekeningen"
    body = assert_problem(api.post(url, {}, format="json"), 503)
    assert body["detail"] == "Het rekenmodel is in deze installatie nog niet beschikbaar."
    assert not Run.objects.exists()


# -- a municipality's figures from the store -------------------------------------------------
def test_municipal_figures_from_the_store(api, users, db):  # noqa: F811
    from jeugdstelsel.data import store_service

    store_service.seed()  # the municipalities and the embedded CBS sample (10 municipalities)
    groningen = m.Municipality.objects.create(code="GM0014", name="Groningen")
    as_user(api, make_user("groningen", groningen, m.Role.COUNCIL))
    rows = api.get("/api/v1/gemeenten/GM0014/reeksen").json()
    by_name = {r["name"]: r for r in rows}
    assert "JongerenMetJeugdhulpInNatura" in by_name, rows
    assert by_name["JongerenMetJeugdhulpInNatura"]["datasets"] == ["85098NED"]
    figures = api.get("/api/v1/gemeenten/GM0014/reeksen/JongerenMetJeugdhulpInNatura").json()
    assert [(f["period"], f["value"]) for f in figures] == [("2022JJ00", 15.4)]
    assert_problem(api.get("/api/v1/gemeenten/GM0014/reeksen/bestaat_niet"), 404)
    assert api.get("/api/v1/gemeenten/GM0014/reeksen/").status_code == 404
    # a municipality where the user has no role: 404, like every other resource
    assert_problem(api.get("/api/v1/gemeenten/GM0281/reeksen"), 404)
