"""Fixtures of the data tests: recorded CBS responses, a private home folder, PostgreSQL.

Tests marked ``@pytest.mark.postgres`` run against ``JEUGDSTELSEL_TEST_DATABASE_URL`` (set by
scripts/test.sh after starting a throw-away server) and are skipped otherwise. They use a second
database alias, ``postgres``, which pytest-django creates and migrates like ``default``; the
``on_postgres`` fixture routes every query there, so the code under test runs unchanged.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import dj_database_url
import httpx
import pytest

CBS_DIR = Path(__file__).parent / "cbs"
PG_URL = os.environ.get("JEUGDSTELSEL_TEST_DATABASE_URL")
PAGED = {"TypedDataSet", "UntypedDataSet", "Observations"}


def _add_postgres_alias() -> None:
    from django.conf import settings
    from django.db import connections

    config = dj_database_url.parse(PG_URL)
    config["TEST"] = {"NAME": "test_jeugdstelsel_data"}
    settings.DATABASES["postgres"] = config
    connections.configure_settings(settings.DATABASES)


if PG_URL:
    _add_postgres_alias()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.get_closest_marker("postgres") is None or here not in Path(item.path).parents:
            continue
        if not PG_URL:
            item.add_marker(pytest.mark.skip(reason="JEUGDSTELSEL_TEST_DATABASE_URL not set"))
        else:
            item.add_marker(pytest.mark.django_db(databases=["default", "postgres"]), append=False)


class _ToPostgres:
    def db_for_read(self, model, **hints):
        return "postgres"

    def db_for_write(self, model, **hints):
        return "postgres"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return True


@pytest.fixture
def on_postgres(settings):
    """Send every query of the test to the PostgreSQL test database."""
    from django.db import connections

    settings.DATABASE_ROUTERS = [_ToPostgres()]
    assert connections["postgres"].vendor == "postgresql"
    return "postgres"


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    """Each test gets its own JEUGDSTELSEL_HOME (CBS cache), never the user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("JEUGDSTELSEL_HOME", str(home))
    return home


class RecordedCbs:
    """Serves the recorded responses under tests/data/cbs; counts requests, can go offline."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.offline_after: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.offline_after is not None and len(self.requests) >= self.offline_after:
            raise httpx.ConnectError("recorded network is offline", request=request)
        self.requests.append(str(request.url))
        parts = request.url.path.strip("/").split("/")
        if request.url.host == "opendata.cbs.nl":
            api, table, endpoint = "v3", parts[2], parts[3]
        else:
            api, table, endpoint = "v4", parts[3], parts[4]
        folder = CBS_DIR / api / table
        if endpoint in PAGED:
            return self._page(request, folder, endpoint)
        path = folder / f"{endpoint}.json"
        if not path.exists():
            return httpx.Response(404, json={"error": "not found"})
        return httpx.Response(200, content=path.read_bytes())

    @staticmethod
    def _page(request: httpx.Request, folder: Path, endpoint: str) -> httpx.Response:
        pages = sorted(folder.glob(f"{endpoint}-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        if not pages:
            return httpx.Response(404, json={"error": "not found"})
        skip = request.url.params.get("$skip")
        if skip is None:
            return httpx.Response(200, content=pages[0].read_bytes())
        for page, following in itertools.pairwise(pages):
            link = json.loads(page.read_text(encoding="utf-8"))
            nxt = link.get("odata.nextLink") or link.get("@odata.nextLink")
            if nxt and httpx.URL(nxt).params.get("$skip") == skip:
                return httpx.Response(200, content=following.read_bytes())
        return httpx.Response(404, json={"error": "no such page"})

    def count(self, endpoint: str) -> int:
        return sum(f"/{endpoint}" in url for url in self.requests)


@pytest.fixture
def recorded() -> RecordedCbs:
    return RecordedCbs()


@pytest.fixture
def client(recorded, tmp_path):
    from jeugdstelsel.data.statline import StatLineClient

    with StatLineClient(transport=httpx.MockTransport(recorded), cache_dir=tmp_path / "cbs") as c:
        yield c
