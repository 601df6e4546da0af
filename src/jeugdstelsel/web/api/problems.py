"""Errors as ``application/problem+json`` (RFC 9457), as the Dutch API Design Rules ask.

This is the API's one error boundary. Every error has ``type``, ``title``, ``status``,
``detail``, ``instance`` and a stable ``code``; validation errors add ``invalidParams`` (name,
code, reason) so a client can point at the field. What is turned into a problem:

* a :class:`jeugdstelsel.errors.JeugdstelselError` raised anywhere below a view: ``code`` is the
  error's ``.code``, the status its ``.http_status``, the detail its (Dutch) message;
* DRF's own exceptions (validation, authentication, 404, 405, parse errors ...): their texts are
  Django's Dutch translation (``LANGUAGE_CODE = "nl"``); the few DRF has no Dutch for are
  translated here (:data:`DUTCH`);
* anything else: a 500 problem in Dutch without internals (the log keeps the traceback).

The ``code`` is stable; the Dutch ``detail`` and ``reason`` may be reworded.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from jeugdstelsel.errors import JeugdstelselError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Formaat niet beschikbaar",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Niet verwerkbaar",
    429: "Te veel verzoeken",
    500: "Serverfout",
    503: "Tijdelijk niet beschikbaar",
}

#: DRF's default details per code, in Dutch, where the shipped translation is missing or vague.
DUTCH = {
    "parse_error": "De inhoud van het verzoek is geen geldige JSON.",
    "not_authenticated": "U bent niet ingelogd: stuur een geldige API-sleutel "
    "(Authorization: Token ...) of log in.",
    "authentication_failed": "De API-sleutel is onbekend, verlopen of ingetrokken.",
    "permission_denied": "U heeft geen rechten voor deze handeling.",
    "not_found": "Deze bron bestaat niet.",
    "method_not_allowed": "Deze methode is hier niet toegestaan.",
    "not_acceptable": "Dit antwoordformaat is niet beschikbaar; vraag application/json.",
    "unsupported_media_type": "Dit mediatype wordt niet ondersteund; stuur application/json.",
    "throttled": "Te veel verzoeken; probeer het later opnieuw.",
}
INTERNAL = "Er ging iets mis op de server. De beheerder kan het logboek bekijken."


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if not prefix else f"{prefix}.{key}"
            params += _flatten(value, "" if key == "non_field_errors" and not prefix else name)
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, exceptions.ErrorDetail):
                params += _flatten(value, f"{prefix}[{i}]" if prefix else str(i))
            else:
                params += _flatten(value, prefix)
    else:
        params.append(
            {
                "name": prefix or "nonFieldErrors",
                "code": getattr(detail, "code", "invalid"),
                "reason": str(detail),
            }
        )
    return params


def problem(request, status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The problem body; also used by the 404/500 handlers for paths outside DRF's views."""
    return {
        "type": "about:blank",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
        "instance": request.path if request is not None else "",
        "code": code,
        **extra,
    }


def _response(body: dict[str, Any], status: int, headers: dict | None = None) -> Response:
    response = Response(body, status=status, headers=headers)
    response.content_type = PROBLEM
    return response


def exception_handler(exc, context) -> Response:
    request = context.get("request")
    if isinstance(exc, JeugdstelselError):
        status = exc.http_status
        if status >= 500:
            log.error("api: %s", exc, exc_info=exc)
        return _response(problem(request, status, exc.code, str(exc)), status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(DUTCH["not_found"])
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(DUTCH["permission_denied"])
    response = drf_handler(exc, context)
    if response is None:  # not ours, not DRF's: a bug. Dutch, no internals; the log keeps it.
        log.error("api: unexpected error", exc_info=exc)
        return _response(problem(request, 500, "intern", INTERNAL), 500)
    status = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            request, status, "ongeldig", "De invoer is niet geldig; zie invalidParams.",
            invalidParams=_flatten(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "fout")
        text = str(detail)
        if text == str(getattr(exc, "default_detail", None)) and code in DUTCH:
            text = DUTCH[code]
        elif code in ("parse_error", "method_not_allowed", "unsupported_media_type",
                      "not_acceptable"):
            text = DUTCH[code]  # DRF's texts here quote parser internals or English method names
        body = problem(request, status, str(code), text)
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Allow",
                                                          "Retry-After")}
    return _response(body, status, headers)
