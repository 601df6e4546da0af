"""Dashboard "Staat van het jeugdstelsel": public, built from open national figures.

The national part depends only on the embedded figures and the model's band, so it is built
once per process (and again when the model answer changes, ``modelbridge.cache_key``): the page
is the most visited one and must answer fast under load. Municipal panels come from the store
and are built per request.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jeugdstelsel.web import charts, modelbridge, storebridge
from jeugdstelsel.web.dashboard import figures

_national: dict[tuple, dict] = {}
_lock = threading.Lock()


def national_context() -> dict:
    key = modelbridge.cache_key()
    with _lock:
        if key in _national:
            return _national[key]
    panels = [figures.panel_data(p) for p in figures.PANELS]
    for i, data in enumerate(panels):
        data.svg = charts.render(data.chart, f"grafiek-{data.panel.slug}")
        data.legend = charts.legend(data.chart)
        data.index = i
    referrers, referrer_total, referrer_status = figures.referrers()
    biggest = max((r.started for r in referrers), default=1)
    context = {
        "panels": panels,
        "referrers": [
            (r, 100 * (r.started - (r.repeat or 0)) / biggest, 100 * (r.repeat or 0) / biggest)
            for r in referrers
        ],
        "referrer_total": referrer_total,
        "referrer_status": referrer_status,
        "spending": figures.spending(),
    }
    with _lock:
        _national.clear()
        _national[key] = context
    return context


_municipal: dict[tuple, dict] = {}
_MAX_MUNICIPAL = 400  # every municipality fits


def municipal_context(code: str) -> dict:
    """A municipality's part of the dashboard, built once per store and model version.

    Why cached: building its panels from the store costs 0.2-0.5 s of pandas work that holds
    the interpreter lock; under 50 visitors that made every page wait (issue 17). A band that
    is still being computed is not cached, so the next visit shows it.
    """
    key = (code, storebridge.version(), modelbridge.cache_key())
    with _lock:
        if key in _municipal:
            return _municipal[key]
    panels = []
    if storebridge.available():
        panels = [figures.panel_data(p, code) for p in figures.PANELS]
        panels = [p for p in panels if p.rows]
    for data in panels:
        data.svg = charts.render(data.chart, f"grafiek-{code}-{data.panel.slug}")
        data.legend = charts.legend(data.chart)
    context = {
        "municipality_panels": panels,
        "profile": storebridge.profile(code),
        "press": storebridge.press(code),
    }
    if not any(p.band_reason == figures.BAND_BUSY for p in panels):
        with _lock:
            if len(_municipal) >= _MAX_MUNICIPAL:
                _municipal.clear()
            _municipal[key] = context
    return context


def _chosen(request: HttpRequest) -> tuple[str, str | None]:
    code = request.GET.get("gemeente", "").strip().upper()
    return code, (storebridge.municipality_name(code) if code else None)


def index(request: HttpRequest) -> HttpResponse:
    code, municipality_name = _chosen(request)
    municipal = municipal_context(code) if code and municipality_name else {}
    return render(
        request,
        "dashboard/index.html",
        {
            "nav": "dashboard",
            **national_context(),
            # the rendered national part is cached as a fragment under this key
            "national_key": "-".join(map(str, modelbridge.cache_key())),
            "municipality_code": code,
            "municipality_name": municipality_name,
            "municipality_panels": municipal.get("municipality_panels", []),
            "profile": municipal.get("profile", ()),
            "press": municipal.get("press", ()),
            "store_available": storebridge.available(),
            "municipalities": storebridge.municipalities(),
            "trend_break_year": figures.TREND_BREAK_YEAR,
        },
    )


def routekaart(request: HttpRequest) -> HttpResponse:
    """The reform agenda's targets for the country or a municipality under unchanged policy."""
    code, municipality_name = _chosen(request)
    area = code if municipality_name else "Nederland"
    answer = modelbridge.routekaart_for(area, wait=False)
    targets = []
    if answer.available:
        for i, t in enumerate(answer.value["targets"]):
            chart = figures.target_chart(t, answer.value["area_name"])
            targets.append({
                "t": t,
                "id": f"doel-{i}",
                "svg": charts.render(chart, f"grafiek-doel-{i}") if chart else "",
                "legend": charts.legend(chart) if chart else [],
                "rows": list(zip(t.years, t.p10, t.median, t.p90, strict=True)),
            })
    return render(
        request,
        "dashboard/routekaart.html",
        {
            "nav": "routekaart",
            "municipality_code": code if municipality_name else "",
            "municipality_name": municipality_name,
            "area_name": answer.value["area_name"] if answer.available else (
                municipality_name or "Nederland"),
            "answer": answer,
            "targets": targets,
            "municipalities": storebridge.municipalities(),
        },
    )
