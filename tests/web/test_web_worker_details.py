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


def test_queued_runs_with_one_reference_share_an_engine_call(users, tiel, lab_model):
    """The same numbers as each pair alone (common random numbers), and a result names only its
    own reference and plan (another advisor's unshared plan never shows up in it)."""
    first = _queued(tiel, users["adviseur"], "Een")
    second = _queued(tiel, users["adviseur"], "Twee")
    second.spec["plan"]["levers"] = [{"naam": "wijkteam_versterken", "dosis": 1.0,
                                      "start": 2026}]
    second.save()
    run = worker.claim("w1")
    companions = worker.claim_companions("w1", run)
    assert [c.pk for c in companions] == [second.pk]
    worker.compute(run, details=False, companions=companions)
    for r in (first, second):
        r.refresh_from_db()
        assert r.status == Run.Status.DONE
        ref, plan = worker._scenarios(r.spec)
        alone = modelbridge.compare(ref, plan)
        assert r.result["term_rows"] == alone["term_rows"]
        assert r.result["effectiveness"] == alone["effectiveness"]
        named = r.result["provenance"]["scenarios"]
        other = "Twee" if r.pk == first.pk else "Een"
        assert len(named) == 2 and r.spec["plan"]["name"] in str(named)
        assert other not in str(named)


def test_details_wait_for_queued_comparisons_but_not_for_ever(users, tiel, lab_model):
    import datetime as dt

    from django.utils import timezone

    done = _queued(tiel, users["adviseur"], "Klaar")
    Run.objects.filter(pk=done.pk).update(status=Run.Status.DONE, finished_at=timezone.now())
    assert not worker._yield_to_comparisons(done)  # nothing queued: details now
    waiting = _queued(tiel, users["adviseur"], "Wacht")
    assert worker._yield_to_comparisons(done)  # a user waits for a comparison: that first
    Run.objects.filter(pk=waiting.pk).update(status=Run.Status.RUNNING)
    assert worker._yield_to_comparisons(done)  # and while it is computed
    long_ago = timezone.now() - dt.timedelta(seconds=worker.DETAILS_YIELD_SECONDS + 1)
    Run.objects.filter(pk=done.pk).update(finished_at=long_ago)
    assert not worker._yield_to_comparisons(done)  # capped: a busy lab still gets details
