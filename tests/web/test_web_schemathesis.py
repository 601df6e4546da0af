"""Property-based API tests: schemathesis over the OpenAPI description, in-process.

For every operation of the description schemathesis generates a bounded number of requests,
valid and invalid (``GenerationMode.POSITIVE`` and ``NEGATIVE``), authenticated with an
advisor's API token, and sends them to the real WSGI application (the real settings, middleware
and error boundary; no network). Each response must not be a server error (5xx) and must match
what the description promises: a documented status code, its content type, its headers
(``API-Version``) and its body schema.

Random ids and codes almost never exist, so besides the freely generated requests each
operation also gets valid requests for the items that do exist (``path_parameters``) and
bodies whose references (area, goal, organisation, municipality ...) point at them: the
success paths and their response schemas are tested too, including a finished run's result
(computed once by the real model with few draws, then stored per test).

The description is docs/openapi.json, which test_web_openapi.py keeps equal to the one served
at /api/v1/openapi.json; reading it at collection gives one test per operation (its id is the
method and path). Each test has its own database (pytest-django): a municipality with one item
of every kind (the ``workspace`` fixture). A failure prints the request as ``curl``.

Why not ``schemathesis.pytest.from_fixture``: its pytest plugin renames nodes through a pytest
internal that pytest 9.2 no longer has; the Python API below is the documented alternative.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario
from jeugdstelsel.web.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DESCRIPTION = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(DESCRIPTION)
SCHEMA.app = application
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

#: Examples per operation: the CI budget (57 operations, about 45 s on two cores). A longer
#: hunt: ``JEUGDSTELSEL_API_VOORBEELDEN=200 pytest tests/web/test_web_schemathesis.py``.
EXAMPLES = int(os.environ.get("JEUGDSTELSEL_API_VOORBEELDEN", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]


@pytest.fixture
def same_connection():
    """Keep the database connection open between requests.

    Why: like Django's own test client, the requests run inside this test's transaction; the
    per-request ``close_old_connections`` would close it (and roll back the fixtures).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


_RESULT: dict = {}


def _finished_result(monkeypatch, scenario) -> dict:
    """A real run's result, computed once per session by the worker (the model, few draws)."""
    if not _RESULT:
        with monkeypatch.context() as patch:
            patch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
            patch.setattr(modelbridge, "LAB_DRAWS", 40)
            modelbridge.clear_cache()
            from jeugdstelsel.web.lab.views import queue_run

            run = queue_run(scenario.municipality, scenario, None, scenario.owner)
            worker.run_pending()
            run.refresh_from_db()
            assert run.status == Run.Status.DONE, run.error
            _RESULT.update(run.result)
            run.delete()
        modelbridge.clear_cache()
    return dict(_RESULT)


@pytest.fixture
def known(users, tiel, workspace, same_connection, monkeypatch):
    """The API token of an advisor of Tiel and the ids that exist, by path and body field."""
    token, _ = Token.objects.get_or_create(user=users["adviseur"])
    plan = Scenario.objects.create(
        municipality=tiel, name="Plan", owner=users["adviseur"], shared=True,
        levers=[{"naam": "poh_jeugd", "dosis": 0.5, "start": 2026}],
    )
    other = Scenario.objects.create(municipality=tiel, name="Ander plan",
                                    owner=users["adviseur"])
    done = Run.objects.create(municipality=tiel, plan=plan, status=Run.Status.DONE,
                              result=_finished_result(monkeypatch, plan))
    queued = Run.objects.create(municipality=tiel, plan=plan, reference=other)
    failed = Run.objects.create(municipality=tiel, plan=plan, status=Run.Status.FAILED,
                                error="Het model gaf geen uitkomst.")
    # the model is installed, as in production: a run request is queued (202), not a 503
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    modelbridge.clear_cache()
    w = workspace
    ids = {
        "gemeenten": [tiel.code],
        "gebieden": [w["area"].pk],
        "organisaties": [w["team"].pk],
        "vraagstukken": [w["issue"].pk],
        "doelen": [w["goal"].pk],
        "activiteiten": [w["own_activity"].pk, w["other_activity"].pk],
        "interventies": [w["intervention"].pk],
        "metingen": list(w["goal"].measurements.values_list("pk", flat=True)),
        "verbeteracties": [w["action"].pk],
        "reeksen": ["births", "jh_trajecten_active"],
        "scenarios": [plan.pk, other.pk],
        "doorrekeningen": [str(done.pk), str(queued.pk), str(failed.pk)],
    }
    fields = {
        "area": w["area"].pk, "issue": w["issue"].pk, "goal": w["goal"].pk,
        "activity": w["own_activity"].pk, "organisation": w["team"].pk,
        "municipality": tiel.code, "reference": other.pk,
    }
    return {"headers": {"Authorization": f"Token {token.key}"}, "ids": ids, "fields": fields}


def _existing(operation, known) -> list:
    """Strategies of valid requests for the items that exist (one per id of the resource)."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return [operation.as_strategy(GenerationMode.POSITIVE)]
    resource = operation.path.split("/")[1]  # paths are relative to the server URL, /api/v1
    return [
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters={names[0]: value})
        for value in known["ids"][resource]
    ]


def _with_real_references(case, fields):
    if isinstance(case.body, dict):
        for key, value in fields.items():
            if key in case.body and isinstance(case.body[key], type(value)):
                case.body[key] = value
    return case


def test_every_operation_is_tested():
    assert len(OPERATIONS) >= 50  # all resources, not an empty or unreadable description
    assert {"GET /doelen", "POST /scenarios/{id}/doorrekeningen", "GET /openapi.json"} <= {
        f"{op.method.upper()} {op.path}" for op in OPERATIONS
    }


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS]
)
def test_api_conforms_to_its_openapi_description(operation, known):
    existing = st.one_of(_existing(operation, known)).map(
        lambda case: _with_real_references(case, known["fields"])
    )
    cases = st.one_of(
        existing,
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same examples every run: a CI failure can be repeated here
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=known["headers"], checks=CHECKS)

    check()
