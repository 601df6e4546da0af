"""Roles per municipality: who may read and change what, and the 403s for everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.web.kompas import models as m


def overview(code="GM0281"):
    return reverse("kompas:overview", args=[code])


def test_anonymous_is_sent_to_login(client, workspace):
    response = client.get(overview())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["niemand", "urk"])
def test_user_without_role_gets_403_and_no_data(client, users, workspace, who):
    client.force_login(users[who])
    for url in (
        overview(),
        reverse("kompas:goal", args=["GM0281", workspace["goal"].pk]),
        reverse("kompas:export", args=["GM0281"]),
        reverse("kompas:create", args=["GM0281", "doelen"]),
        reverse("kompas:edit", args=["GM0281", "doelen", workspace["goal"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Minder specialistische" not in response.content.decode()


def test_unknown_municipality_is_also_403(client, users):
    client.force_login(users["adviseur"])
    assert client.get(overview("GM9999")).status_code == 403


def test_item_of_other_municipality_is_not_found_under_own_code(client, users, urk, workspace):
    """The Urk advisor addresses a Tiel goal through Urk's URL: 404, never the data."""
    client.force_login(users["urk"])
    url = reverse("kompas:goal", args=["GM0184", workspace["goal"].pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "Minder specialistische" not in response.content.decode()


@pytest.mark.parametrize("who", ["beheerder", "adviseur", "partner", "raadslid"])
def test_every_role_reads_its_own_municipality(client, users, workspace, who):
    client.force_login(users[who])
    response = client.get(overview())
    assert response.status_code == 200
    assert "Minder specialistische jeugdhulp" in response.content.decode()


def test_council_member_reads_but_cannot_change(client, users, workspace):
    client.force_login(users["raadslid"])
    goal = workspace["goal"]
    assert client.get(reverse("kompas:create", args=["GM0281", "doelen"])).status_code == 403
    assert client.get(reverse("kompas:edit", args=["GM0281", "doelen", goal.pk])).status_code == 403
    response = client.post(reverse("kompas:delete", args=["GM0281", "doelen", goal.pk]))
    assert response.status_code == 403
    assert m.Goal.objects.filter(pk=goal.pk).exists()


def test_partner_edits_only_own_organisations_activities(client, users, workspace):
    client.force_login(users["partner"])
    own, other = workspace["own_activity"], workspace["other_activity"]
    assert (
        client.get(reverse("kompas:edit", args=["GM0281", "activiteiten", own.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("kompas:edit", args=["GM0281", "activiteiten", other.pk])).status_code
        == 403
    )
    assert (
        client.get(
            reverse("kompas:edit", args=["GM0281", "doelen", workspace["goal"].pk])
        ).status_code
        == 403
    )
    assert client.get(reverse("kompas:create", args=["GM0281", "doelen"])).status_code == 403


def test_partner_measurement_is_recorded_for_her_own_organisation(client, users, workspace):
    client.force_login(users["partner"])
    goal = workspace["goal"]
    response = client.post(
        reverse("kompas:create", args=["GM0281", "metingen"]),
        {
            "goal": goal.pk,
            "kind": "indicator",
            "date": "2025-07-01",
            "value": "10,8",
            "organisation": workspace["school"].pk,  # not hers: refused
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    response = client.post(
        reverse("kompas:create", args=["GM0281", "metingen"]),
        {
            "goal": goal.pk,
            "kind": "indicator",
            "date": "2025-07-01",
            "value": "10,8",
            "organisation": workspace["team"].pk,
        },
    )
    assert response.status_code == 302
    made = m.Measurement.objects.get(date="2025-07-01")
    assert made.organisation == workspace["team"]


def test_only_an_administrator_sees_the_trash(client, users, workspace):
    url = reverse("kompas:trash", args=["GM0281"])
    client.force_login(users["adviseur"])
    assert client.get(url).status_code == 403
    client.force_login(users["beheerder"])
    assert client.get(url).status_code == 200


def test_roles_never_become_global_permissions(users, tiel):
    """A role holds in its municipality only: no Django group or permission carries it."""
    for user in users.values():
        user = type(user).objects.get(pk=user.pk)
        assert not user.groups.exists()
        assert not user.has_perm("kompas.change_goal")
        assert not user.has_perm("kompas.view_goal")
