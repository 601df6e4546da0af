"""Django's deployment checks pass with the production settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys


def test_check_deploy_passes_with_production_environment(tmp_path):
    env = {
        **os.environ,
        "JEUGDSTELSEL_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings",
        "DJANGO_SECRET_KEY": "k" * 20 + "-Zq8#vX2!mLp9@wR4$tY7^nB3&cF6*hJ1",
        "DJANGO_SECURE": "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "jeugd.gemeente.example",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https_settings(tmp_path):
    """The test above can fail: without DJANGO_SECURE the same check reports warnings."""
    env = {
        **os.environ,
        "JEUGDSTELSEL_HOME": str(tmp_path),
        "DJANGO_SECURE": "0",
        "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_secret_key_is_generated_once_per_home_and_kept(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(JEUGDSTELSEL_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="jeugdstelsel.web.settings")
    keys = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert keys[0] == keys[1] and len(keys[0]) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
