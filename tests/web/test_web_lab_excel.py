"""A comparison downloadable as an Excel workbook from the web (issue 17 item 5), through
``reports.excel``, with the same numbers as the page (same spec, seed and draws)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario


@pytest.fixture
def lab_model(monkeypatch):
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)


def test_run_downloads_as_excel(client, users, tiel, lab_model):
    plan = Scenario.objects.create(municipality=tiel, name="POH", owner=users["adviseur"],
                                   shared=True,
                                   levers=[{"naam": "poh_jeugd", "dosis": 1.0, "start": 2026}])
    client.force_login(users["adviseur"])
    client.post(reverse("lab:run_create", args=["GM0281", plan.pk]), {})
    run = Run.objects.get()
    url = reverse("lab:run_excel", args=["GM0281", run.pk])
    assert client.get(url).status_code == 400  # not computed yet: a Dutch page, no crash
    worker.run_pending()
    page = client.get(reverse("lab:run", args=["GM0281", run.pk])).content.decode()
    assert url in page and "Download als Excel-werkmap" in page
    client.force_login(users["raadslid"])  # a council member reads the shared run
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response[
        "Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Toelichting"
    assert "raadsperiode" in book.sheetnames and "kosteneffectiviteit" in book.sheetnames
    client.force_login(users["urk"])  # another municipality: no access
    assert client.get(url).status_code in (403, 404)
