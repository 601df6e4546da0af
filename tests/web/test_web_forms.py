"""Forms refuse bad input with Dutch messages next to the field; CSRF is enforced."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jeugdstelsel.web.kompas import models as m
from tests.web.conftest import PASSWORD

GOAL = {
    "title": "Minder uithuisplaatsingen",
    "indicator": "Jongeren met verblijf",
    "unit": "aantal",
    "direction": "omlaag",
    "baseline_value": "120",
    "baseline_date": "2024-01-01",
    "target_value": "100",
    "deadline": "2027-01-01",
    "model_output_key": "",
}


@pytest.fixture
def advisor(client, users, tiel):
    client.force_login(users["adviseur"])
    GOAL["area"] = tiel.areas.get(kind="gemeente").pk
    return client


def post_goal(client, **changes):
    return client.post(reverse("kompas:create", args=["GM0281", "doelen"]), {**GOAL, **changes})


def test_valid_goal_is_saved(advisor):
    assert post_goal(advisor).status_code == 302
    assert m.Goal.objects.filter(title="Minder uithuisplaatsingen").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_value": "150"}, "target_value", "past niet bij de richting"),
        ({"target_value": "120"}, "target_value", "gelijk aan de nulmeting"),
        ({"deadline": "2023-01-01"}, "deadline", "na de datum van de nulmeting"),
        ({"baseline_value": "veel"}, "baseline_value", "Voer een getal in"),
        ({"title": ""}, "title", "Dit veld is vereist"),
        ({"model_output_key": "Jeugdzorg Totaal"}, "model_output_key", "kleine letters"),
        ({"model_output_key": "jeugdzorg_bestaat_niet"}, "model_output_key", "kent de uitkomst"),
    ],
)
def test_bad_goal_is_refused_with_dutch_message_next_to_field(advisor, changes, field, message):
    response = post_goal(advisor, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_fout"' in html  # the message sits with the field
    assert 'aria-invalid="true"' in html
    assert not m.Goal.objects.filter(title="Minder uithuisplaatsingen").exists()


def test_decimal_comma_is_accepted(advisor):
    assert post_goal(advisor, baseline_value="12,5", target_value="9,75").status_code == 302
    goal = m.Goal.objects.get(title="Minder uithuisplaatsingen")
    assert (goal.baseline_value, goal.target_value) == (12.5, 9.75)


def test_top_ten_rank_must_be_free(advisor, workspace):
    response = advisor.post(
        reverse("kompas:create", args=["GM0281", "vraagstukken"]),
        {
            "area": workspace["area"].pk,
            "kind": "top_tien",
            "rank": "1",
            "title": "Eenzaamheid",
        },
    )
    assert response.status_code == 200
    assert "al bezet" in " ".join(response.context["form"].errors["rank"])


def test_choices_never_offer_another_municipalitys_items(advisor, workspace, urk, users):
    other_area = urk.areas.first()
    form = advisor.get(reverse("kompas:create", args=["GM0281", "metingen"])).context["form"]
    assert list(form.fields["goal"].queryset) == [workspace["goal"]]
    response = post_goal(advisor, area=other_area.pk)
    assert "area" in response.context["form"].errors


def test_forms_need_a_csrf_token(users, workspace):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="adviseur", password=PASSWORD)
    url = reverse("kompas:delete", args=["GM0281", "doelen", workspace["goal"].pk])
    assert client.post(url).status_code == 403
    assert m.Goal.objects.filter(pk=workspace["goal"].pk).exists()
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302


def test_login_page_refuses_wrong_password_in_dutch(client, users):
    response = client.post(reverse("login"), {"username": "adviseur", "password": "fout"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()
