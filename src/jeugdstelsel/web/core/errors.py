"""The pages' one error boundary: a :class:`~jeugdstelsel.errors.JeugdstelselError` raised while
a page is built becomes a Dutch error page in the site's layout, with the error's
``.http_status`` and its stable ``.code`` (in the page, for support), never a traceback.

Under ``/api/`` DRF's exception handler (``web.api.problems``) is the boundary; this middleware
only answers there for errors raised outside a DRF view, as problem+json.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jeugdstelsel.errors import JeugdstelselError

log = logging.getLogger(__name__)


class RequestError(JeugdstelselError, ValueError):
    """A page address or parameter the site cannot read (a cut or edited link)."""

    code = "verzoek_ongeldig"

TITLES = {
    400: "Dit verzoek kan niet worden verwerkt",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Dit kan nu niet",
    500: "Er ging iets mis",
    503: "Tijdelijk niet beschikbaar",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_page(
    request: HttpRequest, status: int, message: str, code: str, title: str | None = None
) -> HttpResponse:
    """A Dutch error page in the layout; plain HTML if the layout itself cannot be drawn."""
    if is_api(request):
        from jeugdstelsel.web.api.problems import PROBLEM, problem

        return JsonResponse(
            problem(request, status, code, message), status=status, content_type=PROBLEM
        )
    context = {
        "title": title or TITLES.get(status, "Fout"),
        "message": message,
        "code": code,
        "status": status,
    }
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # e.g. the database is gone: still no traceback for the user
        log.exception("error page could not be rendered")
        return HttpResponse(
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
            f"<title>{context['title']}</title></head><body><main><h1>{context['title']}</h1>"
            "<p>Probeer het later opnieuw.</p></main></body></html>",
            status=status,
        )


class ErrorBoundaryMiddleware:
    """Turns a ``JeugdstelselError`` from a page view into a Dutch error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, JeugdstelselError):
            return None  # Django's handler500 answers (Dutch page, traceback in the log)
        status = exception.http_status
        if status >= 500:
            log.error("page %s: %s", request.path, exception, exc_info=exception)
        return error_page(request, status, str(exception), exception.code)
