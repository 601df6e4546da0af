"""Goal searches in the lab: the job-table side of ``services.doelzoeker``.

The web process only inserts a :class:`~jeugdstelsel.web.lab.models.GoalSearch` row; the
scenario worker (``lab.worker.loop``) takes it when no scenario run is waiting, calls
:func:`jeugdstelsel.services.doelzoeker.search` (the one pipeline), writes the generations done
after each one (the page shows them) and stores a JSON summary. Heartbeats and dead workers are
handled as for runs: a search whose worker died goes back in the queue once, then fails.

The web search is smaller than the CLI's default (200 draws, 8 generations of 4 candidates per
variable): :data:`DRAWS`, :data:`GENERATIONS` and :data:`POPULATION` below keep one search for
one municipality within about a minute on two shared cores (measured for Tiel with the six
default levers, 385 packages: 50 s cold, 64 s on a busy machine; the issue asks for 2 minutes).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

log = logging.getLogger(__name__)

DRAWS = 100
GENERATIONS = 5
POPULATION = 3
SEED = 2028
#: Searched goals: those with a limit or a direction (``doelzoeker._target`` refuses others).
SEARCHABLE = ("hoogstens", "minstens", "dalend", "stijgend")


def queue(municipality, user, target: str, probability: float, levers: list[str]):
    """Insert a search for the worker; the parameters are frozen in its spec."""
    from jeugdstelsel.web.lab.models import GoalSearch

    spec = {"area": municipality.code, "target": target, "probability": probability,
            "levers": list(levers), "draws": DRAWS, "generations": GENERATIONS,
            "population": POPULATION, "seed": SEED}
    return GoalSearch.objects.create(municipality=municipality, spec=spec,
                                     requested_by=user, total=GENERATIONS)


def reap_dead(now=None) -> int:
    """Searches whose worker died: back in the queue once, then failed (as ``worker.reap_dead``)."""
    from django.db.models import Q
    from django.utils import timezone

    from jeugdstelsel.web.lab import worker as w
    from jeugdstelsel.web.lab.models import GoalSearch

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=w.DEAD_AFTER_SECONDS)
    dead = [s for s in GoalSearch.objects.filter(status=GoalSearch.Status.RUNNING).only(
                "pk", "worker", "heartbeat_at", "started_at", "attempts")
            if (s.heartbeat_at or s.started_at or now) < limit or w._process_gone(s.worker)]
    for s in dead:
        still = Q(pk=s.pk, status=GoalSearch.Status.RUNNING, worker=s.worker)
        if s.attempts < w.MAX_ATTEMPTS:
            GoalSearch.objects.filter(still).update(status=GoalSearch.Status.QUEUED,
                                                    started_at=None, worker="",
                                                    heartbeat_at=None, done=0)
        else:
            GoalSearch.objects.filter(still).update(status=GoalSearch.Status.FAILED,
                                                    error=w.DIED, finished_at=now)
    return len(dead)


def claim(worker: str):
    """Take the oldest queued search, atomically."""
    from django.db.models import F
    from django.utils import timezone

    from jeugdstelsel.web.lab.models import GoalSearch

    queued = GoalSearch.objects.filter(status=GoalSearch.Status.QUEUED)
    for pk in queued.order_by("created_at").values_list("pk", flat=True)[:5]:
        now = timezone.now()
        if GoalSearch.objects.filter(pk=pk, status=GoalSearch.Status.QUEUED).update(
                status=GoalSearch.Status.RUNNING, started_at=now, heartbeat_at=now,
                worker=worker, attempts=F("attempts") + 1, done=0):
            return GoalSearch.objects.get(pk=pk)
    return None


def _candidate(c) -> dict:
    return {"doses": list(c.doses), "starts": list(c.starts), "probability": c.probability,
            "net_cost": c.net_cost, "lever_cost": c.lever_cost}


def summary(found, target, seconds: float, spec: dict) -> dict:
    """The JSON the result page reads (``found``: a ``doelzoeker.Search``)."""
    return {
        "area_name": found.area_name, "target": found.target_key,
        "target_name": found.target_name, "target_year": target.jaar,
        "target_kind": target.soort, "target_value": target.waarde, "target_unit": target.unit,
        "probability": found.probability, "levers": list(found.levers),
        "baseline_probability": found.baseline_probability, "reached": found.reached,
        "best": _candidate(found.best) if found.best else None,
        "front": [_candidate(c) for c in found.front], "evaluated": found.evaluated,
        "draws": found.draws, "seed": found.seed, "generations": spec["generations"],
        "population": spec["population"], "seconds": round(seconds, 1),
        "first_year": _first_year(),
    }


def _first_year() -> int:
    from jeugdstelsel.services.doelzoeker import FIRST_START

    return FIRST_START


def execute(search) -> None:
    """Compute one claimed search and store its summary, or a Dutch reason why not."""
    from django.utils import timezone

    from jeugdstelsel.errors import JeugdstelselError
    from jeugdstelsel.services import doelzoeker
    from jeugdstelsel.web.lab.models import GoalSearch

    spec = search.spec
    rows = GoalSearch.objects.filter(pk=search.pk)

    def progress(done: int, total: int) -> None:
        rows.update(done=min(done, total), total=total, heartbeat_at=timezone.now())

    started = time.perf_counter()
    try:
        found = doelzoeker.search(
            spec["target"], spec["probability"], area=spec["area"], levers=spec["levers"],
            draws=spec["draws"], seed=spec["seed"], generations=spec["generations"],
            population=spec["population"], progress=progress)
        result = summary(found, doelzoeker._target(spec["target"]),
                         time.perf_counter() - started, spec)
    except Exception as exc:  # the user sees a Dutch message; the log keeps the trace
        log.exception("lab worker: goal search %s failed", search.pk)
        text = str(exc) if isinstance(exc, JeugdstelselError) else (
            "De zoektocht is mislukt door een fout in het rekenmodel. De beheerder kan het "
            "logboek bekijken.")
        rows.update(status=GoalSearch.Status.FAILED, error=text, finished_at=timezone.now())
        return
    rows.update(status=GoalSearch.Status.DONE, result=result, finished_at=timezone.now(),
                done=spec["generations"])


def take(worker: str) -> bool:
    """Claim and compute one queued search with heartbeats going; False when none waits."""
    from jeugdstelsel.web.lab import worker as w
    from jeugdstelsel.web.lab.models import GoalSearch

    reap_dead()
    search = claim(worker)
    if search is None:
        return False
    with w.Heartbeat(search.pk, model=GoalSearch):
        execute(search)
    return True


def run_pending(worker: str = "inline") -> int:
    """Compute queued searches in this process until none is left (tests, maintenance)."""
    done = 0
    while (search := claim(worker)) is not None:
        execute(search)
        done += 1
    return done
