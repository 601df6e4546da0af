"""The toegankelijkheidsverklaring follows the Dutch model statement (issue 17, item 5).

Anonymous visitors see every part of the model, the status letter that follows from the study
and the plan, and the organisation, contact and dates of the installation's own settings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from html import unescape

import pytest

from jeugdstelsel.web.core import accessibility as a

SECTIONS = ("Verklaring", "Nalevingsstatus", "Onderbouwing: hoe is getoetst",
            "Bekende beperkingen", "Maatregelen om de toegankelijkheid te borgen",
            "Akkoordverklaring", "Feedback en contactgegevens", "Handhavingsprocedure",
            "Uitleg over de nalevingsstatussen")


def text(response) -> str:
    html = response.content.decode()
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return unescape(re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\(\s+", "(", flat)))


def headings(response) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


def cfg(**kw) -> dict:
    base = {"organisation": "Gemeente Tiel", "drawn_up": dt.date(2026, 12, 3),
            "reviewed": dt.date(2026, 12, 3), "study_planned": dt.date(2027, 6, 1)}
    return {**base, **kw}


@pytest.fixture
def statement_settings(settings):
    settings.ACCESSIBILITY_STATEMENT = cfg(organisation_is_default=True,
                                           organisation="Het open-sourceproject Jeugdstelsel")
    return settings


def test_the_page_has_every_part_of_the_model(client, db, statement_settings, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2026, 12, 10))
    response = client.get("/toegankelijkheid")
    assert response.status_code == 200
    found = headings(response)
    for section in SECTIONS:
        assert any(h.startswith(section) for h in found), (section, found)
    page = text(response)
    assert ("Het open-sourceproject Jeugdstelsel streeft ernaar om de eigen online informatie en "
            "dienstverlening toegankelijk te maken, overeenkomstig het Besluit digitale "
            "toegankelijkheid overheid.") in page
    assert "van toepassing op de inhoud van de website Jeugdstelsel op http://testserver/" in page
    assert "Nalevingsstatus: C – eerste maatregelen genomen" in page
    assert "gepland vóór 1 juni 2027" in page
    assert "geen volledig onderzoek" in page and "geen onafhankelijke audit" in page
    assert "axe-core" in page and "1280 en van 390 pixels" in page
    html = response.content.decode()
    for d in a.KNOWN_DEVIATIONS:  # per success criterion, with a measure and a date
        assert d.criterion in page and d.measure in page
        assert f'<time datetime="{d.planned:%Y-%m-%d}">' in html
    assert "Opgesteld op 3 december 2026" in page and "Laatst herzien op 3 december 2026" in page
    assert "nog niet voor ‘gezien en akkoord’ getekend" in page
    # the complaint route: first the organisation, then the ombudsman
    assert "Dien dan eerst een klacht in bij Het open-sourceproject Jeugdstelsel" in page
    assert "klacht indienen bij de Nationale ombudsman" in page
    assert "heeft uw gemeente een eigen ombudsman of ombudscommissie" in page
    for letter, name in a.STATUS_NAMES.items():
        assert f"{letter} – {name}" in page
    assert "dit is de verklaring van het open-sourceproject zelf" in page


def test_settings_override_the_organisation_contact_and_dates(client, db, settings, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2027, 1, 15))
    settings.ACCESSIBILITY_STATEMENT = cfg(
        contact="toegankelijkheid@tiel.nl", url="https://jeugd.tiel.nl/",
        reviewed=dt.date(2027, 1, 10), signed_by="Gemeentesecretaris",
        signed_on=dt.date(2027, 1, 12), ombudsman_name="de Ombudscommissie Rivierenland",
        ombudsman_url="https://www.tiel.nl/klacht", overview_url="https://www.tiel.nl/websites")
    page = text(client.get("/toegankelijkheid"))
    assert "Gemeente Tiel streeft ernaar" in page
    assert "open-sourceproject" not in page
    assert "website Jeugdstelsel op https://jeugd.tiel.nl/" in page
    html = client.get("/toegankelijkheid").content.decode()
    assert 'href="mailto:toegankelijkheid@tiel.nl"' in html
    assert "Laatst herzien op 10 januari 2027" in page
    assert "op 12 januari 2027 voor ‘gezien en akkoord’ getekend" in page
    assert "(functie: Gemeentesecretaris)" in page
    assert "de Ombudscommissie Rivierenland, de ombudsman van de gemeente" in page
    assert "https://www.tiel.nl/websites" in page


def test_the_status_letter_follows_the_study_and_the_plan():
    today = dt.date(2027, 1, 15)
    assert a.status_letter(cfg(), today) == "C"
    # the planned date passed without a report: D, never C
    assert a.status_letter(cfg(), dt.date(2027, 6, 2)) == "D"
    # planned more than six months after the last revision: D
    assert a.status_letter(cfg(study_planned=dt.date(2027, 7, 1)), today) == "D"
    assert a.status_letter(cfg(study_planned=None), today) == "D"
    # a complete study: B unless the organisation states A; older than three years: no longer
    study = {"study_url": "https://tiel.nl/rapport.pdf", "study_date": dt.date(2026, 10, 1)}
    assert a.status_letter(cfg(**study), today) == "B"
    assert a.status_letter(cfg(**study, status="A"), today) == "A"
    assert a.status_letter(cfg(**study, status="Z"), today) == "B"
    assert a.status_letter(cfg(**study, study_planned=None), dt.date(2029, 10, 2)) == "D"
    assert a.status_letter(cfg(status="A"), today) == "C"  # no report: A cannot be claimed


def test_a_study_is_shown_with_its_report(client, db, settings, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2027, 1, 15))
    settings.ACCESSIBILITY_STATEMENT = cfg(study_url="https://tiel.nl/rapport.pdf",
                                           study_date=dt.date(2026, 10, 1))
    response = client.get("/toegankelijkheid")
    page = text(response)
    assert "Nalevingsstatus: B – voldoet gedeeltelijk" in page
    assert "het onderzoek van 1 oktober 2026" in page
    assert 'href="https://tiel.nl/rapport.pdf"' in response.content.decode()


def _settings(env: dict) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "c = s.ACCESSIBILITY_STATEMENT; print(c['organisation'], '|', c['contact'], '|', "
            "c['drawn_up'], '|', c['study_planned'], '|', c['organisation_is_default'])")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings", **env},
    )


def test_the_environment_sets_the_statement():
    own = _settings({"JEUGDSTELSEL_TOEGANKELIJKHEID_ORGANISATIE": "Gemeente Urk",
                     "JEUGDSTELSEL_TOEGANKELIJKHEID_CONTACT": "web@urk.nl",
                     "JEUGDSTELSEL_TOEGANKELIJKHEID_OPGESTELD": "2027-02-01",
                     "JEUGDSTELSEL_TOEGANKELIJKHEID_ONDERZOEK_GEPLAND": ""})
    assert own.returncode == 0, own.stderr
    assert [p.strip() for p in own.stdout.split("|")] == [
        "Gemeente Urk", "web@urk.nl", "2027-02-01", "None", "False"]
    wrong = _settings({"JEUGDSTELSEL_TOEGANKELIJKHEID_HERZIEN": "1-2-2027"})
    assert wrong.returncode != 0
    assert "JEUGDSTELSEL_TOEGANKELIJKHEID_HERZIEN is geen datum als 2026-12-03" in wrong.stderr
