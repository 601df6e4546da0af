"""A finished lab run downloadable as the council report (issue 17): the same PDF/UA report as
`jeugdstelsel rapport`, for the users who may see the run and nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario
from tests.reports import pdf_checks


@pytest.fixture
def lab_model(monkeypatch):
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)


def _run(client, users, tiel, shared: bool) -> Run:
    plan = Scenario.objects.create(municipality=tiel, name="POH", owner=users["adviseur"],
                                   shared=shared,
                                   levers=[{"naam": "poh_jeugd", "dosis": 1.0, "start": 2026}])
    client.force_login(users["adviseur"])
    client.post(reverse("lab:run_create", args=["GM0281", plan.pk]), {})
    return Run.objects.get()


def test_run_downloads_as_council_report(client, users, tiel, lab_model):
    run = _run(client, users, tiel, shared=True)
    url = reverse("lab:run_report", args=["GM0281", run.pk])
    assert client.get(url).status_code == 400  # not computed yet: a Dutch page, no crash
    worker.run_pending()
    page = client.get(reverse("lab:run", args=["GM0281", run.pk])).content.decode()
    assert url in page and "Download het raadsrapport (PDF)" in page
    client.force_login(users["raadslid"])  # a council member reads the shared run
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and ".pdf" in response[
        "Content-Disposition"]
    assert pdf_checks.problems(response.content) == []
    flat = " ".join(pdf_checks.text(response.content).split())
    assert "Raadsrapport jeugdzorg Tiel" in flat and "Begrotingsjaar" in flat
    assert "Er is geen vraag opgegeven" in flat  # the lab has no question field: neutral one
    client.force_login(users["urk"])  # another municipality: no access
    assert client.get(url).status_code in (403, 404)


def test_unshared_run_is_not_downloadable_for_readers(client, users, tiel, lab_model):
    run = _run(client, users, tiel, shared=False)
    url = reverse("lab:run_report", args=["GM0281", run.pk])
    client.force_login(users["raadslid"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 403)  # to the login page
