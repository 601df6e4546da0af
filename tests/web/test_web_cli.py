"""The web CLI commands: first administrator and API token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from jeugdstelsel.cli import app

runner = CliRunner()


def test_beheerder_creates_a_superuser(db, monkeypatch):
    monkeypatch.setenv("JEUGDSTELSEL_BEHEERDER_WACHTWOORD", "Een-Heel-Goed-Wachtwoord-7")
    result = runner.invoke(app, ["beheerder", "eerste"])
    assert result.exit_code == 0, result.output
    assert "aangemaakt als beheerder" in result.output
    user = get_user_model().objects.get(username="eerste")
    assert user.is_superuser and user.check_password("Een-Heel-Goed-Wachtwoord-7")


def test_beheerder_refuses_a_weak_password_in_dutch(db, monkeypatch):
    monkeypatch.setenv("JEUGDSTELSEL_BEHEERDER_WACHTWOORD", "12345")
    result = runner.invoke(app, ["beheerder", "zwak"])
    assert result.exit_code == 1
    assert "Wachtwoord geweigerd" in result.output
    assert not get_user_model().objects.filter(username="zwak").exists()


def test_token_is_stable(db):
    get_user_model().objects.create_user("machine")
    first = runner.invoke(app, ["token", "machine"])
    second = runner.invoke(app, ["token", "machine"])
    assert first.exit_code == 0 and first.output == second.output and len(first.output) > 30
    assert runner.invoke(app, ["token", "onbekend"]).exit_code == 1
