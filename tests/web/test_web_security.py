"""Safe by default (issue 17, item 2): checked redirects, a strict Content-Security-Policy,
sign-in throttling, session lifetime, API tokens that expire and can be revoked, and private
database and key files."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.web.conftest import PASSWORD

WEB = Path(__file__).resolve().parents[2] / "src" / "jeugdstelsel" / "web"
EVIL = ["javascript:alert(document.cookie)", "https://kwaad.example/", "//kwaad.example/x",
        "/\\kwaad.example", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x"]


# -- redirects and next ---------------------------------------------------------------------
@pytest.mark.parametrize("evil", EVIL)
def test_cancel_link_and_redirect_never_follow_a_foreign_next(client, users, workspace, evil):
    client.force_login(users["adviseur"])
    goal = workspace["goal"]
    overview = reverse("kompas:overview", args=["GM0281"])
    for url in (reverse("kompas:create", args=["GM0281", "vraagstukken"]),
                reverse("kompas:edit", args=["GM0281", "doelen", goal.pk]),
                reverse("kompas:delete", args=["GM0281", "doelen", goal.pk])):
        html = client.get(url, {"next": evil}).content.decode()
        assert "kwaad.example" not in html and "alert(" not in html and "data:text" not in html
    assert f'href="{overview}">Annuleren' in client.get(
        reverse("kompas:create", args=["GM0281", "vraagstukken"]), {"next": evil}
    ).content.decode()
    response = client.post(
        reverse("kompas:create", args=["GM0281", "vraagstukken"]),
        {"area": workspace["area"].pk, "kind": "top_tien", "rank": 5, "title": "Nieuw",
         "next": evil},
    )
    assert response.status_code == 302
    assert response.url == overview


def test_a_next_on_this_site_is_followed(client, users, workspace):
    client.force_login(users["adviseur"])
    goal_url = reverse("kompas:goal", args=["GM0281", workspace["goal"].pk])
    html = client.get(reverse("kompas:create", args=["GM0281", "metingen"]),
                      {"next": goal_url}).content.decode()
    assert f'href="{goal_url}">Annuleren' in html


def test_login_does_not_redirect_away(client, users):
    response = client.post(reverse("login") + "?next=https://kwaad.example/",
                           {"username": "adviseur", "password": PASSWORD,
                            "next": "https://kwaad.example/"})
    assert response.status_code == 302 and "kwaad" not in response.url


# -- Content-Security-Policy ----------------------------------------------------------------
def test_every_page_has_a_strict_content_security_policy(client, users, workspace):
    client.force_login(users["adviseur"])
    for url in ("/", reverse("dashboard:index"), reverse("kompas:overview", args=["GM0281"]),
                reverse("kompas:goal", args=["GM0281", workspace["goal"].pk]),
                reverse("lab:overview", args=["GM0281"]), reverse("transparantie"),
                "/bestaat-niet"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", policy
        assert directives["style-src"] == "'self'", policy
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # no inline script
        assert not re.search(r"\sstyle=", html), url  # no inline style attributes
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        assert "<style" not in html, url


def test_no_template_has_inline_script_or_style():
    for path in WEB.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=\"", text), path


# -- sign-in throttling ---------------------------------------------------------------------
def test_wrong_passwords_lock_the_sign_in_also_for_the_right_one(users):
    client = Client()
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "adviseur", "password": "fout"})
        assert response.status_code in (200, 429)
    response = client.post(reverse("login"), {"username": "adviseur", "password": PASSWORD})
    assert response.status_code == 429
    assert "Inloggen tijdelijk geblokkeerd" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another user from the same address is not locked out
    response = Client().post(reverse("login"), {"username": "raadslid", "password": PASSWORD})
    assert response.status_code == 302


def test_a_few_mistakes_then_the_right_password_still_signs_in(users):
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": "adviseur", "password": "fout"})
    response = client.post(reverse("login"), {"username": "adviseur", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


# -- sessions and tokens --------------------------------------------------------------------
def _settings_value(tmp_path, expr: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JEUGDSTELSEL_")}
    environment.update(JEUGDSTELSEL_HOME=str(tmp_path),
                       DJANGO_SETTINGS_MODULE="jeugdstelsel.web.settings", **env)
    code = f"from django.conf import settings; print({expr})"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_session_lifetime_defaults_to_8_hours_and_is_configurable(tmp_path):
    assert _settings_value(tmp_path, "settings.SESSION_COOKIE_AGE") == str(8 * 3600)
    assert _settings_value(tmp_path, "settings.SESSION_COOKIE_AGE",
                           JEUGDSTELSEL_SESSIE_UREN="2") == str(2 * 3600)


def test_api_token_expires_and_can_be_revoked(users, workspace, settings):
    token = Token.objects.create(user=users["adviseur"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/doelen").status_code == 200
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS, seconds=1))
    response = api.get("/api/v1/doelen")
    assert response.status_code == 401 and response.json()["code"] == "token_verlopen"
    Token.objects.filter(pk=token.pk).update(created=timezone.now())
    assert api.get("/api/v1/doelen").status_code == 200
    Token.objects.filter(pk=token.pk).delete()  # revoked (Beheer > Tokens)
    response = api.get("/api/v1/doelen")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


# -- private files --------------------------------------------------------------------------
def test_database_and_key_files_are_private_to_the_user(tmp_path):
    old = os.umask(0o022)
    try:
        _settings_value(tmp_path, "settings.DATABASES['default']['NAME']")
    finally:
        os.umask(old)
    for name in ("jeugdstelsel.sqlite3", "secret_key"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, name
    (tmp_path / "jeugdstelsel.sqlite3").chmod(0o644)  # an older installation
    _settings_value(tmp_path, "settings.DEBUG")
    assert (tmp_path / "jeugdstelsel.sqlite3").stat().st_mode & 0o077 == 0


def test_a_user_makes_renews_and_revokes_her_own_api_token(client, users, workspace):
    url = reverse("api_token")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(users["raadslid"])
    assert "geen API-sleutel" in client.get(url).content.decode()
    first = client.post(url, {"nieuw": "1"}).context["new_key"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/v1/doelen").status_code == 200
    second = client.post(url, {"nieuw": "1"}).context["new_key"]
    assert second != first and api.get("/api/v1/doelen").status_code == 401
    assert "verloopt op" in client.get(url).content.decode()
    assert client.post(url, {"intrekken": "1"}).status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api.get("/api/v1/doelen").status_code == 401
    assert not Token.objects.filter(user=users["raadslid"]).exists()
