"""REST API: Dutch API Design Rules (paths, API-Version, problem+json), roles and tokens."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jeugdstelsel.web.kompas import models as m


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    token, _ = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_every_api_response_has_the_api_version_header(api, users, workspace):
    assert api.get("/api/v1/openapi.json")["API-Version"] == "1.0.0"
    assert api.get("/api/v1/doelen")["API-Version"] == "1.0.0"  # also on errors
    assert api.get("/api/v1/niet-bestaand")["API-Version"] == "1.0.0"


def test_errors_are_problem_json(api, users, workspace):
    body = assert_problem(api.get("/api/v1/doelen"), 401)
    assert body["instance"] == "/api/v1/doelen"
    assert_problem(api.get("/api/v1/niet-bestaand"), 404)
    as_user(api, users["adviseur"])
    assert_problem(api.get("/api/v1/doelen/999999"), 404)
    assert_problem(api.put("/api/v1/reeksen/births", {}), 405)


def test_no_trailing_slashes(api, users, workspace):
    as_user(api, users["adviseur"])
    assert api.get("/api/v1/doelen").status_code == 200
    assert api.get("/api/v1/doelen/").status_code == 404


def test_token_authentication_and_scoping(api, users, workspace):
    as_user(api, users["urk"])
    assert api.get("/api/v1/doelen").json()["results"] == []
    assert api.get("/api/v1/gemeenten").json()["results"] == [{"code": "GM0184", "name": "Urk"}]
    assert_problem(api.get(f"/api/v1/doelen/{workspace['goal'].pk}"), 404)
    as_user(api, users["raadslid"])
    rows = api.get("/api/v1/doelen?gemeente=GM0281").json()["results"]
    assert [r["title"] for r in rows] == ["Minder specialistische jeugdhulp"]
    assert rows[0]["municipality"] == "GM0281"


def test_validation_errors_name_the_field(api, users, workspace):
    as_user(api, users["adviseur"])
    body = assert_problem(
        api.post(
            "/api/v1/doelen",
            {
                "area": workspace["area"].pk,
                "title": "x",
                "indicator": "y",
                "direction": "omlaag",
                "baseline_value": 10,
                "baseline_date": "2024-01-01",
                "target_value": 12,
                "deadline": "2027-01-01",
            },
            format="json",
        ),
        400,
    )
    params = {p["name"]: p for p in body["invalidParams"]}
    assert "past niet bij de richting" in params["target_value"]["reason"]


def test_advisor_creates_and_soft_deletes_with_history(api, users, workspace):
    as_user(api, users["adviseur"])
    goal = workspace["goal"]
    response = api.post(
        "/api/v1/metingen",
        {
            "goal": goal.pk,
            "kind": "indicator",
            "date": "2025-07-01",
            "value": 10.9,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    made = m.Measurement.objects.get(pk=response.json()["id"])
    assert made.area == goal.area
    assert m.AuditEntry.objects.filter(item_uid=made.uid, action="aangemaakt").exists()
    assert api.delete(f"/api/v1/metingen/{made.pk}").status_code == 204
    assert m.Measurement.all_objects.get(pk=made.pk).is_deleted


def test_council_member_gets_403_on_writes(api, users, workspace):
    as_user(api, users["raadslid"])
    goal = workspace["goal"]
    assert_problem(api.patch(f"/api/v1/doelen/{goal.pk}", {"title": "Anders"}, format="json"), 403)
    assert_problem(
        api.post(
            "/api/v1/metingen",
            {
                "goal": goal.pk,
                "kind": "indicator",
                "date": "2025-07-01",
                "value": 10.9,
            },
            format="json",
        ),
        403,
    )
    assert m.Goal.objects.get(pk=goal.pk).title == "Minder specialistische jeugdhulp"


def test_partner_writes_only_for_her_organisation(api, users, workspace):
    as_user(api, users["partner"])
    other = workspace["other_activity"]
    assert_problem(
        api.patch(f"/api/v1/activiteiten/{other.pk}", {"title": "Mijn"}, format="json"), 403
    )
    own = workspace["own_activity"]
    response = api.patch(
        f"/api/v1/activiteiten/{own.pk}", {"organisation": workspace["school"].pk}, format="json"
    )
    assert_problem(response, 403)
    response = api.post(
        "/api/v1/metingen",
        {
            "goal": workspace["goal"].pk,
            "kind": "bereik",
            "date": "2025-07-01",
            "value": 140,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["organisation"] == workspace["team"].pk


def test_cannot_write_into_another_municipality(api, users, workspace):
    as_user(api, users["urk"])
    response = api.post(
        "/api/v1/metingen",
        {
            "goal": workspace["goal"].pk,
            "kind": "indicator",
            "date": "2025-07-01",
            "value": 1,
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "goal"
    assert not m.Measurement.objects.filter(value=1).exists()


def test_national_series_are_public_and_marked(api):
    rows = api.get("/api/v1/reeksen/youth_with_jeugdzorg_total_incl_pgb").json()
    by_year = {r["period"]: r for r in rows}
    assert by_year["2020"]["comparable_with_before_2021"] is True
    assert by_year["2021"]["comparable_with_before_2021"] is False
    rows = api.get("/api/v1/reeksen/jh_trajecten_active").json()
    assert {r["period"]: r["status"] for r in rows}["2021"] == "voorlopig"
    assert_problem(api.get("/api/v1/reeksen/bestaat_niet"), 404)
