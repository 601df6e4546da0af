"""Download a finished lab run as the council report (PDF/UA), the same report as the CLI's.

The run stores summaries, not the draws, so the comparison is computed again from its frozen
spec (same seed and draws: the very same numbers, as for the Excel download) and rendered from
the shared templates by :mod:`jeugdstelsel.reports.council_pdf`. Who may see the run may
download it: :func:`access.run_for` answers 404 for a run the user may not see, and
:func:`access.municipality_for` 403 outside the user's municipalities.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.text import slugify

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.core.errors import RequestError
from jeugdstelsel.web.lab import access, worker
from jeugdstelsel.web.lab.models import Run

log = logging.getLogger(__name__)
FAILED = ("Het raadsrapport kon niet worden gemaakt; probeer het later opnieuw of vraag de "
          "beheerder.")


def report_pdf(reference, plan, term_start: int, term_length: int) -> bytes:
    """The council report of 'reference vs plan' as PDF bytes."""
    from jeugdstelsel.reports.council_pdf import pdf_bytes
    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.council_report import context
    from jeugdstelsel.services.effectiveness import cost_effectiveness

    comp = compare_scenarios([("referentie", reference), ("plan", plan)], per_lever=True)
    ctx = context(comp, term_start, term=comp.term(term_start, term_length),
                  effectiveness=cost_effectiveness(comp, term_start, term_length))
    return pdf_bytes(ctx)


@login_required
def run_report(request, code: str, pk):
    """The run as the council report (PDF), computed again from the run's spec."""
    municipality, role = access.municipality_for(request, code)
    run = access.run_for(municipality, role, pk)
    if run.status != Run.Status.DONE:
        raise RequestError("Deze berekening is nog niet klaar; download het rapport als ze "
                           "klaar is.")
    if not modelbridge.available():
        raise RequestError(modelbridge.NOT_YET)
    ref, plan = worker._scenarios(run.spec)
    try:
        body = report_pdf(ref, plan, run.result["term_start"], run.result["term_length"])
    except Exception as exc:
        log.exception("lab: council report failed")
        raise RequestError(FAILED) from exc
    name = slugify(f"raadsrapport-{run.spec['plan']['name']}-tegen-"
                   f"{run.spec['reference']['name']}") or "raadsrapport"
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
