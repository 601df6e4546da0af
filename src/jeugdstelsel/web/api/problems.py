"""Errors as ``application/problem+json`` (RFC 9457), as the Dutch API Design Rules ask.

Every error has ``type``, ``title``, ``status``, ``detail`` and ``instance``; validation errors
add ``invalidParams`` (name, code, reason) so a client can point at the field. The ``code`` is
stable; the Dutch ``reason`` may be reworded.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

PROBLEM = "application/problem+json"

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Formaat niet beschikbaar",
    415: "Mediatype niet ondersteund",
    429: "Te veel verzoeken",
    503: "Tijdelijk niet beschikbaar",
}


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


def exception_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Deze bron bestaat niet.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied("U heeft geen rechten voor deze handeling.")
    response = drf_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    status = response.status_code
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "instance": request.path if request is not None else "",
    }
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "De invoer is niet geldig; zie invalidParams."
        body["invalidParams"] = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body["detail"] = str(detail)
        body["code"] = getattr(detail, "code", "error")
    response.data = body
    response.content_type = PROBLEM
    return response
