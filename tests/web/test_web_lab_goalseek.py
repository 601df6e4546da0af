"""Doelzoeker in the lab: who may search, the worker computes it, the result and saving it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.lab import goalseek
from jeugdstelsel.web.lab.models import GoalSearch, Scenario


@pytest.fixture
def lab_model(monkeypatch):
    """The real model, with a tiny search (30 draws, one generation) so a test takes seconds."""
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(goalseek, "DRAWS", 30)
    monkeypatch.setattr(goalseek, "GENERATIONS", 1)
    monkeypatch.setattr(goalseek, "POPULATION", 1)


def ask(client, target="eerste_lijn", kans="0.5", levers=("poh_jeugd", "jeugdhulp_op_school"),
        **extra):
    return client.post(reverse("lab:goalseek", args=["GM0281"]),
                       {"target": target, "kans": kans, "levers": list(levers), **extra})


def test_advisor_searches_sees_the_package_and_saves_it(client, users, tiel, lab_model):
    client.force_login(users["adviseur"])
    overview = client.get(reverse("lab:overview", args=["GM0281"])).content.decode()
    assert reverse("lab:goalseek", args=["GM0281"]) in overview
    page = client.get(reverse("lab:goalseek", args=["GM0281"])).content.decode()
    assert "Doelzoeker Tiel" in page and "30 trekkingen" in page and "80%" in page
    response = ask(client)
    search = GoalSearch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(str(search.pk))
    assert search.spec["levers"] == ["poh_jeugd", "jeugdhulp_op_school"]
    waiting = client.get(response["Location"]).content.decode()
    assert "In de wachtrij" in waiting and "data-search-url" in waiting
    status = reverse("lab:goalseek_status", args=["GM0281", search.pk])
    assert client.get(status).json()["complete"] is False
    assert goalseek.run_pending() == 1
    search.refresh_from_db()
    assert search.status == GoalSearch.Status.DONE, search.error
    assert client.get(status).json() == {"status": "klaar", "status_nl": "Klaar", "done": 1,
                                         "total": 1, "complete": True}
    result = search.result
    assert result["reached"] and result["best"]["probability"] >= 0.5
    assert result["baseline_probability"] < 0.5  # the levers make the difference
    html = client.get(response["Location"]).content.decode()
    assert "Het goedkoopste pakket dat het doel haalt" in html
    assert "POH-jeugd bij huisartsen" in html and "Startjaar" in html
    pct = round(100 * result["best"]["probability"])
    assert f"<strong>{pct}%</strong> (80%-interval" in html
    assert "per jaar</strong>" in html and "Afweging: meer kans kost meer" in html
    assert 'id="grafiek-afweging"' in html and html.count("<table") >= 2
    assert "Geen pakket" not in html
    # the package becomes a scenario of the lab, owned by the advisor
    saved = client.post(reverse("lab:goalseek_save", args=["GM0281", search.pk]))
    scenario = Scenario.objects.get(name__startswith="Doelzoeker:")
    assert saved.status_code == 302 and scenario.owner == users["adviseur"]
    best = result["best"]
    assert scenario.levers == [
        {"naam": k, "dosis": round(d, 3), "start": s}
        for k, d, s in zip(result["levers"], best["doses"], best["starts"], strict=True) if d > 0]


def test_impossible_target_says_no_package_reaches_it(client, users, tiel, lab_model):
    client.force_login(users["beheerder"])
    response = ask(client, target="bereik_0_17", kans="anders", kans_anders="99",
                   levers=["poh_jeugd"])
    assert response.status_code == 302
    assert GoalSearch.objects.get().spec["probability"] == 0.99
    goalseek.run_pending()
    html = client.get(response["Location"]).content.decode()
    assert "Geen pakket haalt dit doel" in html
    assert "De hoogste kans die gevonden is:" in html
    assert "Opslaan als scenario" not in html


def test_council_member_reads_but_cannot_start(client, users, tiel, lab_model):
    client.force_login(users["adviseur"])
    ask(client)
    search = GoalSearch.objects.get()
    goalseek.run_pending()
    client.force_login(users["raadslid"])
    page = client.get(reverse("lab:goalseek", args=["GM0281"])).content.decode()
    assert "Zoek het goedkoopste pakket" not in page and "Zoektochten van Tiel" in page
    assert ask(client).status_code == 403
    assert GoalSearch.objects.count() == 1
    detail = client.get(reverse("lab:goalseek_detail", args=["GM0281", search.pk]))
    assert detail.status_code == 200 and "Het goedkoopste pakket" in detail.content.decode()
    assert client.post(reverse("lab:goalseek_save", args=["GM0281", search.pk])).status_code == 403


def test_other_municipality_and_partner_are_refused(client, users, tiel, urk, lab_model):
    search = goalseek.queue(tiel, users["adviseur"], "eerste_lijn", 0.5, ["poh_jeugd"])
    for name in ("urk", "niemand", "partner"):
        client.force_login(users[name])
        assert client.get(reverse("lab:goalseek", args=["GM0281"])).status_code == 403
        assert client.get(reverse("lab:goalseek_detail",
                                  args=["GM0281", search.pk])).status_code == 403
        assert ask(client).status_code == 403
    # Urk's own advisor does not find Tiel's search under Urk
    client.force_login(users["urk"])
    assert client.get(reverse("lab:goalseek_detail",
                              args=["GM0184", search.pk])).status_code == 404


def test_form_refuses_bad_probability_and_conflicting_levers(client, users, tiel, lab_model):
    client.force_login(users["adviseur"])
    html = ask(client, kans="anders", kans_anders="150").content.decode()
    assert "Vul een kans tussen 1 en 99 procent in." in html
    html = ask(client, levers=["wijkteam_versterken", "normaliseren"]).content.decode()
    assert "Deze hefbomen kunnen niet samen" in html
    assert not GoalSearch.objects.exists()
    # the form's default levers can be combined
    page = client.get(reverse("lab:goalseek", args=["GM0281"])).content.decode()
    assert 'value="poh_jeugd"' in page and "checked" in page


def test_without_the_model_the_page_says_so(client, users, tiel):
    client.force_login(users["adviseur"])
    html = client.get(reverse("lab:goalseek", args=["GM0281"])).content.decode()
    assert modelbridge.NOT_YET in html and "Zoek het goedkoopste pakket" not in html


def test_a_list_of_checkboxes_is_not_laid_out_as_one_checkbox(client, users, tiel, lab_model):
    """The NLDS checkbox field layout (label beside one box) squeezed the lever list into a
    column one word wide; only a single checkbox gets that layout."""
    import re

    client.force_login(users["adviseur"])
    page = client.get(reverse("lab:goalseek", args=["GM0281"])).content.decode()
    fields = re.findall(r'<div class="(veld utrecht-form-field[^"]*)">(.*?)</label>', page, re.S)
    levers = [cls for cls, label in fields if "Hefbomen die de zoektocht mag gebruiken" in label]
    assert levers and "utrecht-form-field--checkbox" not in levers[0]
