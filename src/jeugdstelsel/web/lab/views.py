"""Scenario lab pages: list, form, detail, duplicate, delete, run, result and its status.

A run request only inserts a row in the job table and redirects to the run's page; the worker
process computes it. The page polls a small JSON status (``lab.js``) and reloads when the
result is there; without JavaScript it offers a reload button.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.kompas import models as km
from jeugdstelsel.web.kompas import roles
from jeugdstelsel.web.lab import access, results, worker
from jeugdstelsel.web.lab.forms import CompareForm, ScenarioForm
from jeugdstelsel.web.lab.models import Run, Scenario

BASE_NAME = "Basis (geen hefbomen)"


@login_required
def index(request):
    rows = [(mu, roles.role_in(request.user, mu))
            for mu in roles.visible_municipalities(request.user)]
    if len(rows) == 1:
        return redirect("lab:overview", rows[0][0].code)
    return render(request, "lab/index.html", {"nav": "lab", "rows": rows})


def _levers():
    answer = modelbridge.lever_library()
    return answer.value or [], answer.reason


@login_required
def overview(request, code: str):
    municipality, role = access.municipality_for(request, code)
    scenarios = list(access.visible(municipality, role))
    last_runs = {}
    for run in Run.objects.filter(plan__in=scenarios, status=Run.Status.DONE).defer(
            "result", "details", "spec").order_by("-created_at"):
        last_runs.setdefault(run.plan_id, run)
    return render(request, "lab/overview.html", {
        "nav": "lab", "municipality": municipality, "role": role,
        "rows": [(s, last_runs.get(s.pk)) for s in scenarios],
        "can_create": access.can_create(role),
        "model_reason": "" if modelbridge.available() else modelbridge.NOT_YET,
        "draws": modelbridge.LAB_DRAWS,
    })


def _form_page(request, municipality, role, scenario=None):
    levers, reason = _levers()
    instance = scenario or Scenario(municipality=municipality, owner=request.user)
    form = ScenarioForm(request.POST or None, instance=instance, levers=levers,
                        municipality=municipality)
    if request.method == "POST" and form.is_valid():
        problem = modelbridge.check_levers(form.cleaned_levers, form.cleaned_data["end_year"])
        if problem:
            form.add_error(None, f"Deze combinatie van hefbomen kan niet: {problem}")
        else:
            with transaction.atomic():
                saved = form.save()
            messages.success(request, f"Scenario “{saved.name}” is opgeslagen.")
            return redirect("lab:scenario", municipality.code, saved.pk)
    title = f"Scenario “{scenario.name}” wijzigen" if scenario else "Nieuw scenario"
    return render(request, "lab/scenario_form.html", {
        "nav": "lab", "municipality": municipality, "form": form, "title": title,
        "scenario": scenario, "lever_reason": reason,
    })


@login_required
def create(request, code: str):
    municipality, role = access.municipality_for(request, code)
    if not access.can_create(role):
        raise PermissionDenied
    return _form_page(request, municipality, role)


@login_required
def edit(request, code: str, pk: int):
    municipality, role = access.municipality_for(request, code)
    scenario = access.scenario_for(municipality, role, pk)
    if not access.can_edit(request.user, role, scenario):
        raise PermissionDenied
    return _form_page(request, municipality, role, scenario)


@login_required
def detail(request, code: str, pk: int):
    municipality, role = access.municipality_for(request, code)
    scenario = access.scenario_for(municipality, role, pk)
    levers = {x.key: x for x in (modelbridge.lever_library().value or [])}
    lever_rows = [(levers.get(x["naam"]), x) for x in scenario.levers]
    form = CompareForm(scenarios=access.visible(municipality, role), exclude=scenario)
    runs = scenario.runs.select_related("reference", "requested_by").defer(
        "result", "details")
    if role not in access.WRITERS:  # a run against an unshared scenario would name it
        runs = runs.filter(Q(reference__isnull=True) | Q(reference__shared=True,
                                                          reference__deleted_at__isnull=True))
    runs = runs[:10]
    return render(request, "lab/scenario_detail.html", {
        "nav": "lab", "municipality": municipality, "scenario": scenario, "role": role,
        "lever_rows": lever_rows, "form": form, "runs": runs,
        "can_edit": access.can_edit(request.user, role, scenario),
        "can_run": access.can_run(role) and modelbridge.available(),
        "can_create": access.can_create(role),
        "model_reason": "" if modelbridge.available() else modelbridge.NOT_YET,
        "share_url": request.build_absolute_uri(
            reverse("lab:scenario", args=[municipality.code, scenario.pk])),
        "draws": modelbridge.LAB_DRAWS,
    })


@login_required
@require_POST
def duplicate(request, code: str, pk: int):
    municipality, role = access.municipality_for(request, code)
    scenario = access.scenario_for(municipality, role, pk)
    if not access.can_create(role):
        raise PermissionDenied
    base = f"Kopie van {scenario.name}"[:110]
    name, n = base, 2
    while Scenario.objects.filter(municipality=municipality, name__iexact=name).exists():
        name, n = f"{base} ({n})", n + 1
    copy = Scenario.objects.create(
        municipality=municipality, name=name, description=scenario.description,
        owner=request.user, levers=list(scenario.levers), end_year=scenario.end_year,
        shared=False)
    messages.success(request, f"Kopie “{copy.name}” gemaakt; u bent de eigenaar.")
    return redirect("lab:scenario", municipality.code, copy.pk)


@login_required
def delete(request, code: str, pk: int):
    municipality, role = access.municipality_for(request, code)
    scenario = access.scenario_for(municipality, role, pk)
    if not access.can_edit(request.user, role, scenario):
        raise PermissionDenied
    if request.method == "POST":
        scenario.deleted_at = timezone.now()
        scenario.save(update_fields=["deleted_at"])
        messages.success(request, f"Scenario “{scenario.name}” is verwijderd. Een beheerder "
                         "kan het terugzetten via Beheer.")
        return redirect("lab:overview", municipality.code)
    return render(request, "lab/scenario_delete.html", {
        "nav": "lab", "municipality": municipality, "scenario": scenario})


def goal_keys(municipality) -> list[str]:
    return sorted(set(
        km.Goal.objects.filter(area__municipality=municipality)
        .exclude(model_output_key="").values_list("model_output_key", flat=True)))


def queue_run(municipality, plan: Scenario, reference: Scenario | None, user) -> Run:
    """Insert a run; the worker process picks it up."""
    end = max(plan.end_year, reference.end_year if reference else plan.end_year)
    spec = {
        "area": municipality.code,
        "end_year": end,
        "draws": modelbridge.LAB_DRAWS,
        "seed": modelbridge.LAB_SEED,
        "plan": {"name": plan.name, "levers": plan.levers},
        "reference": ({"name": reference.name, "levers": reference.levers} if reference
                      else {"name": BASE_NAME, "levers": []}),
        "goal_keys": goal_keys(municipality),
    }
    return Run.objects.create(municipality=municipality, plan=plan, reference=reference,
                              spec=spec, requested_by=user)


@login_required
def run_create(request, code: str, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    municipality, role = access.municipality_for(request, code)
    scenario = access.scenario_for(municipality, role, pk)
    if not access.can_run(role):
        raise PermissionDenied
    form = CompareForm(request.POST, scenarios=access.visible(municipality, role),
                       exclude=scenario)
    if not form.is_valid():
        messages.error(request, "Kies een scenario om mee te vergelijken.")
        return redirect("lab:scenario", municipality.code, scenario.pk)
    run = queue_run(municipality, scenario, form.cleaned_data["reference"], request.user)
    return redirect("lab:run", municipality.code, run.pk)


def _position(run: Run) -> int:
    """How many runs are queued before this one."""
    return Run.objects.filter(status=Run.Status.QUEUED, created_at__lt=run.created_at).count()


@login_required
def run_detail(request, code: str, pk):
    municipality, role = access.municipality_for(request, code)
    worker.reap_dead()  # a run whose worker died says so within a minute, not "bezig" forever
    run = access.run_for(municipality, role, pk)
    context = {"nav": "lab", "municipality": municipality, "run": run, "role": role,
               "draws": run.spec.get("draws"), "complete": run.complete}
    if run.status == Run.Status.DONE:
        result = run.result
        details = run.details or {}
        money = result["effectiveness"] + details.get("per_lever", [])
        money_div, money_unit = results.money_scale(money)
        context.update({
            "money_unit": money_unit,
            "result": result,
            "indicators": results.indicator_views(result),
            "term_rows": results.term_rows(result),
            "flow": results.flow_view(result),
            "effectiveness": results.effectiveness_rows(money, money_div),
            "drivers": results.driver_views(run.details),
            "goals": km.Goal.objects.filter(area__municipality=municipality)
                     .exclude(model_output_key=""),
        })
    elif run.status == Run.Status.QUEUED:
        context["position"] = _position(run)
    return render(request, "lab/run.html", context)


@login_required
def run_excel(request, code: str, pk):
    """The comparison as an Excel workbook (``reports.excel``), computed again from the spec."""
    from django.http import HttpResponse

    from jeugdstelsel.web.core.errors import RequestError

    municipality, role = access.municipality_for(request, code)
    run = access.run_for(municipality, role, pk)
    if run.status != Run.Status.DONE:
        raise RequestError("Deze berekening is nog niet klaar; download haar als ze klaar is.")
    ref, plan = worker._scenarios(run.spec)
    answer = modelbridge.workbook(ref, plan, run.result["term_start"], run.result["term_length"])
    if not answer.available:
        raise RequestError(answer.reason)
    name = slugify(f"{run.spec['plan']['name']}-tegen-{run.spec['reference']['name']}") or "run"
    response = HttpResponse(
        answer.value,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def run_status(request, code: str, pk):
    municipality, role = access.municipality_for(request, code)
    worker.reap_dead()
    run = access.run_for(municipality, role, pk, light=True)
    has_details = Run.objects.filter(pk=run.pk, details__isnull=False).exists()
    complete = run.status == Run.Status.FAILED or (
        run.status == Run.Status.DONE and (has_details or bool(run.details_error)))
    return JsonResponse({
        "status": run.status, "status_nl": run.get_status_display(),
        "complete": complete, "details": has_details,
        "position": _position(run) if run.status == Run.Status.QUEUED else 0,
    })
