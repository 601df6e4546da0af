"""A server killed right after a confirmed save loses nothing (issue 6, part 8).

The real ``jeugdstelsel serve`` runs as a separate process on loopback with its own SQLite file;
the test saves a Kwaliteitskompas item and a lab scenario through the forms, waits for the
confirmation (the redirect), kills the server with SIGKILL (no clean shutdown, no flush), starts
it again on the same file, and finds both items.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow

PASSWORD = "Crash-Test-Wachtwoord-2026"
PREPARE = """
import json, os, django
PASSWORD = os.environ["CRASH_PASSWORD"]
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
from jeugdstelsel.web.kompas import models as m
muni = m.Municipality.objects.create(code="GM0281", name="Tiel")
user = get_user_model().objects.create_user("adviseur", password=PASSWORD)
m.Membership.objects.create(user=user, municipality=muni, role=m.Role.ADVISOR)
print(json.dumps({"area": muni.areas.get().pk}))
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from jeugdstelsel.cli import main; main()", "serve", "--port",
         str(port), "--workers", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("de server startte niet binnen 90 seconden")


@contextlib.contextmanager
def _login(base: str):
    with httpx.Client(base_url=base, timeout=30) as client:
        _sign_in(client, base)
        yield client


def _sign_in(client: httpx.Client, base: str) -> None:
    token = _token(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"username": "adviseur", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token},
                    headers={"Referer": base + "/inloggen"})
    assert r.status_code == 302, r.text[:500]


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post(client: httpx.Client, base: str, path: str, data: dict) -> httpx.Response:
    token = _token(client.get(path).text)
    return client.post(path, data={**data, "csrfmiddlewaretoken": token},
                       headers={"Referer": base + path})


def test_confirmed_saves_survive_sigkill(tmp_path):
    env = {**os.environ, "JEUGDSTELSEL_HOME": str(tmp_path), "CRASH_PASSWORD": PASSWORD,
           "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = subprocess.run([sys.executable, "-c", PREPARE], env=env, capture_output=True,
                         text=True, check=True)
    area = json.loads(out.stdout.strip().splitlines()[-1])["area"]
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port)
    try:
        with _login(base) as client:
            r = _post(client, base, "/kompas/GM0281/vraagstukken/nieuw",
                      {"area": area, "kind": "top_tien", "rank": "3",
                       "title": "Bevestigd vlak voor de crash", "description": ""})
            assert r.status_code == 302  # the user saw the confirmation
            r2 = _post(client, base, "/scenariolab/GM0281/nieuw",
                       {"name": "Scenario vlak voor de crash", "description": "",
                        "end_year": "2030"})
            assert r2.status_code == 302
        os.killpg(server.pid, signal.SIGKILL)  # no clean shutdown, worker and all
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    server = _start(env, port)
    try:
        with _login(base) as client:
            assert "Bevestigd vlak voor de crash" in client.get("/kompas/GM0281").text
            assert "Scenario vlak voor de crash" in client.get("/scenariolab/GM0281").text
            history = client.get("/kompas/GM0281/geschiedenis").text
        assert "Bevestigd vlak voor de crash" in history  # and its history entry
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
