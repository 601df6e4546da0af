"""Forms read numbers the Dutch way (issue 17): "1.033" is 1033, "1,5" is one and a half, and
input that would be read wrongly is refused next to the field instead of stored."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jeugdstelsel.web.core.numbers import format_number, parse_number
from jeugdstelsel.web.kompas import models as m
from tests.web.test_web_forms import GOAL, advisor, post_goal  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("text", "number"),
    [("1033", 1033), ("1.033", 1033), ("1.000", 1000), ("1.033,5", 1033.5), ("12,5", 12.5),
     ("1,5", 1.5), ("0,08", 0.08), ("-3", -3), ("−2,5", -2.5), ("+7", 7), (" 42 ", 42),
     ("1.234.567", 1234567), ("1 033", 1033), ("1\u00a0033,25", 1033.25), ("-0", 0),
     ("1,033", 1.033)],
)
def test_dutch_numbers_are_read_as_written(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "code"),
    [("1.5", "dubbelzinnig"), ("10.80", "dubbelzinnig"), ("1.0000", "dubbelzinnig"),
     ("1,000.50", "dubbelzinnig"), ("1.033.5", "dubbelzinnig"), ("12.", "dubbelzinnig"),
     ("1e6", "geen_getal"), ("veel", "geen_getal"), ("", "geen_getal"), ("1,", "geen_getal"),
     ("nan", "geen_getal"), ("inf", "geen_getal"), ("1 5", "geen_getal"), ("--1", "geen_getal")],
)
def test_ambiguous_or_foreign_input_is_refused_with_a_code(text, code):
    with pytest.raises(ValidationError) as info:
        parse_number(text)
    assert info.value.code == code


@pytest.mark.parametrize("number", [1033.0, 12.5, 0.08, -2.25, 1234567.0, 0.0, 1 / 3])
def test_a_shown_number_reads_back_as_the_same_number(number):
    assert parse_number(format_number(number)) == pytest.approx(number, rel=1e-9)


def test_goal_form_stores_1033_for_1_033(advisor):  # noqa: F811
    assert post_goal(advisor, baseline_value="1.033", target_value="1.000,5").status_code == 302
    goal = m.Goal.objects.get(title=GOAL["title"])
    assert goal.baseline_value == 1033 and goal.target_value == 1000.5
    html = advisor.get(reverse("kompas:edit", args=["GM0281", "doelen", goal.pk])).content.decode()
    assert 'value="1.033"' in html and 'value="1.000,5"' in html


def test_goal_form_refuses_an_english_decimal_point_next_to_the_field(advisor):  # noqa: F811
    response = post_goal(advisor, baseline_value="120.5")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["baseline_value"]] == [
        "dubbelzinnig"]
    assert 'id="id_baseline_value_fout"' in response.content.decode()
    assert not m.Goal.objects.exists()


def test_measurement_form_reads_a_comma(client, users, workspace):
    client.force_login(users["adviseur"])
    response = client.post(reverse("kompas:create", args=["GM0281", "metingen"]), {
        "goal": workspace["goal"].pk, "kind": "indicator", "date": "2025-09-01", "value": "1,5"})
    assert response.status_code == 302
    assert m.Measurement.objects.get(date="2025-09-01").value == 1.5


def test_lab_dose_uses_the_same_parser(tiel, users):
    from jeugdstelsel.web.lab.forms import ScenarioForm
    from jeugdstelsel.web.lab.models import Scenario

    lever = SimpleNamespace(key="kosten", name="Tarief", unit="euro", minimum=0.0,
                            maximum=5000.0, example=1000.0)

    def form(dose):
        return ScenarioForm({"name": "Plan", "end_year": "2030", "gebruik_kosten": "on",
                             "dosis_kosten": dose, "start_kosten": "2026"},
                            instance=Scenario(municipality=tiel, owner=users["adviseur"]),
                            levers=[lever], municipality=tiel)

    ok = form("1.000")
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_levers == [{"naam": "kosten", "dosis": 1000.0, "start": 2026}]
    bad = form("1.5")
    assert not bad.is_valid()
    assert [e.code for e in bad.errors.as_data()["dosis_kosten"]] == ["dubbelzinnig"]
    unbound = ScenarioForm(instance=Scenario(municipality=tiel, owner=users["adviseur"]),
                           levers=[lever], municipality=tiel)
    assert 'value="1.000"' in str(unbound["dosis_kosten"])  # shown as it is read back


def test_implausible_values_and_dates_are_refused_next_to_the_field(advisor):  # noqa: F811
    response = post_goal(advisor, baseline_value="-1.000.000.000.000")
    assert [e.code for e in response.context["form"].errors.as_data()["baseline_value"]] == [
        "onaannemelijk"]
    response = post_goal(advisor, deadline="2999-01-01")
    assert [e.code for e in response.context["form"].errors.as_data()["deadline"]] == [
        "onaannemelijk"]
    assert not m.Goal.objects.exists()


def test_a_measurement_in_2999_is_refused_also_through_the_api(client, users, workspace):
    from tests.web.test_web_api import as_user

    client.force_login(users["adviseur"])
    response = client.post(reverse("kompas:create", args=["GM0281", "metingen"]), {
        "goal": workspace["goal"].pk, "kind": "indicator", "date": "2999-01-01", "value": "3"})
    assert [e.code for e in response.context["form"].errors.as_data()["date"]] == [
        "onaannemelijk"]
    from rest_framework.test import APIClient

    api = as_user(APIClient(), users["adviseur"])
    body = api.post("/api/v1/metingen", {"goal": workspace["goal"].pk, "kind": "indicator",
                                         "date": "2025-01-02", "value": -1e12}).json()
    assert {(p["name"], p["code"]) for p in body["invalidParams"]} == {("value", "onaannemelijk")}
    assert not m.Measurement.objects.filter(value=-1e12).exists()
