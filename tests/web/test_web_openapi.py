"""The committed OpenAPI description (docs/openapi.json) must match what the server serves.

Regenerate after an API change with:
    python -m django spectacular --settings=jeugdstelsel.web.settings \
        --format openapi-json --file docs/openapi.json
"""

from __future__ import annotations

import json
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_description_is_committed_and_up_to_date(client, db):
    served = client.get("/api/v1/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, (
        "docs/openapi.json is out of date; regenerate it (see this test's docstring)."
    )


def test_openapi_follows_the_dutch_api_design_rules():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert schema["servers"][0]["url"] == "/api/v1"  # paths are relative to it
    paths = list(schema["paths"])
    assert all(p.startswith("/") and not p.endswith("/") for p in paths)
    for resource in (
        "gemeenten",
        "doelen",
        "metingen",
        "activiteiten",
        "vraagstukken",
        "interventies",
        "verbeteracties",
        "reeksen",
    ):
        assert f"/{resource}" in paths
    assert schema["info"]["version"] == "1.0.0"
    get_goals = schema["paths"]["/doelen"]["get"]["responses"]
    assert "API-Version" in get_goals["200"]["headers"]
    assert "application/problem+json" in get_goals["default"]["content"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
