"""The workspace pages: the municipality list, the six-step overview, a goal with its chart,
the history and (for administrators) the list of deleted items."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from jeugdstelsel.web import charts
from jeugdstelsel.web.core.errors import RequestError
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas import roles
from jeugdstelsel.web.kompas.registry import BY_MODEL_NAME, KINDS
from jeugdstelsel.web.kompas.views.access import item_for, kind_for, municipality_for


@login_required
def index(request):
    municipalities = roles.visible_municipalities(request.user)
    rows = [(mu, roles.role_in(request.user, mu)) for mu in municipalities]
    return render(request, "kompas/index.html", {"nav": "kompas", "rows": rows})


def _area_filter(request, municipality):
    areas = list(municipality.areas.all())
    chosen = request.GET.get("gebied")
    area = next((a for a in areas if str(a.pk) == chosen), None)
    return areas, area


@login_required
def overview(request, code: str):
    municipality = municipality_for(request, code)
    areas, area = _area_filter(request, municipality)
    steps = []
    may_change = roles.change_checker(request.user, municipality)
    related = {"activiteiten": ("organisation",), "metingen": ("goal",)}
    for kind in KINDS:
        qs = kind.model.objects.filter(area__municipality=municipality).select_related(
            "area", *related.get(kind.slug, ())
        )
        if area is not None:
            qs = qs.filter(area=area)
        items = list(qs)
        steps.append(
            {
                "kind": kind,
                "items": [(item, may_change(item)) for item in items],
                "can_add": roles.can_add(request.user, municipality, kind.model),
            }
        )
    return render(
        request,
        "kompas/overview.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "areas": areas,
            "area": area,
            "steps": steps,
            "role": roles.role_in(request.user, municipality),
            "can_transfer": roles.can_transfer(request.user, municipality),
            "can_restore": roles.can_restore(request.user, municipality),
            "can_see_history": roles.can_see_history(request.user, municipality),
        },
    )


def year(d) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def goal_chart(goal: m.Goal, measurements: list[m.Measurement]) -> charts.LineChart:
    """Measurements over time against the baseline and the target line."""

    points = [charts.Point(year(goal.baseline_date), goal.baseline_value)]
    points += [
        charts.Point(year(x.date), x.value)
        for x in measurements
        if x.kind == m.Measurement.Kind.INDICATOR
    ]
    unit = goal.unit or "waarde"
    # Only the goal's own indicator shares this axis: a satisfaction score or a reach count has
    # another unit (issue 17: a 7.4 was drawn on a waiting-time axis in weeks); see other_charts.
    series = [charts.Series("Gemeten (incl. nulmeting)", tuple(points))]
    planned = charts.Series(
        "Beoogd verloop (nulmeting naar streefwaarde)",
        (
            charts.Point(year(goal.baseline_date), goal.baseline_value),
            charts.Point(year(goal.deadline), goal.target_value),
        ),
    )
    series.insert(1, planned)
    return charts.LineChart(
        title=f"{goal.title}: metingen tegen het doel",
        unit=unit,
        series=series,
        hlines=[(goal.target_value, f"Doel: {charts.nl_number(goal.target_value)} {unit}")],
        zero_based=False,
    )


def _goal_runs(request, municipality):
    """Finished lab runs this user may see, newest first, one per (plan, reference)."""
    from jeugdstelsel.web.lab import access as lab_access
    from jeugdstelsel.web.lab.models import Run

    role = roles.role_in(request.user, municipality)
    runs, seen = [], set()
    qs = Run.objects.filter(
        municipality=municipality, status=Run.Status.DONE, plan__deleted_at__isnull=True
    ).select_related("plan", "reference").defer("result", "details")
    for run in qs.order_by("-created_at")[:200]:
        pair = (run.plan_id, run.reference_id)
        if pair in seen:
            continue
        if role not in lab_access.WRITERS and not (
            run.plan.shared and (run.reference is None or run.reference.shared)
        ):
            continue
        seen.add(pair)
        runs.append(run)
    return runs


def goal_outlook(request, municipality, goal: m.Goal, chart: charts.LineChart) -> dict:
    """The goal against a scenario: chance of reaching the target, with the band on the chart."""
    from jeugdstelsel.web import modelbridge

    if not goal.model_output_key:
        return {}
    runs = _goal_runs(request, municipality)
    chosen = next((r for r in runs if str(r.pk) == request.GET.get("berekening", "")), None)
    chosen = chosen or (runs[0] if runs else None)
    context = {"runs": runs, "run": chosen}
    if chosen is None:
        return context
    result = type(chosen).objects.values_list("result", flat=True).get(pk=chosen.pk)
    answer = modelbridge.goal_outlook(
        result,
        goal.model_output_key,
        goal.baseline_value,
        goal.baseline_date.year,
        goal.deadline.year,
        goal.target_value,
        goal.direction == m.Goal.Direction.DOWN,
    )
    context["reason"] = answer.reason
    if not answer.available:
        return context
    context["outlook"] = answer.value
    ref, plan = answer.value
    # first point at the baseline date, last at the deadline, years between at mid-year
    xs = [y + 0.5 for y in ref.years]
    xs[0], xs[-1] = max(year(goal.baseline_date), ref.years[0]), year(goal.deadline)
    # colours unlike the measured (blue) and planned (orange) lines; patterns tell them apart
    for item, colour in ((ref, "#4a4a4a"), (plan, "#7a3c8c")):
        chart.bands.append(
            charts.Band(
                f"{item.name}: 80%-interval van het model", tuple(xs), item.band_lower,
                item.band_upper, colour,
            )
        )
    context["rows"] = list(
        zip(ref.years, ref.band_lower, ref.band_median, ref.band_upper, plan.band_lower,
            plan.band_median, plan.band_upper, strict=True)
    )
    return context


def other_charts(goal: m.Goal, measurements: list[m.Measurement]) -> list[dict]:
    """One chart per other kind of measurement (reach, drop-out, ...), each on its own axis."""
    out = []
    for kind_value, kind_label in m.Measurement.Kind.choices:
        if kind_value == m.Measurement.Kind.INDICATOR:
            continue
        pts = tuple(charts.Point(year(x.date), x.value) for x in measurements
                    if x.kind == kind_value)
        if not pts:
            continue
        chart = charts.LineChart(
            title=f"{goal.title}: {str(kind_label).lower()}",
            unit=f"{kind_label}, zoals gemeten",
            series=[charts.Series(str(kind_label), pts)],
            zero_based=False,
        )
        out.append({"label": str(kind_label), "svg": charts.render(chart, f"grafiek-{kind_value}"),
                    "legend": charts.legend(chart)})
    return out


@login_required
def goal_detail(request, code: str, pk: int):
    municipality = municipality_for(request, code)
    goal = item_for(kind_for("doelen"), municipality, pk)
    measurements = list(
        goal.measurements.filter(deleted_at__isnull=True)
        .select_related("organisation")
        .order_by("date")
    )
    may_change = roles.change_checker(request.user, municipality)
    chart = goal_chart(goal, measurements)
    outlook = goal_outlook(request, municipality, goal, chart)
    return render(
        request,
        "kompas/goal_detail.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "goal": goal,
            "measurements": [(x, may_change(x)) for x in measurements],
            "svg": charts.render(chart, "grafiek-doel"),
            "other_charts": other_charts(goal, measurements),
            "scenario": outlook,
            "legend": charts.legend(chart),
            "can_edit": may_change(goal),
            "can_measure": roles.can_add(request.user, municipality, m.Measurement),
            "activities": goal.activity_set.filter(deleted_at__isnull=True).select_related(
                "organisation"
            ),
            "actions": goal.improvementaction_set.filter(deleted_at__isnull=True),
        },
    )


@login_required
def history(request, code: str):
    municipality = municipality_for(request, code)
    if not roles.can_see_history(request.user, municipality):
        raise PermissionDenied
    entries = municipality.audit_entries.all()
    if uid := request.GET.get("onderdeel"):
        try:
            entries = entries.filter(item_uid=uuid.UUID(uid))
        except ValueError:
            raise RequestError(
                "Dit onderdeel bestaat niet: de link naar de geschiedenis is onvolledig of "
                "aangepast. Open de geschiedenis opnieuw vanuit het Kwaliteitskompas."
            ) from None
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    from jeugdstelsel.web.kompas import history as item_history

    changes = item_history.readable_changes(page.object_list)
    return render(
        request,
        "kompas/history.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "page": page,
            "rows": [(e, changes.get(e.pk, [])) for e in page.object_list],
            "kinds": BY_MODEL_NAME,
        },
    )


@login_required
def trash(request, code: str):
    municipality = municipality_for(request, code)
    if not roles.can_restore(request.user, municipality):
        raise PermissionDenied
    groups = []
    for kind in KINDS:
        items = kind.model.all_objects.filter(
            area__municipality=municipality, deleted_at__isnull=False
        ).select_related("deleted_by")
        groups.append((kind, list(items)))
    return render(
        request,
        "kompas/trash.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "groups": groups,
            "any_deleted": any(items for _, items in groups),
        },
    )
