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


def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("gemeente", "").strip().upper()
    municipality_panels = []
    municipality_name = storebridge.municipality_name(code) if code else None
    if code and municipality_name and storebridge.available():
        municipality_panels = [figures.panel_data(p, code) for p in figures.PANELS]
        municipality_panels = [p for p in municipality_panels if p.rows]
    for data in municipality_panels:
        data.svg = charts.render(data.chart, f"grafiek-{code}-{data.panel.slug}")
        data.legend = charts.legend(data.chart)
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
            "municipality_panels": municipality_panels,
            "store_available": storebridge.available(),
            "municipalities": storebridge.municipalities(),
            "trend_break_year": figures.TREND_BREAK_YEAR,
        },
    )
