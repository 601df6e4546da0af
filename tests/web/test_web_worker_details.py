"""Comparisons first, details after (issue 17 item 4): the worker leaves the slower details to
its helper process, so the next user in the queue never waits for another run's tornado."""

from __future__ import annotations

import pytest

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.lab import worker
from jeugdstelsel.web.lab.models import Run, Scenario


@pytest.fixture
def lab_model(monkeypatch):
    monkeypatch.setattr(modelbridge, "SERVICE_MODULE", "jeugdstelsel.services.run")
    monkeypatch.setattr(modelbridge, "LAB_DRAWS", 40)


def _queued(tiel, user, name):
    plan = Scenario.objects.create(municipality=tiel, name=name, owner=user,
                                   levers=[{"naam": "poh_jeugd", "dosis": 1.0, "start": 2026}])
    ref = modelbridge.scenario_spec("Referentie", [], "GM0281", 2029, 40, 42)
    spec = {"area": "GM0281", "end_year": 2029, "draws": 40, "seed": 42,
            "plan": {"name": name, "levers": plan.levers},
            "reference": {"name": ref.scenario.naam, "levers": []}}
    return Run.objects.create(municipality=tiel, plan=plan, spec=spec)


def test_comparison_without_details_then_the_helper_adds_them(users, tiel, lab_model):
    first = _queued(tiel, users["adviseur"], "Een")
    second = _queued(tiel, users["adviseur"], "Twee")
    for _ in range(2):
        run = worker.claim("w1")
        worker.compute(run, details=False)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Run.Status.DONE
    assert first.details is None and second.details is None  # both comparisons came first
    assert worker.pending_details("someone-else:1") is None  # not another live worker's
    assert worker.pending_details("w1").pk == first.pk  # oldest first
    for _ in range(2):  # what the helper's ``details_loop`` does, one run at a time
        worker.compute_details(worker.pending_details("w1"))
    assert worker.pending_details("w1") is None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.details is not None and second.details is not None, (
        first.details_error, second.details_error)
