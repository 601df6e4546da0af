"""The scenario worker: a separate process that takes runs from the job table and computes them.

Why a separate process rather than a thread pool inside the web server: a comparison spends
part of its time in Python and NumPy code that holds the interpreter lock (lever paths,
percentiles, pandas); in the waitress process that would stall every other visitor's page for
as long. A process of its own keeps page views independent of runs, can use its own core, and
a crash in a run cannot take the website down. The job table lives in the same database, so
nothing extra (broker, queue server) has to be installed; the worker polls it ten times a
second.
It runs at nice 10 and with one core fewer than the machine has (``NUMBA_NUM_THREADS``), so a
busy lab slows runs down before it slows pages down.

``jeugdstelsel serve`` starts the worker(s) and restarts one that dies. While a worker computes
a run it sets the run's ``heartbeat_at`` every few seconds; a run whose heartbeat is older than
``DEAD_AFTER_SECONDS`` (or whose worker process on this machine is gone) lost its worker and is
put back in the queue once, or marked failed with a Dutch reason the second time
(``reap_dead``, called by every worker's poll and by the run's status page and API). Runs left
'bezig' at start-up go back in the queue (``requeue_interrupted``).
Run it by hand with ``python -m jeugdstelsel.web.lab.worker``.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)
POLL_SECONDS = 0.1  # a query on an indexed column: cheap, and a run starts at once
HEARTBEAT_SECONDS = 5.0
DEAD_AFTER_SECONDS = 30.0
MAX_ATTEMPTS = 2
DIED = ("De berekening is afgebroken doordat het rekenproces stopte, ook bij een tweede poging. "
        "Vraag haar opnieuw aan; blijft het misgaan, meld het dan aan de beheerder.")


def worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """True when ``worker`` names a process on this machine that no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != os.uname().nodename or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap_dead(now=None) -> int:
    """Runs whose worker died: back in the queue once, then failed. Returns how many."""
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    from jeugdstelsel.web.lab.models import Run

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=DEAD_AFTER_SECONDS)
    running = Run.objects.filter(status=Run.Status.RUNNING).only(
        "pk", "worker", "heartbeat_at", "started_at", "attempts")
    dead = [
        run for run in running
        if (run.heartbeat_at or run.started_at or now) < limit or _process_gone(run.worker)
    ]
    for run in dead:
        still = Q(pk=run.pk, status=Run.Status.RUNNING, worker=run.worker)
        if run.attempts < MAX_ATTEMPTS:
            Run.objects.filter(still).update(status=Run.Status.QUEUED, started_at=None,
                                             worker="", heartbeat_at=None)
            log.warning("lab: run %s lost its worker %s; queued again", run.pk, run.worker)
        else:
            Run.objects.filter(still).update(status=Run.Status.FAILED, error=DIED,
                                             finished_at=now)
            log.error("lab: run %s lost its worker %s twice; failed", run.pk, run.worker)
    return len(dead)


class Heartbeat:
    """Sets the run's ``heartbeat_at`` every few seconds while the block runs."""

    def __init__(self, pk, every: float = HEARTBEAT_SECONDS, model=None):
        self.pk, self.every, self.stop = pk, every, threading.Event()
        self.model = model  # default: Run; GoalSearch for a goal search

    def _beat(self) -> None:
        from django.db import connection
        from django.utils import timezone

        from jeugdstelsel.web.lab.models import Run

        model = self.model or Run
        try:
            while not self.stop.wait(self.every):
                try:
                    model.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database: the next beat tries again
                    log.exception("lab worker: heartbeat of %s failed", self.pk)
        finally:
            connection.close()

    def __enter__(self):
        self.thread = threading.Thread(target=self._beat, daemon=True, name="heartbeat")
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join(timeout=self.every + 5)


def requeue_interrupted() -> int:
    """Runs left 'bezig' by a worker that is gone go back to the queue."""
    from jeugdstelsel.web.lab.models import Run

    return Run.objects.filter(status=Run.Status.RUNNING).update(
        status=Run.Status.QUEUED, started_at=None, worker="", heartbeat_at=None
    )


def claim(worker: str):
    """Take the oldest queued run, atomically (two workers never take the same run)."""
    from django.db.models import F
    from django.utils import timezone

    from jeugdstelsel.web.lab.models import Run

    for pk in Run.objects.filter(status=Run.Status.QUEUED).order_by("created_at").values_list(
        "pk", flat=True
    )[:5]:
        now = timezone.now()
        taken = Run.objects.filter(pk=pk, status=Run.Status.QUEUED).update(
            status=Run.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker,
            attempts=F("attempts") + 1,
        )
        if taken:
            return Run.objects.select_related("municipality").get(pk=pk)
    return None


#: At most this many queued runs with the same reference are compared in one engine call
#: (ten advisors asking at once fit in one: 0.7 s for nine plans on 400 draws, Tiel).
BATCH = 12


def _batch_key(spec: dict) -> tuple:
    import json

    return (spec.get("area"), spec.get("end_year"), spec.get("draws"), spec.get("seed"),
            json.dumps(spec.get("reference"), sort_keys=True))


def claim_companions(worker: str, first, limit: int = BATCH - 1) -> list:
    """More queued runs that share ``first``'s reference, claimed atomically like ``claim``."""
    from django.db.models import F
    from django.utils import timezone

    from jeugdstelsel.web.lab.models import Run

    key = _batch_key(first.spec)
    taken = []
    for pk, spec in Run.objects.filter(status=Run.Status.QUEUED).order_by(
            "created_at").values_list("pk", "spec")[:50]:
        if len(taken) >= limit:
            break
        if not isinstance(spec, dict) or _batch_key(spec) != key:
            continue
        now = timezone.now()
        if Run.objects.filter(pk=pk, status=Run.Status.QUEUED).update(
                status=Run.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker,
                attempts=F("attempts") + 1):
            taken.append(Run.objects.select_related("municipality").get(pk=pk))
    return taken


def execute_batch(runs: list, details: bool = True) -> None:
    """Several runs with one reference in one engine call (``modelbridge.compare_many``).

    Any trouble (a spec that does not parse, a model error) falls back to one run at a time,
    so each run gets its own result or its own Dutch error.
    """
    from django.utils import timezone

    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.lab.models import Run

    if len(runs) == 1:
        execute(runs[0], details=details)
        return
    try:
        pairs = [_scenarios(r.spec) for r in runs]
        results = modelbridge.compare_many(
            pairs[0][0], [(plan, tuple(r.spec.get("goal_keys", ())))
                          for r, (_, plan) in zip(runs, pairs, strict=True)])
    except Exception:
        log.info("lab worker: batch of %d runs failed, computing them one by one", len(runs))
        for run in runs:
            execute(run, details=details)
        return
    for run, result in zip(runs, results, strict=True):
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.DONE, result=result, finished_at=timezone.now())
    if details:
        for run, (ref, plan), result in zip(runs, pairs, results, strict=True):
            compute_details(run, ref, plan, result)


def _scenarios(spec: dict):
    from jeugdstelsel.web import modelbridge

    common = (spec["area"], spec["end_year"], spec["draws"], spec["seed"])
    ref = modelbridge.scenario_spec(spec["reference"]["name"], spec["reference"]["levers"],
                                    *common)
    plan = modelbridge.scenario_spec(spec["plan"]["name"], spec["plan"]["levers"], *common)
    return ref, plan


def pending_details(worker: str):
    """A finished run of this worker (or of one that is gone) still without its details."""
    from jeugdstelsel.web.lab.models import Run

    runs = (Run.objects.filter(status=Run.Status.DONE, details__isnull=True, details_error="")
            .only("pk", "spec", "worker").order_by("finished_at"))
    for run in runs[:20]:
        if run.worker == worker or _process_gone(run.worker):
            return run
    return None


def execute(run, details: bool = True) -> None:
    """Compute one run: first the comparison (the page shows it at once), then the details.

    ``details=False`` (the worker loop): the details are left to the worker's helper process
    (``details_loop``). Why: they take two to three times as long as the comparison, and the
    next user in the queue should not wait for them (issue 17: round trip p95 within 3 s).
    """
    from django.utils import timezone

    from jeugdstelsel.errors import JeugdstelselError
    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.lab.models import Run

    try:
        ref, plan = _scenarios(run.spec)
        result = modelbridge.compare(ref, plan, tuple(run.spec.get("goal_keys", ())))
    except Exception as exc:  # the user sees a Dutch message; the log keeps the trace
        log.exception("lab worker: run %s failed", run.pk)
        text = str(exc) if isinstance(exc, JeugdstelselError) else (
            "De berekening is mislukt door een fout in het rekenmodel. De beheerder kan het "
            "logboek bekijken.")
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.FAILED, error=text, finished_at=timezone.now()
        )
        return
    Run.objects.filter(pk=run.pk).update(
        status=Run.Status.DONE, result=result, finished_at=timezone.now()
    )
    if details:
        compute_details(run, ref, plan, result)


def compute_details(run, ref=None, plan=None, result=None) -> None:
    """The second stage of a run: per-lever cost-effectiveness and the tornado."""
    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.lab.models import Run

    try:
        if ref is None:
            ref, plan = _scenarios(run.spec)
            result = Run.objects.values_list("result", flat=True).get(pk=run.pk)
        details = modelbridge.details(ref, plan, result["term_start"], result["term_length"])
        Run.objects.filter(pk=run.pk).update(details=details)
    except Exception:
        log.exception("lab worker: details of run %s failed", run.pk)
        Run.objects.filter(pk=run.pk).update(
            details_error="De gevoeligheidsanalyse kon niet worden berekend."
        )


def compute(run, details: bool = True, companions: list | None = None) -> None:
    """``execute`` (or ``execute_batch`` with ``companions``) with the heartbeats going."""
    from contextlib import ExitStack

    runs = [run, *(companions or [])]
    with ExitStack() as stack:
        for r in runs:
            stack.enter_context(Heartbeat(r.pk))
        execute_batch(runs, details=details)


def run_pending(worker: str = "inline", limit: int | None = None) -> int:
    """Compute queued runs in this process until none is left (tests, maintenance)."""
    done = 0
    while limit is None or done < limit:
        run = claim(worker)
        if run is None:
            break
        execute(run)
        done += 1
    return done


def loop(stop: threading.Event, worker: str, poll: float = POLL_SECONDS,
         details: bool = True) -> None:
    """Take and compute runs until ``stop``; ``details=False`` when a helper does the details."""
    from django.db import close_old_connections

    while not stop.is_set():
        close_old_connections()
        try:
            reap_dead()
            run = claim(worker)
        except Exception:
            log.exception("lab worker: cannot read the job table")
            run = None
        if run is None:
            if not _goal_search(worker):  # goal searches when no scenario run waits
                stop.wait(poll)
            continue
        try:
            companions = claim_companions(worker, run)
        except Exception:
            log.exception("lab worker: cannot read the job table")
            companions = []
        compute(run, details=details, companions=companions)


def _goal_search(worker: str) -> bool:
    from jeugdstelsel.web.lab import goalseek

    try:
        return goalseek.take(worker)
    except Exception:
        log.exception("lab worker: cannot read the goal searches")
        return False


def details_loop(stop: threading.Event, worker: str, poll: float = POLL_SECONDS) -> None:
    """The second stage of the runs that ``worker`` compared, one after another."""
    from django.db import close_old_connections

    while not stop.is_set():
        close_old_connections()
        try:
            run = pending_details(worker)
        except Exception:
            log.exception("lab worker: cannot read the job table")
            run = None
        if run is None or _yield_to_comparisons(run):
            stop.wait(poll)
            continue
        compute_details(run)


#: Details wait for queued comparisons, but never longer than this after their comparison.
DETAILS_YIELD_SECONDS = 10.0


def _yield_to_comparisons(run) -> bool:
    """Should these details wait because comparisons are queued or being computed (they would
    take the core those need)? A comparison is what a user is looking at a spinner for; details
    arrive below a result already shown. Capped, so a busy lab still gets its details."""
    import datetime as dt

    from django.utils import timezone

    from jeugdstelsel.web.lab.models import Run

    finished = Run.objects.filter(pk=run.pk).values_list("finished_at", flat=True).first()
    if finished and timezone.now() - finished > dt.timedelta(seconds=DETAILS_YIELD_SECONDS):
        return False
    return Run.objects.filter(status__in=(Run.Status.QUEUED, Run.Status.RUNNING)).exists()


def _start_process(nice_variable: str, nice: int, label: str) -> threading.Event:
    """Set up Django, priority, logging and the stop signals of a worker process; the event
    is set on SIGTERM or SIGINT."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdstelsel.web.settings")
    import django

    django.setup()
    os.nice(int(os.environ.get(nice_variable, str(nice))))
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {label} %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


def details_main(worker: str) -> None:
    """The helper process of one worker: details only, at a lower priority than comparisons."""
    stop = _start_process("JEUGDSTELSEL_DETAILS_NICE", 5, "details")
    parent = os.getppid()

    def watch() -> None:  # the helper ends with its worker
        while not stop.wait(2.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch, daemon=True).start()
    warm_up()
    details_loop(stop, worker)


def warm_up() -> None:
    """Compile and load the model once, so the first user's run is as fast as the rest."""
    from jeugdstelsel.web import modelbridge

    if not modelbridge.available():
        return
    try:
        ref = modelbridge.scenario_spec("opwarmen", [], "Nederland", 2029, 2, 0)
        modelbridge.compare(ref, ref)
    except Exception:
        log.exception("lab worker: warm-up failed")


def main() -> None:
    # Page views first: the scheduler gives the web server the CPU when both want it.
    stop = _start_process("JEUGDSTELSEL_WORKER_NICE", 10, "worker")
    name = worker_name()
    import multiprocessing

    helper = multiprocessing.get_context("spawn").Process(
        target=details_main, args=(name,), name="jeugdstelsel-details", daemon=True)
    helper.start()
    started = time.perf_counter()
    warm_up()
    log.info("ready after %.1f s", time.perf_counter() - started)
    try:
        loop(stop, name, details=False)
    finally:
        helper.terminate()
        helper.join(timeout=10)


if __name__ == "__main__":
    main()
