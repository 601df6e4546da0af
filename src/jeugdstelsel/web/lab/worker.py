"""The scenario worker: a separate process that takes runs from the job table and computes them.

Why a separate process rather than a thread pool inside the web server: a comparison spends
part of its time in Python and NumPy code that holds the interpreter lock (lever paths,
percentiles, pandas); in the waitress process that would stall every other visitor's page for
as long. A process of its own keeps page views independent of runs, can use its own core, and
a crash in a run cannot take the website down. The job table lives in the same database, so
nothing extra (broker, queue server) has to be installed; the worker polls it twice a second.
It runs at nice 10 and with one core fewer than the machine has (``NUMBA_NUM_THREADS``), so a
busy lab slows runs down before it slows pages down.

``jeugdstelsel serve`` starts the worker(s) and restarts one that dies. Runs that were being
computed when a worker died are put back in the queue at start-up (``requeue_interrupted``).
Run it by hand with ``python -m jeugdstelsel.web.lab.worker``.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


def requeue_interrupted() -> int:
    """Runs left 'bezig' by a worker that is gone go back to the queue."""
    from jeugdstelsel.web.lab.models import Run

    return Run.objects.filter(status=Run.Status.RUNNING).update(
        status=Run.Status.QUEUED, started_at=None, worker=""
    )


def claim(worker: str):
    """Take the oldest queued run, atomically (two workers never take the same run)."""
    from django.utils import timezone

    from jeugdstelsel.web.lab.models import Run

    for pk in Run.objects.filter(status=Run.Status.QUEUED).order_by("created_at").values_list(
        "pk", flat=True
    )[:5]:
        taken = Run.objects.filter(pk=pk, status=Run.Status.QUEUED).update(
            status=Run.Status.RUNNING, started_at=timezone.now(), worker=worker
        )
        if taken:
            return Run.objects.select_related("municipality").get(pk=pk)
    return None


def _scenarios(spec: dict):
    from jeugdstelsel.web import modelbridge

    common = (spec["area"], spec["end_year"], spec["draws"], spec["seed"])
    ref = modelbridge.scenario_spec(spec["reference"]["name"], spec["reference"]["levers"],
                                    *common)
    plan = modelbridge.scenario_spec(spec["plan"]["name"], spec["plan"]["levers"], *common)
    return ref, plan


def execute(run) -> None:
    """Compute one run: first the comparison (the page shows it at once), then the details."""
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
    try:
        details = modelbridge.details(ref, plan, result["term_start"], result["term_length"])
        Run.objects.filter(pk=run.pk).update(details=details)
    except Exception:
        log.exception("lab worker: details of run %s failed", run.pk)
        Run.objects.filter(pk=run.pk).update(
            details_error="De gevoeligheidsanalyse kon niet worden berekend."
        )


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


def loop(stop: threading.Event, worker: str, poll: float = POLL_SECONDS) -> None:
    from django.db import close_old_connections

    while not stop.is_set():
        close_old_connections()
        try:
            run = claim(worker)
        except Exception:
            log.exception("lab worker: cannot read the job table")
            run = None
        if run is None:
            stop.wait(poll)
            continue
        execute(run)


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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdstelsel.web.settings")
    import django

    django.setup()
    # Page views first: the scheduler gives the web server the CPU when both want it.
    os.nice(int(os.environ.get("JEUGDSTELSEL_WORKER_NICE", "10")))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    name = f"{os.uname().nodename}:{os.getpid()}"
    started = time.perf_counter()
    warm_up()
    log.info("ready after %.1f s", time.perf_counter() - started)
    loop(stop, name)


if __name__ == "__main__":
    main()
