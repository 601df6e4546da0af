"""Home, transparency and accessibility pages, and the error pages (problem+json under /api)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jeugdstelsel.web.core import transparency


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"nav": "home"})


def transparency_page(request: HttpRequest) -> HttpResponse:
    entry = transparency.register_entry()
    return render(
        request,
        "core/transparency.html",
        {
            "nav": "transparantie",
            "entry": entry,
            "not_available": transparency.NOT_AVAILABLE,
        },
    )


def transparency_download(request: HttpRequest) -> HttpResponse:
    body = json.dumps(transparency.register_entry(), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="algoritmeregister-jeugdstelsel.json"'
    return response


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"nav": "toegankelijkheid"})


def _problem(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "status": status,
                "title": title,
                "detail": detail,
                "instance": request.path,
            },
            status=status,
            content_type="application/problem+json",
        )
    return None


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem(
        request, 403, "Geen toegang", "U heeft geen rechten voor dit onderdeel."
    ) or render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem(request, 404, "Niet gevonden", "Deze bron bestaat niet.") or render(
        request, "404.html", status=404
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return _problem(request, 500, "Serverfout", "Er ging iets mis op de server.") or render(
        request, "500.html", status=500
    )
