"""Home, transparency and accessibility pages, and the error pages (problem+json under /api)."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jeugdstelsel.web.core import transparency

log = logging.getLogger(__name__)


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
    """The toegankelijkheidsverklaring in the model's form, with the installation's own data."""
    from django.conf import settings

    from jeugdstelsel.web.core.accessibility import statement

    return render(request, "core/accessibility.html", {
        "nav": "toegankelijkheid",
        "s": statement(settings.ACCESSIBILITY_STATEMENT, request.build_absolute_uri("/"),
                       timezone.localdate()),
    })


def _problem(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        from jeugdstelsel.web.api.problems import PROBLEM, problem

        return JsonResponse(
            problem(request, status, code, detail), status=status, content_type=PROBLEM
        )
    return None


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """The error page in the site's layout; bare Dutch HTML when the layout cannot be drawn."""
    try:
        return render(request, template, status=status)
    except Exception:
        log.exception("error page %s could not be rendered", template)
        return HttpResponse(
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Fout</title>'
            "</head><body><main><h1>Er ging iets mis</h1><p>Probeer het later opnieuw.</p>"
            "</main></body></html>",
            status=status,
        )


def error_400(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem(
        request, 400, "ongeldig_verzoek", "Dit verzoek kan niet worden verwerkt."
    ) or _page(request, "400.html", 400)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem(
        request, 403, "permission_denied", "U heeft geen rechten voor dit onderdeel."
    ) or _page(request, "403.html", 403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem(request, 404, "not_found", "Deze bron bestaat niet.") or _page(
        request, "404.html", 404
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return _problem(
        request, 500, "intern", "Er ging iets mis op de server. De beheerder kan het logboek "
        "bekijken."
    ) or _page(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _problem(
        request, 403, "csrf", "Het formulier is verlopen; laad de pagina opnieuw."
    ) or _page(request, "403_csrf.html", 403)


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Her own API token: see when it expires, make a new one (shown once) or revoke it."""
    from rest_framework.authtoken.models import Token

    from jeugdstelsel.web.api.auth import expires_at, issue_token, revoke_token

    new_key = None
    if request.method == "POST":
        revoke_token(request.user)
        if "nieuw" in request.POST:
            new_key = issue_token(request.user).key
            messages.success(request, "Uw nieuwe API-sleutel staat hieronder; de oude werkt niet "
                             "meer.")
        else:
            messages.success(request, "Uw API-sleutel is ingetrokken.")
            return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "core/api_token.html", {
        "nav": "", "token": token, "new_key": new_key,
        "expires": expires_at(token) if token else None,
        "expired": bool(token) and expires_at(token) <= timezone.now(),
    })
