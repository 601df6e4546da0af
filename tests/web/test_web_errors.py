"""One error boundary per interface: the API answers problem+json with the error's stable code,
pages answer a Dutch error page in the site's layout; never a traceback. Tests assert codes and
statuses, not wording (the wording is Dutch and may change)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.errors import AreaError, DataError, JeugdstelselError, ShapeError
from jeugdstelsel.web.core import transparency
from jeugdstelsel.web.lab.models import Scenario
from tests.web.conftest import make_user
from tests.web.test_web_api import api, as_user  # noqa: F401 (fixture)

ENGLISH = ("This field is required", "JSON parse error", "Not found", "Method \"", "Invalid token",
           "Authentication credentials were not provided")
TRACE = ("Traceback", "File \"", "KeyError", "ValueError", "RuntimeError")


def problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["code"]
    if code is not None:
        assert body["code"] == code, body
    text = response.content.decode()
    assert not any(word in text for word in ENGLISH + TRACE), text
    return body


def in_layout(response, status: int) -> str:
    """A page of the site (header, skip link, footer) with this status and no traceback."""
    assert response.status_code == status
    html = response.content.decode()
    assert 'lang="nl"' in html and "Direct naar de inhoud" in html and '<footer class="voet' in html
    assert not any(word in html for word in TRACE), html
    return html


# -- API ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "status"),
    [(AreaError("Onbekende gemeente 'Tiell'."), 404), (DataError("Bestand kapot."), 400),
     (ShapeError("Vormen kloppen niet."), 500)],
)
def test_api_turns_our_errors_into_problems_with_their_code(api, users, monkeypatch,  # noqa: F811
                                                            error, status):
    from jeugdstelsel.web.api import viewsets

    def boom(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(viewsets.refdata, "load_figures", boom)
    body = problem(api.get("/api/v1/reeksen"), status, error.code)
    assert body["detail"] == str(error)


def test_api_unexpected_error_is_a_dutch_500_without_internals(api, monkeypatch):  # noqa: F811
    from jeugdstelsel.web.api import viewsets

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(viewsets.refdata, "load_figures", boom)
    body = problem(api.get("/api/v1/reeksen"), 500, "intern")
    assert "secret" not in body["detail"]


def test_drf_texts_are_dutch_and_coded(api, users, workspace):  # noqa: F811
    as_user(api, users["adviseur"])
    body = problem(api.post("/api/v1/vraagstukken", {}), 400, "ongeldig")
    assert {p["code"] for p in body["invalidParams"]} == {"required"}
    problem(api.post("/api/v1/vraagstukken", data="{kapot", content_type="application/json"),
            400, "parse_error")
    problem(api.post("/api/v1/vraagstukken", data="titel=x",
                     content_type="application/x-www-form-urlencoded"), 415,
            "unsupported_media_type")
    problem(api.delete("/api/v1/reeksen"), 405, "method_not_allowed")
    problem(api.get("/api/v1/doelen/999999"), 404, "not_found")
    api.credentials(HTTP_AUTHORIZATION="Token onzin")
    problem(api.get("/api/v1/doelen"), 401, "authentication_failed")
    api.credentials()
    problem(api.get("/api/v1/doelen"), 401, "not_authenticated")
    problem(api.get("/api/v1/bestaat-niet"), 404, "not_found")


def test_patch_scenario_with_a_lever_without_its_name_is_a_400(api, users, tiel):  # noqa: F811
    """Issue 17: this was a KeyError 'naam' and an HTTP 500."""
    scenario = Scenario.objects.create(municipality=tiel, name="Plan", owner=users["adviseur"])
    as_user(api, users["adviseur"])
    body = problem(api.patch(f"/api/v1/scenarios/{scenario.pk}",
                             {"levers": [{"dosis": 0.5, "start": 2026}]}), 400, "ongeldig")
    assert {(p["name"], p["code"]) for p in body["invalidParams"]} == {("levers.0.naam",
                                                                        "required")}
    body = problem(api.patch(f"/api/v1/scenarios/{scenario.pk}", {"levers": [{}]}), 400)
    assert {p["name"] for p in body["invalidParams"]} == {"levers.0.naam", "levers.0.dosis"}


def test_every_api_error_is_documented():
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json")
                        .read_text(encoding="utf-8"))
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"406", "500", "default"} <= set(responses), (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "404", "415"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if not path.startswith(("/reeksen", "/openapi")):  # relative to the server, /api/v1
                assert {"401", "403"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status[0] in "45" or status == "default":
                    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Problem"
            assert "requestBody" not in operation or set(
                operation["requestBody"]["content"]) == {"application/json"}, (method, path)


# -- pages ----------------------------------------------------------------------------------
def test_our_error_during_a_page_is_a_dutch_page_with_its_status(client, monkeypatch):
    for error in (AreaError("Gemeente 'Tiell' bestaat niet."), DataError("Kapot bestand.")):
        monkeypatch.setattr(transparency, "register_entry",
                            lambda error=error: (_ for _ in ()).throw(error))
        html = in_layout(client.get(reverse("transparantie")), error.http_status)
        assert error.code in html


def test_unexpected_error_is_the_dutch_500_page_in_the_layout(client, monkeypatch):
    client.raise_request_exception = False

    def boom():
        raise RuntimeError("interne details")

    monkeypatch.setattr(transparency, "register_entry", boom)
    html = in_layout(client.get(reverse("transparantie")), 500)
    assert "interne details" not in html


def test_404_and_403_pages_are_dutch_in_the_layout(client, users, workspace):
    in_layout(client.get("/bestaat-niet"), 404)
    client.force_login(users["urk"])
    in_layout(client.get(reverse("kompas:overview", args=["GM0281"])), 403)


def test_400_page_for_a_bad_request(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    in_layout(client.get("/", HTTP_HOST="kwaad.example"), 400)


def test_csrf_failure_is_a_dutch_page(users, workspace):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["adviseur"])
    response = client.post(reverse("kompas:create", args=["GM0281", "vraagstukken"]), {})
    in_layout(response, 403)


def test_history_with_a_cut_link_is_a_400_not_a_500(client, users, workspace):
    """Issue 17: ``/kompas/<gemeente>/geschiedenis?onderdeel=abc`` was an HTTP 500."""
    client.force_login(users["adviseur"])
    url = reverse("kompas:history", args=["GM0281"])
    html = in_layout(client.get(url, {"onderdeel": "abc"}), 400)
    assert "verzoek_ongeldig" in html
    uid = workspace["goal"].uid
    assert client.get(url, {"onderdeel": str(uid)}).status_code == 200


def test_restoring_a_scenario_whose_name_was_reused(client, users, tiel):
    """Issue 17: restoring in Beheer failed with an HTTP 500 (unique name among live ones)."""
    from django.utils import timezone

    old = Scenario.objects.create(municipality=tiel, name="Plan A", owner=users["adviseur"],
                                  deleted_at=timezone.now())
    Scenario.objects.create(municipality=tiel, name="plan a", owner=users["adviseur"])
    admin = make_user("super", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:lab_scenario_changelist"),
        {"action": "restore", "_selected_action": [old.pk]},
        follow=True,
    )
    assert response.status_code == 200
    old.refresh_from_db()
    assert old.deleted_at is None and old.name == "Plan A (teruggezet)"
    assert Scenario.objects.filter(municipality=tiel).count() == 2


def test_worker_shows_our_message_for_our_errors(users, tiel, monkeypatch):
    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.lab import worker
    from jeugdstelsel.web.lab.models import Run

    scenario = Scenario.objects.create(municipality=tiel, name="Plan", owner=users["adviseur"])
    run = Run.objects.create(municipality=tiel, plan=scenario, requested_by=users["adviseur"],
                             spec={"area": "GM0281", "end_year": 2030, "draws": 2, "seed": 1,
                                   "plan": {"name": "Plan", "levers": []},
                                   "reference": {"name": "Basis", "levers": []}})

    def refuse(*_args, **_kwargs):
        raise JeugdstelselError("Deze hefbomen gaan niet samen.")

    monkeypatch.setattr(modelbridge, "scenario_spec", refuse)
    worker.execute(run)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and run.error == "Deze hefbomen gaan niet samen."
