"""Sign-in through OpenID Connect beside local accounts: off unless configured; when on, only
people a municipal administrator gave an account (by e-mail or user name) get in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jeugdstelsel.web.core import oidc
from jeugdstelsel.web.kompas import models as m
from tests.web.conftest import make_user

pytest.importorskip("mozilla_django_oidc")


@pytest.fixture
def provider(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "jeugdstelsel"
    settings.OIDC_RP_CLIENT_SECRET = "geheim"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.gemeente.example/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://login.gemeente.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://login.gemeente.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://login.gemeente.example/jwks"
    return settings


def test_off_by_default(client, db):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert "account van uw organisatie" not in client.get(reverse("login")).content.decode()


def test_login_page_offers_it_and_sends_the_user_to_the_provider(client, provider, db):
    assert "account van uw organisatie" in client.get(reverse("login")).content.decode()
    response = client.get(reverse("oidc_authentication_init"), {"next": "/kompas/"})
    assert response.status_code == 302
    assert response.url.startswith("https://login.gemeente.example/authorize?")
    assert "client_id=jeugdstelsel" in response.url and "state=" in response.url


def test_only_known_people_get_in(provider, tiel):
    known = make_user("a.jansen", tiel, m.Role.ADVISOR, email="A.Jansen@tiel.example")
    backend = oidc.MunicipalOIDCBackend()
    found = backend.filter_users_by_claims({"email": "a.jansen@tiel.example"})
    assert list(found) == [known]
    assert list(backend.filter_users_by_claims({"preferred_username": "a.jansen"})) == [known]
    assert not backend.filter_users_by_claims({"email": "onbekend@elders.example"}).exists()
    assert not backend.filter_users_by_claims(
        {"email": "a.jansen@tiel.example", "email_verified": False}).exists()
    assert backend.create_user({"email": "nieuw@tiel.example"}) is None
    provider.OIDC_CREATE_USER = True
    created = backend.create_user({"email": "nieuw@tiel.example", "preferred_username": "n"})
    assert created is not None and not created.memberships.exists()  # an account, no role


def test_a_failed_sign_in_lands_on_the_login_page_in_dutch(client, provider, db):
    response = client.get(reverse("oidc_failed"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Inloggen via uw organisatie is niet gelukt" in response.content.decode()
