"""Dashboard "Staat van het jeugdstelsel": public, built from open national figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jeugdstelsel.web import charts, storebridge
from jeugdstelsel.web.dashboard import figures


def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("gemeente", "").strip().upper()
    municipality_panels = []
    municipality_name = storebridge.municipality_name(code) if code else None
    if code and municipality_name and storebridge.available():
        municipality_panels = [figures.panel_data(p, code) for p in figures.PANELS]
        municipality_panels = [p for p in municipality_panels if p.rows]
    panels = [figures.panel_data(p) for p in figures.PANELS]
    for i, data in enumerate(panels):
        data.svg = charts.render(data.chart, f"grafiek-{data.panel.slug}")
        data.legend = charts.legend(data.chart)
        data.index = i
    for data in municipality_panels:
        data.svg = charts.render(data.chart, f"grafiek-{code}-{data.panel.slug}")
        data.legend = charts.legend(data.chart)
    referrers, referrer_total, referrer_status = figures.referrers()
    biggest = max((r.started for r in referrers), default=1)
    return render(
        request,
        "dashboard/index.html",
        {
            "nav": "dashboard",
            "panels": panels,
            "municipality_code": code,
            "municipality_name": municipality_name,
            "municipality_panels": municipality_panels,
            "store_available": storebridge.available(),
            "municipalities": storebridge.municipalities(),
            "referrers": [
                (r, 100 * (r.started - (r.repeat or 0)) / biggest, 100 * (r.repeat or 0) / biggest)
                for r in referrers
            ],
            "referrer_total": referrer_total,
            "referrer_status": referrer_status,
            "spending": figures.spending(),
            "trend_break_year": figures.TREND_BREAK_YEAR,
        },
    )
