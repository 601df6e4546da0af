"""Dashboard, transparency and accessibility pages; the model and store seams."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge


@pytest.fixture
def real_model(monkeypatch):
    """The real run service, with few draws so a test run takes about a second."""
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "DASHBOARD_DRAWS", 20)
    modelbridge.clear_cache()
    yield
    modelbridge.clear_cache()


def test_dashboard_shows_figures_with_tables_and_markers(client, db):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "Staat van het jeugdstelsel" in html
    assert html.count('role="img"') == 5  # five charts ...
    assert html.count("<table ") >= 6  # ... each with its table, plus the referrers
    assert "476.560" in html  # 2022 total, Dutch notation
    assert "Trendbreuk 2021" in html and "2021 *" in html
    assert "(voorlopig)" in html and "open symbool: voorlopig cijfer" in html
    assert 'stroke-dasharray="8 4"' in html  # series differ by dash, not colour alone
    assert "Herhaald beroep" in html and "Huisarts" in html
    assert "Modelband: Het rekenmodel is in deze installatie nog niet beschikbaar." in html


def test_dashboard_draws_the_model_band_when_the_model_is_there(client, db, real_model):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "Model, 90%-interval" in html
    assert 'fill="url(#grafiek-jeugdzorg-band0)"' in html
    assert "Modelband: Het rekenmodel" not in html
    band = modelbridge.band_for("youth_with_jeugdzorg_total_incl_pgb").value
    years = dict(zip(band.xs, zip(band.lower, band.upper, strict=True), strict=True))
    low, high = years[2022.0]
    assert low < 476_560 * 1.1 and high > 476_560 * 0.9  # the band sits near the 2022 figure
    assert all(lo < hi for lo, hi in years.values())


def test_municipal_band_only_with_a_municipal_calibration(db, real_model, monkeypatch):
    monkeypatch.setattr(modelbridge, "municipally_calibrated", lambda code: False)
    answer = modelbridge.band_for("youth_with_jeugdzorg_total_incl_pgb", "GM0281")
    assert not answer.available
    assert "nog niet op haar eigen cijfers gekalibreerd" in answer.reason
    assert modelbridge._answers.ready(("run", "GM0281", modelbridge.cache_key())) is None


def test_municipal_band_is_computed_in_the_background(db, real_model, monkeypatch):
    """A page never waits for a municipality's model run; the next visit shows the answer."""
    monkeypatch.setattr(modelbridge, "municipally_calibrated", lambda code: True)
    first = modelbridge.band_for("youth_with_jeugdzorg_total_incl_pgb", "GM0281", wait=False)
    assert not first.available and "loopt nu" in first.reason
    second = modelbridge.band_for("youth_with_jeugdzorg_total_incl_pgb", "GM0281")
    assert second.available or "gekalibreerd" in second.reason


def test_broken_model_still_renders_the_page(client, db, real_model, monkeypatch):
    from jeugdstelsel.services import run as run_service

    def boom(*args, **kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr(run_service, "run", boom)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert "Het rekenmodel gaf een fout" in response.content.decode()


def test_municipal_dashboard_shows_cbs_figures_beside_the_country(client, db, caplog):
    """Issue 15 item 1: every municipality's embedded CBS figures, press figures apart; and
    no traceback in the log for a municipality the store does not know (issue 17)."""
    with caplog.at_level("WARNING"):
        html = client.get(reverse("dashboard:index") + "?gemeente=GM0281").content.decode()
    assert "Jeugdzorg in Tiel naast Nederland" in html
    assert "1.900" in html and "461.985" in html  # 85335NED 2022: Tiel and the country
    assert "CBS 85335NED 2022" in html
    assert "Uit nieuwsberichten en persberichten" in html and "Nieuwsbericht:" in html
    assert "Een jeugdregio is nog niet ingebouwd" in html
    assert not [r for r in caplog.records if r.levelno >= 30], caplog.records
    assert "GM0363" in html  # the list of municipalities (2024 division) is there
    html = client.get(reverse("dashboard:index") + "?gemeente=GM9999").content.decode()
    assert "Er is geen gemeente met code GM9999" in html


def test_routekaart_says_why_without_the_model(client, db):
    html = client.get(reverse("routekaart") + "?gemeente=GM0281").content.decode()
    assert "Routekaart: Tiel" in html
    assert "Het rekenmodel is in deze installatie nog niet beschikbaar." in html


def test_routekaart_shows_the_targets_with_their_chance(client, db, real_model, monkeypatch):
    monkeypatch.setattr(modelbridge, "ROUTEKAART_DRAWS", 100)
    modelbridge.routekaart_for("GM0281")  # what `serve` does at start for known municipalities
    html = client.get(reverse("routekaart") + "?gemeente=GM0281").content.decode()
    assert "Hoogstens 1 op 10 jongeren (0-17 jaar) in jeugdzorg in 2028" in html
    assert "Kans" in html and "% van leeftijdsgroep" in html
    assert 'role="img"' in html and "Doel 2028: 10" in html


def test_transparency_says_when_the_model_declaration_is_missing(client, db):
    html = client.get(reverse("transparantie")).content.decode()
    for heading in (
        "Doel",
        "Gegevens en bronnen",
        "Methode",
        "Aannames en hun onderbouwing",
        "voorspelfout",
        "Beperkingen",
        "Menselijke tussenkomst",
        "Geen besluiten over personen",
    ):
        assert heading in html
    assert "de modelbeschrijving is nog niet beschikbaar" in html
    assert "CBS" in html


def test_transparency_renders_the_model_declaration(client, db, real_model):
    from jeugdstelsel.core.model import PARAMETERS
    from jeugdstelsel.services.calibration import load_shipped

    html = client.get(reverse("transparantie")).content.decode()
    assert "stock-and-flow" in html and "Monte Carlo" in html
    assert "need_incidence" in html  # every declared parameter with its source
    assert "rechte trendlijn" in html and "vorig jaar herhaald" in html
    assert "nog niet beschikbaar" not in html
    download = client.get(reverse("transparantie_download"))
    assert download["Content-Disposition"].startswith("attachment;")
    data = download.json()
    assert len(data["aannames"]) == len(PARAMETERS)
    holdout = data["toetsing_voorspelfout"]
    mae = {r["voorspelling"]: r["fout_pct"] for r in holdout["gemiddelde_absolute_fout_pct"]}
    assert mae["dit model"] == pytest.approx(
        load_shipped().holdout["mean_abs_error_pct"]["model"])
    assert {r["reeks"] for r in holdout["per_reeks"]} >= {"jeugdzorg_0_22"}


def test_accessibility_statement(client, db):
    html = client.get(reverse("toegankelijkheid")).content.decode()
    assert "Toegankelijkheidsverklaring" in html and "WCAG 2.1" in html


def test_base_layout_is_dutch_with_skip_link_and_landmarks(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="nl" ' in html
    assert 'href="#inhoud"' in html and '<main id="inhoud"' in html
    assert "<header" in html and "<nav" in html and "<footer" in html
    assert "cdn" not in html.lower() and "https://" not in html.split("<footer")[0]


def test_static_assets_are_served_locally(client, db):
    response = client.get("/static/web/site.css")
    try:
        assert response.status_code == 200
        assert b"--focus" in b"".join(response.streaming_content)
    finally:
        response.close()
