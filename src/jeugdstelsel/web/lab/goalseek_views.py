"""The Doelzoeker pages: ask for a goal search, follow it, read its result, save the package.

Policy advisors and administrators of the municipality start a search; council members read the
results. Starting only inserts a row (``lab.goalseek.queue``); the worker process computes it
through ``services.doelzoeker`` and the page polls a small JSON status (``doelzoeker.js``).
"""

from __future__ import annotations

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jeugdstelsel.web import charts, modelbridge
from jeugdstelsel.web.core.numbers import DutchNumberField, NumberInput
from jeugdstelsel.web.kompas.models import Role
from jeugdstelsel.web.lab import access, goalseek, results
from jeugdstelsel.web.lab.models import MAX_END, MIN_END, GoalSearch, Scenario

READERS = (*access.WRITERS, Role.COUNCIL)
Z80 = 1.2816  # two-sided 80% normal quantile


def _targets():
    from jeugdstelsel.services.routekaart import targets

    return [t for t in targets() if t.soort in goalseek.SEARCHABLE]


def _default_levers(keys: set[str]) -> list[str]:
    """The service's default levers that can be combined (some push one parameter both ways)."""
    from jeugdstelsel.services.doelzoeker import DEFAULT_LEVERS

    chosen: list[str] = []
    for key in DEFAULT_LEVERS:
        if key in keys and not _conflict([*chosen, key]):
            chosen.append(key)
    return chosen


def _conflict(keys: list[str]) -> str:
    from jeugdstelsel.services.doelzoeker import FIRST_START

    levers = {x.key: x for x in modelbridge.lever_library().value or []}
    uses = [{"naam": k, "dosis": levers[k].maximum, "start": FIRST_START} for k in keys]
    return modelbridge.check_levers(uses, MAX_END)


class SearchForm(forms.Form):
    target = forms.ChoiceField(label="Doel uit de Routekaart")
    kans = forms.ChoiceField(label="Gevraagde kans om het doel te halen", initial="0.5",
                             widget=forms.RadioSelect,
                             choices=[("0.5", "50%"), ("0.8", "80%"),
                                      ("anders", "Een andere kans")])
    kans_anders = DutchNumberField(label="Andere kans (procent)", required=False,
                                   help_text="Tussen 1 en 99, alleen bij ‘Een andere kans’.")
    levers = forms.MultipleChoiceField(label="Hefbomen die de zoektocht mag gebruiken",
                                       widget=forms.CheckboxSelectMultiple)

    MAX_LEVERS = 6

    def __init__(self, *args, levers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kans_anders"].widget = NumberInput(attrs={"size": 6})
        self.fields["target"].choices = [(t.sleutel, f"{t.naam} (in {t.jaar})")
                                         for t in _targets()]
        self.fields["levers"].choices = [(x.key, f"{x.name} ({_nl(x.minimum)} tot "
                                                 f"{_nl(x.maximum)} {x.unit})") for x in levers]
        self.fields["levers"].help_text = (
            f"Ten hoogste {self.MAX_LEVERS}. De zoektocht kiest per hefboom een dosis binnen het "
            "toegestane bereik (ook nul: niet gebruiken) en een startjaar.")
        self.initial.setdefault("levers", _default_levers({x.key for x in levers}))

    def clean(self):
        data = super().clean()
        if data.get("kans") == "anders":
            value = data.get("kans_anders")
            if value is None or not 1 <= value <= 99:
                self.add_error("kans_anders", "Vul een kans tussen 1 en 99 procent in.")
            else:
                data["probability"] = round(value / 100, 4)
        elif data.get("kans"):
            data["probability"] = float(data["kans"])
        chosen = data.get("levers") or []
        if len(chosen) > self.MAX_LEVERS:
            self.add_error("levers", f"Kies ten hoogste {self.MAX_LEVERS} hefbomen; elke "
                                     "hefboom maakt de zoektocht langer.")
        elif chosen and (problem := _conflict(chosen)):
            self.add_error("levers", f"Deze hefbomen kunnen niet samen: {problem}")
        return data


def _nl(value: float) -> str:
    return charts.nl_number(float(value), None if float(value).is_integer() else 2)


def _reader(request, code: str):
    municipality, role = access.municipality_for(request, code)
    if role not in READERS:
        raise PermissionDenied
    return municipality, role


def _search_for(municipality, pk, *, light: bool = False) -> GoalSearch:
    qs = GoalSearch.objects.filter(pk=pk, municipality=municipality)
    found = (qs.defer("result") if light else qs).first()
    if found is None:
        raise Http404
    return found


@login_required
def index(request, code: str):
    municipality, role = _reader(request, code)
    can_start = access.can_run(role) and modelbridge.available()
    form = None
    if can_start:
        levers = modelbridge.lever_library().value or []
        form = SearchForm(request.POST or None, levers=levers)
        if request.method == "POST" and form.is_valid():
            search = goalseek.queue(municipality, request.user, form.cleaned_data["target"],
                                    form.cleaned_data["probability"],
                                    form.cleaned_data["levers"])
            return redirect("lab:goalseek_detail", municipality.code, search.pk)
    elif request.method == "POST":
        raise PermissionDenied
    names = {t.sleutel: t.naam for t in _targets()} if modelbridge.available() else {}
    searches = [(s, names.get(s.spec.get("target"), s.spec.get("target")))
                for s in GoalSearch.objects.filter(municipality=municipality)
                .defer("result")[:20]]
    return render(request, "lab/doelzoeker.html", {
        "nav": "lab", "municipality": municipality, "role": role, "form": form,
        "can_start": can_start, "searches": searches,
        "model_reason": "" if modelbridge.available() else modelbridge.NOT_YET,
        "draws": goalseek.DRAWS, "generations": goalseek.GENERATIONS,
        "population": goalseek.POPULATION,
    })


def wilson(p: float, n: int, z: float = Z80) -> tuple[float, float]:
    """The interval of a probability estimated from ``n`` draws (Wilson score)."""
    if n <= 0:
        return 0.0, 1.0
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _package_rows(result: dict, cand: dict, levers: dict) -> list[dict]:
    rows = []
    for key, dose, start in zip(result["levers"], cand["doses"], cand["starts"], strict=True):
        if dose > 0:
            lever = levers.get(key)
            rows.append({"name": lever.name if lever else key, "dose": dose,
                         "unit": lever.unit if lever else "", "start": start})
    return rows


def _view(result: dict) -> dict:
    """What the result page shows: package rows, amounts per year, probability bands, chart."""
    levers = {x.key: x for x in modelbridge.lever_library().value or []}
    years = result["target_year"] - result["first_year"] + 1
    cands = [*result["front"], *([result["best"]] if result["best"] else [])]
    div, unit = results._scale(results.EURO, [c["net_cost"] / years for c in cands]
                               + [c["lever_cost"] / years for c in cands])

    def one(c: dict) -> dict:
        lo, hi = wilson(c["probability"], result["draws"])
        return {"pct": 100 * c["probability"], "lo": 100 * lo, "hi": 100 * hi,
                "net": c["net_cost"] / years / div, "own": c["lever_cost"] / years / div,
                "net_total": c["net_cost"] / div, "package": _package_rows(result, c, levers)}

    front = [one(c) for c in result["front"]]
    chart = charts.LineChart(
        title="Afweging: netto extra uitgaven per jaar tegen de kans om het doel te halen",
        unit=f"procent kans, tegen {unit} per jaar",
        series=[charts.Series("Pakketten op de afweging",
                              tuple(charts.Point(r["net"], r["pct"]) for r in front))],
        hlines=[(100 * result["probability"], "gevraagde kans")], x_is_year=False)
    return {"unit": unit, "years": years, "front": front,
            "best": one(result["best"]) if result["best"] else None,
            "top": max(front, key=lambda r: r["pct"]) if front else None,
            "svg": charts.render(chart, "grafiek-afweging"), "legend": charts.legend(chart),
            "baseline_pct": 100 * result["baseline_probability"]}


@login_required
def detail(request, code: str, pk):
    municipality, role = _reader(request, code)
    goalseek.reap_dead()
    search = _search_for(municipality, pk)
    context = {"nav": "lab", "municipality": municipality, "role": role, "search": search,
               "spec": search.spec, "can_save": access.can_create(role)}
    if search.status == GoalSearch.Status.DONE:
        context["result"] = search.result
        context["view"] = _view(search.result)
    elif search.status == GoalSearch.Status.QUEUED:
        context["position"] = GoalSearch.objects.filter(
            status=GoalSearch.Status.QUEUED, created_at__lt=search.created_at).count()
    return render(request, "lab/doelzoeker_result.html", context)


@login_required
def status(request, code: str, pk):
    municipality, _role = _reader(request, code)
    goalseek.reap_dead()
    search = _search_for(municipality, pk, light=True)
    return JsonResponse({"status": search.status, "status_nl": search.get_status_display(),
                         "done": search.done, "total": search.total,
                         "complete": search.finished})


@login_required
@require_POST
def save(request, code: str, pk):
    """The cheapest package as a scenario of the lab (the searcher's own, not shared)."""
    municipality, role = _reader(request, code)
    if not access.can_create(role):
        raise PermissionDenied
    search = _search_for(municipality, pk)
    result = search.result or {}
    if search.status != GoalSearch.Status.DONE or not result.get("best"):
        messages.error(request, "Er is geen pakket om op te slaan.")
        return redirect("lab:goalseek_detail", municipality.code, search.pk)
    best = result["best"]
    uses = [{"naam": k, "dosis": round(d, 3), "start": s}
            for k, d, s in zip(result["levers"], best["doses"], best["starts"], strict=True)
            if d > 0]
    base = f"Doelzoeker: {result['target_name']}"[:110]
    name, n = base, 2
    while Scenario.objects.filter(municipality=municipality, name__iexact=name).exists():
        name, n = f"{base} ({n})", n + 1
    scenario = Scenario.objects.create(
        municipality=municipality, name=name, owner=request.user, levers=uses,
        end_year=min(MAX_END, max(MIN_END, result["target_year"])),
        description=(f"Goedkoopste pakket van de doelzoeker voor “{result['target_name']}” "
                     f"met kans {round(100 * result['probability'])}%."))
    search.saved_as = scenario
    search.save(update_fields=["saved_as"])
    messages.success(request, f"Scenario “{scenario.name}” is opgeslagen; u bent de eigenaar.")
    return redirect("lab:scenario", municipality.code, scenario.pk)
