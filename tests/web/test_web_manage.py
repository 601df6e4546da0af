"""A municipal administrator manages users, roles, partners and wijken of her own municipality
in the application (issue 17), and nothing of another municipality."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas import roles
from tests.web.conftest import make_user

URL = reverse("kompas:manage", args=["GM0281"])


def post(client, soort: str, **data):
    return client.post(URL, {"soort": soort, **{f"{soort}-{k}": v for k, v in data.items()}})


def test_only_an_administrator_of_this_municipality_manages_it(client, users, tiel, urk):
    for who in ("adviseur", "raadslid", "partner", "urk", "niemand"):
        client.force_login(users[who])
        assert client.get(URL).status_code == 403, who
        assert post(client, "wijk", name="Kwaad").status_code == 403
    dual = make_user("dual", urk, m.Role.ADMIN)
    m.Membership.objects.create(user=dual, municipality=tiel, role=m.Role.COUNCIL)
    client.force_login(dual)
    assert client.get(URL).status_code == 403  # administrator in Urk gives nothing in Tiel
    assert not m.Area.objects.filter(name="Kwaad").exists()
    client.force_login(users["beheerder"])
    assert client.get(URL).status_code == 200


def test_administrator_gives_a_new_user_a_role_that_holds_here_only(client, users, tiel, urk):
    client.force_login(users["beheerder"])
    response = post(client, "lid", username="nieuwe", email="n@tiel.example", role="raadslid",
                    password="Een-Goed-Wachtwoord-1")
    assert response.status_code == 302
    user = get_user_model().objects.get(username="nieuwe")
    assert user.check_password("Een-Goed-Wachtwoord-1")
    assert roles.role_in(user, tiel) == m.Role.COUNCIL and roles.role_in(user, urk) is None
    # an existing user from elsewhere gets a role here too, without a password
    assert post(client, "lid", username="urk", role="beleidsadviseur").status_code == 302
    assert roles.role_in(users["urk"], tiel) == m.Role.ADVISOR


def test_member_form_refuses_what_would_break(client, users, tiel, urk):
    client.force_login(users["beheerder"])
    errors = post(client, "lid", username="x", role="partner").context["member_form"].errors
    assert {"organisation", "password"} <= set(errors)
    errors = post(client, "lid", username="y", role="raadslid", password="kort").context[
        "member_form"].errors
    assert "password" in errors
    errors = post(client, "lid", username="adviseur", role="raadslid").context[
        "member_form"].errors
    assert "username" in errors
    urk_org = m.Organisation.objects.create(municipality=urk, name="Urker school")
    errors = post(client, "lid", username="z", role="partner", organisation=urk_org.pk,
                  password="Een-Goed-Wachtwoord-1").context["member_form"].errors
    assert "organisation" in errors  # another municipality's organisation is not a choice
    assert not get_user_model().objects.filter(username__in=["x", "y", "z"]).exists()


def test_change_and_withdraw_a_role_but_never_the_last_administrator(client, users, tiel, urk):
    client.force_login(users["beheerder"])
    ms = m.Membership.objects.get(user=users["raadslid"], municipality=tiel)
    url = reverse("kompas:membership", args=["GM0281", ms.pk])
    assert client.post(url, {"role": "beleidsadviseur"}).status_code == 302
    assert roles.role_in(users["raadslid"], tiel) == m.Role.ADVISOR
    assert client.post(url, {"verwijderen": "1"}).status_code == 302
    assert roles.role_in(users["raadslid"], tiel) is None
    own = m.Membership.objects.get(user=users["beheerder"], municipality=tiel)
    own_url = reverse("kompas:membership", args=["GM0281", own.pk])
    assert client.post(own_url, {"role": "raadslid"}).status_code == 200
    client.post(own_url, {"verwijderen": "1"})
    assert roles.role_in(users["beheerder"], tiel) == m.Role.ADMIN
    other = m.Membership.objects.get(user=users["urk"], municipality=urk)
    assert client.get(reverse("kompas:membership", args=["GM0281", other.pk])).status_code == 404


def test_administrator_adds_partners_and_wijken(client, users, tiel):
    client.force_login(users["beheerder"])
    assert post(client, "partner", name="GGD Rivierenland", kind="jgz").status_code == 302
    assert post(client, "wijk", name="Passewaaij", cbs_code="WK028102").status_code == 302
    assert m.Organisation.objects.filter(municipality=tiel, name="GGD Rivierenland").exists()
    assert m.Area.objects.filter(municipality=tiel, name="Passewaaij", kind="wijk").exists()
    response = post(client, "wijk", name="passewaaij")
    assert response.status_code == 200 and "name" in response.context["area_form"].errors
    response = post(client, "partner", name="Wijkteam Tiel-Oost", kind="wijkteam")
    assert response.status_code == 200 and "name" in response.context["org_form"].errors


def test_grant_role_is_the_one_function_for_page_and_command_line(users, tiel, urk):
    import pytest

    from jeugdstelsel.errors import code_of
    from jeugdstelsel.web.kompas.members import grant_role

    membership, created = grant_role("c.de.vries", "gm0281", "partner",
                                     organisation="basisschool de brug",
                                     password="Een-Goed-Wachtwoord-1")
    assert created and membership.organisation.name == "Basisschool De Brug"
    membership, created = grant_role("c.de.vries", "GM0281", "raadslid")  # replaced
    assert not created and roles.role_in(membership.user, tiel) == m.Role.COUNCIL
    for args, kwargs in (
        (("x", "GM9999", "raadslid"), {"password": "Een-Goed-Wachtwoord-1"}),
        (("x", "GM0281", "koning"), {"password": "Een-Goed-Wachtwoord-1"}),
        (("x", "GM0281", "partner"), {"password": "Een-Goed-Wachtwoord-1"}),
        (("x", "GM0281", "partner"), {"organisation": "Urker school",
                                      "password": "Een-Goed-Wachtwoord-1"}),
        (("x", "GM0281", "raadslid"), {}),
        (("x", "GM0281", "raadslid"), {"password": "kort"}),
    ):
        with pytest.raises(Exception) as info:
            grant_role(*args, **kwargs)
        assert code_of(info.value) == "rol_ongeldig", (args, kwargs)
    assert not get_user_model().objects.filter(username="x").exists()


def test_issue_token_never_hands_out_an_expired_key(users, settings):
    import datetime as dt

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from jeugdstelsel.web.api.auth import issue_token, revoke_token

    user = users["adviseur"]
    first = issue_token(user)
    assert issue_token(user).key == first.key
    Token.objects.filter(pk=first.pk).update(
        created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS + 1))
    second = issue_token(user)
    assert second.key != first.key
    assert issue_token(user, renew=True).key != second.key
    assert revoke_token(user) and not revoke_token(user)
