"""Dashboard, transparency and accessibility pages; the model and store seams."""

from __future__ import annotations

import sys
import types

import pytest
from django.urls import reverse

from jeugdstelsel.web import modelbridge


@pytest.fixture
def fake_model(monkeypatch):
    """A stand-in for jeugdstelsel.services.run with the contract modelbridge documents."""

    class Results:
        def band(self, key, lower=0.05, upper=0.95):
            assert key == "jeugdzorg_0_22" and (lower, upper) == (0.05, 0.95)
            return {
                y: (400_000 + 9_000 * (y - 2016), 0, 430_000 + 9_000 * (y - 2016))
                for y in range(2016, 2026)
            }

    service = types.ModuleType("fake_run")
    service.run_default = lambda draws, seed: Results()
    service.model_declaration = lambda: {
        "method": "Voorraad-stroommodel per maand.",
        "assumptions": [
            {
                "name": "duur_jeugdhulp",
                "value": 11.5,
                "unit": "maanden",
                "source": "CBS 85097NED",
                "evidence": "gekalibreerd",
            }
        ],
        "holdout": [{"series": "jeugdzorg_0_22", "year": 2022, "error_pct": 1.8}],
        "limits": ["Geen wachttijden in de data."],
        "version": "0.1.0",
    }
    monkeypatch.setitem(sys.modules, "fake_run", service)
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "fake_run")
    modelbridge.clear_cache()
    return service


def test_dashboard_shows_figures_with_tables_and_markers(client, db):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "Staat van het jeugdstelsel" in html
    assert html.count('role="img"') == 5  # five charts ...
    assert html.count("<table>") >= 6  # ... each with its table, plus the referrers
    assert "476.560" in html  # 2022 total, Dutch notation
    assert "Trendbreuk 2021" in html and "2021 *" in html
    assert "(voorlopig)" in html and "open symbool: voorlopig cijfer" in html
    assert 'stroke-dasharray="8 4"' in html  # series differ by dash, not colour alone
    assert "Herhaald beroep" in html and "Huisarts" in html
    assert "Modelband: Het rekenmodel is in deze installatie nog niet beschikbaar." in html


def test_dashboard_draws_the_model_band_when_the_model_is_there(client, db, fake_model):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "Model, 90%-interval" in html
    assert 'fill="url(#grafiek-jeugdzorg-hatch)"' in html
    assert "Modelband: Het rekenmodel" not in html


def test_broken_model_still_renders_the_page(client, db, fake_model, monkeypatch):
    def boom(draws, seed):
        raise RuntimeError("kapot")

    monkeypatch.setattr(fake_model, "run_default", boom)
    modelbridge.clear_cache()
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert "Het rekenmodel gaf een fout" in response.content.decode()


def test_municipality_choice_without_store_figures_says_so(client, db):
    html = client.get(reverse("dashboard:index") + "?gemeente=GM0281").content.decode()
    assert "Tiel" in html  # the list of municipalities is there
    assert "nog geen cijfers" in html.lower() or "Nog geen gemeentecijfers" in html


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


def test_transparency_renders_the_model_declaration(client, db, fake_model):
    html = client.get(reverse("transparantie")).content.decode()
    assert "Voorraad-stroommodel per maand." in html
    assert "duur_jeugdhulp" in html and "11,5" in html
    assert "Geen wachttijden in de data." in html
    assert "nog niet beschikbaar" not in html
    download = client.get(reverse("transparantie_download"))
    assert download["Content-Disposition"].startswith("attachment;")
    data = download.json()
    assert data["methode"] == "Voorraad-stroommodel per maand."
    assert data["toetsing_voorspelfout"][0]["error_pct"] == 1.8


def test_accessibility_statement(client, db):
    html = client.get(reverse("toegankelijkheid")).content.decode()
    assert "Toegankelijkheidsverklaring" in html and "WCAG 2.1" in html


def test_base_layout_is_dutch_with_skip_link_and_landmarks(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
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
