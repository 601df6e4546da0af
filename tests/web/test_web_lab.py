"""Scenario lab: roles, the scenario form, the job table and worker, results, goals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario
from tests.web.conftest import make_user


@pytest.fixture
def lab_model(monkeypatch):
    """The real model, with few draws so a comparison in a test takes about a second."""
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)


def form_data(name="Plan POH", **levers):
    data = {"name": name, "description": "", "end_year": "2030"}
    for key, (dose, start) in levers.items():
        data[f"gebruik_{key}"] = "on"
        data[f"dosis_{key}"] = dose
        data[f"start_{key}"] = str(start)
    return data


def test_advisor_saves_a_scenario_with_levers_and_dutch_decimals(client, users, tiel, lab_model):
    client.force_login(users["adviseur"])
    url = reverse("lab:create", args=["GM0281"])
    page = client.get(url).content.decode()
    assert "POH-jeugd bij huisartsen" in page and "Dosis" in page
    response = client.post(url, form_data(poh_jeugd=("0,5", 2026)))
    scenario = Scenario.objects.get(name="Plan POH")
    assert response.status_code == 302
    assert scenario.owner == users["adviseur"] and scenario.municipality == tiel
    assert scenario.levers == [{"naam": "poh_jeugd", "dosis": 0.5, "start": 2026}]


def test_dose_outside_its_range_is_refused_next_to_the_field(client, users, tiel, lab_model):
    client.force_login(users["adviseur"])
    response = client.post(reverse("lab:create", args=["GM0281"]),
                           form_data(poh_jeugd=("7", 2026)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "De dosis moet tussen" in html and 'aria-invalid="true"' in html
    assert not Scenario.objects.exists()


def test_duplicate_name_is_refused(client, users, tiel, lab_model):
    Scenario.objects.create(municipality=tiel, name="Plan", owner=users["adviseur"])
    client.force_login(users["adviseur"])
    html = client.post(reverse("lab:create", args=["GM0281"]), form_data("plan")).content
    assert "Er is al een scenario met deze naam" in html.decode()


def test_roles_in_the_lab(client, users, tiel, urk, lab_model):
    own = Scenario.objects.create(municipality=tiel, name="Concept", owner=users["adviseur"])
    shared = Scenario.objects.create(municipality=tiel, name="Gedeeld",
                                     owner=users["adviseur"], shared=True)
    colleague = make_user("collega", tiel, m.Role.ADVISOR)
    # council member: reads shared scenarios only, cannot create or run
    client.force_login(users["raadslid"])
    overview = client.get(reverse("lab:overview", args=["GM0281"])).content.decode()
    assert "Gedeeld</a>" in overview and "Concept" not in overview
    assert client.get(reverse("lab:scenario", args=["GM0281", own.pk])).status_code == 404
    assert client.get(reverse("lab:scenario", args=["GM0281", shared.pk])).status_code == 200
    assert client.get(reverse("lab:create", args=["GM0281"])).status_code == 403
    assert client.post(reverse("lab:run_create", args=["GM0281", shared.pk])).status_code == 403
    # no role at all, or another municipality's advisor: 403 for everything
    for name in ("niemand", "urk"):
        client.force_login(users[name])
        assert client.get(reverse("lab:overview", args=["GM0281"])).status_code == 403
        assert client.get(reverse("lab:scenario", args=["GM0281", shared.pk])).status_code == 403
    # a colleague advisor may duplicate but not change someone else's scenario
    client.force_login(colleague)
    assert client.get(reverse("lab:edit", args=["GM0281", own.pk])).status_code == 403
    assert client.post(reverse("lab:delete", args=["GM0281", own.pk])).status_code == 403
    response = client.post(reverse("lab:duplicate", args=["GM0281", own.pk]))
    copy = Scenario.objects.get(name="Kopie van Concept")
    assert response.status_code == 302 and copy.owner == colleague and not copy.shared


def test_owner_deletes_after_asking_and_admin_can_restore(client, users, tiel, lab_model):
    s = Scenario.objects.create(municipality=tiel, name="Weg", owner=users["adviseur"])
    client.force_login(users["adviseur"])
    url = reverse("lab:delete", args=["GM0281", s.pk])
    assert "verwijderen?" in client.get(url).content.decode()
    assert Scenario.objects.filter(pk=s.pk).exists()
    client.post(url)
    assert not Scenario.objects.filter(pk=s.pk).exists()
    assert Scenario.all_objects.get(pk=s.pk).deleted_at is not None


def test_claim_is_atomic_and_interrupted_runs_are_requeued(users, tiel, lab_model):
    plan = Scenario.objects.create(municipality=tiel, name="P", owner=users["adviseur"])
    a = Run.objects.create(municipality=tiel, plan=plan, spec={})
    b = Run.objects.create(municipality=tiel, plan=plan, spec={})
    first, second = worker.claim("w1"), worker.claim("w2")
    assert {first.pk, second.pk} == {a.pk, b.pk}
    assert worker.claim("w3") is None
    assert worker.requeue_interrupted() == 2
    assert Run.objects.filter(status=Run.Status.QUEUED).count() == 2


def test_run_and_compare_through_the_worker(client, users, tiel, workspace, lab_model):
    plan = Scenario.objects.create(
        municipality=tiel, name="POH en wijkteam", owner=users["adviseur"], shared=True,
        levers=[{"naam": "poh_jeugd", "dosis": 1.0, "start": 2025},
                {"naam": "wijkteam_versterken", "dosis": 1.0, "start": 2025}])
    client.force_login(users["adviseur"])
    response = client.post(reverse("lab:run_create", args=["GM0281", plan.pk]), {})
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(str(run.pk))
    waiting = client.get(response["Location"]).content.decode()
    assert "In de wachtrij" in waiting and "data-status-url" in waiting
    assert client.get(reverse("lab:run_status", args=["GM0281", run.pk])).json()[
        "complete"] is False
    assert worker.run_pending() == 1
    run.refresh_from_db()
    assert run.status == Run.Status.DONE, run.error
    assert run.details is not None, run.details_error
    status = client.get(reverse("lab:run_status", args=["GM0281", run.pk])).json()
    assert status["complete"] is True
    html = client.get(reverse("lab:run", args=["GM0281", run.pk])).content.decode()
    # comparison with both bands told apart by pattern, and a table for every chart
    assert 'fill="url(#grafiek-specialistisch-band0)"' in html
    assert 'fill="url(#grafiek-specialistisch-band1)"' in html
    assert "schuin gearceerd" in html and "gestippeld" in html
    assert html.count('role="img"') <= html.count("<table")
    assert "Raadsperiode 2026-2029" in html and "Stromen door de lagen" in html
    assert "Kosteneffectiviteit" in html and "POH-jeugd bij huisartsen" in html
    assert "Wat bepaalt de uitkomst?" in html and "tornado" in html
    # the plan moves children from specialist care to the first line, on paired draws
    rows = {r["indicator"]: r for r in run.result["term_rows"]}
    assert rows["eerste_lijn"]["diff"] > 0
    assert rows["specialistisch"]["diff"] < 0
    assert "jeugdzorg_0_17_pct" in run.result["goal_draws"]  # the workspace goal's output
    # a council member sees the shared result
    client.force_login(users["raadslid"])
    assert client.get(reverse("lab:run", args=["GM0281", run.pk])).status_code == 200


def test_same_scenario_twice_differs_by_exactly_zero(users, tiel, lab_model):
    """Paired draws: a plan without levers against the baseline is the baseline, draw by draw."""
    ref = modelbridge.scenario_spec("a", [], "GM0281", 2029, 20, 3)
    plan = modelbridge.scenario_spec("b", [], "GM0281", 2029, 20, 3)
    result = modelbridge.compare(ref, plan)
    for ind in result["indicators"]:
        assert ind["diff"]["p10"] == ind["diff"]["p90"] == [0.0] * len(result["years"])


def test_failed_run_shows_a_dutch_message(client, users, tiel, lab_model):
    plan = Scenario.objects.create(municipality=tiel, name="Kapot", owner=users["adviseur"],
                                   levers=[{"naam": "bestaat_niet", "dosis": 1, "start": 2026}])
    client.force_login(users["adviseur"])
    client.post(reverse("lab:run_create", args=["GM0281", plan.pk]), {})
    worker.run_pending()
    run = Run.objects.get()
    assert run.status == Run.Status.FAILED and "onbekende hefboom" in run.error
    html = client.get(reverse("lab:run", args=["GM0281", run.pk])).content.decode()
    assert "De berekening is mislukt" in html


def test_goal_against_a_scenario(client, users, tiel, workspace, lab_model):
    goal = workspace["goal"]
    goal.model_output_key = "specialistisch"
    goal.baseline_value, goal.target_value = 100.0, 95.0
    goal.baseline_date, goal.deadline = dt.date(2025, 1, 1), dt.date(2029, 12, 31)
    history.save_item(goal, users["adviseur"])
    plan = Scenario.objects.create(
        municipality=tiel, name="POH", owner=users["adviseur"],
        levers=[{"naam": "poh_jeugd", "dosis": 1.0, "start": 2025}])
    client.force_login(users["adviseur"])
    client.post(reverse("lab:run_create", args=["GM0281", plan.pk]), {})
    worker.run_pending()
    run = Run.objects.get()
    url = reverse("kompas:goal", args=["GM0281", goal.pk]) + f"?berekening={run.pk}"
    html = client.get(url).content.decode()
    assert "Haalt het plan dit doel?" in html
    assert "kans dat <strong>POH</strong> de streefwaarde" in html
    assert 'fill="url(#grafiek-doel-band1)"' in html
    assert "Verwachting volgens het model" in html
    answer = modelbridge.goal_outlook(run.result, "specialistisch", 100.0, 2025, 2029, 95.0,
                                      True)
    ref, plan_outlook = answer.value
    assert plan_outlook.probability >= ref.probability  # the plan lowers specialist care
    assert plan_outlook.p50 < ref.p50
    late = modelbridge.goal_outlook(run.result, "specialistisch", 100.0, 2025, 2034, 95.0,
                                    True)
    assert not late.available and "loopt tot 2030" in late.reason


def _running(tiel, users, *, worker="elders:1", beat_seconds_ago=0.0, attempts=1):
    import datetime as dt

    from django.utils import timezone

    plan = Scenario.objects.create(municipality=tiel, name=f"Plan {worker}",
                                   owner=users["adviseur"], shared=True)
    at = timezone.now() - dt.timedelta(seconds=beat_seconds_ago)
    return Run.objects.create(municipality=tiel, plan=plan, spec={}, status=Run.Status.RUNNING,
                              worker=worker, started_at=at, heartbeat_at=at, attempts=attempts,
                              requested_by=users["adviseur"])


def test_a_run_whose_worker_died_is_retried_once_then_failed(client, users, tiel):
    """Issue 17: a run whose worker died showed "Wordt berekend…" until the server restarted."""
    client.force_login(users["adviseur"])
    alive = _running(tiel, users, worker="bezig:1", beat_seconds_ago=2)
    first = _running(tiel, users, worker="weg:1", beat_seconds_ago=worker.DEAD_AFTER_SECONDS + 5)
    status = client.get(reverse("lab:run_status", args=["GM0281", first.pk])).json()
    assert status["status"] == Run.Status.QUEUED  # back in the queue for a second attempt
    assert Run.objects.get(pk=alive.pk).status == Run.Status.RUNNING
    second = _running(tiel, users, worker="weg:2", beat_seconds_ago=worker.DEAD_AFTER_SECONDS + 5,
                      attempts=worker.MAX_ATTEMPTS)
    html = client.get(reverse("lab:run", args=["GM0281", second.pk])).content.decode()
    second.refresh_from_db()
    assert second.status == Run.Status.FAILED and second.error == worker.DIED
    assert worker.DIED in html


def test_a_dead_worker_process_on_this_machine_is_noticed_at_once(users, tiel):
    import os
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    run = _running(tiel, users, worker=f"{os.uname().nodename}:{gone}", beat_seconds_ago=1)
    here = _running(tiel, users, worker=worker.worker_name(), beat_seconds_ago=1)
    assert worker.reap_dead() == 1
    assert Run.objects.get(pk=run.pk).status == Run.Status.QUEUED
    assert Run.objects.get(pk=here.pk).status == Run.Status.RUNNING


def test_the_heartbeat_keeps_a_long_run_alive(users, tiel, transactional_db):
    import time

    run = _running(tiel, users, worker="lang:1", beat_seconds_ago=100)
    with worker.Heartbeat(run.pk, every=0.05):
        time.sleep(0.3)
    assert worker.reap_dead() == 0
    assert Run.objects.get(pk=run.pk).status == Run.Status.RUNNING


def test_a_shared_scenarios_run_list_does_not_name_unshared_scenarios(client, users, tiel):
    """Issue 17: the names of unshared scenarios were visible in a shared scenario's runs."""
    owner = users["adviseur"]
    shared = Scenario.objects.create(municipality=tiel, name="Gedeeld plan", owner=owner,
                                     shared=True)
    secret = Scenario.objects.create(municipality=tiel, name="Geheim concept", owner=owner)
    for reference in (secret, None):
        Run.objects.create(municipality=tiel, plan=shared, reference=reference, spec={},
                           requested_by=owner)
    url = reverse("lab:scenario", args=["GM0281", shared.pk])
    client.force_login(users["raadslid"])
    html = client.get(url).content.decode()
    assert "Geheim concept" not in html and "basis zonder hefbomen" in html
    client.force_login(owner)
    assert "Geheim concept" in client.get(url).content.decode()
