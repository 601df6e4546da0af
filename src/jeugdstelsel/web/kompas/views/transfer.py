"""Export and import of a municipality's whole workspace (JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jeugdstelsel.web.kompas import exchange, roles
from jeugdstelsel.web.kompas.forms import ImportForm
from jeugdstelsel.web.kompas.views.access import municipality_for

MAX_IMPORT_BYTES = 20 * 1024 * 1024


@login_required
def export(request, code: str):
    municipality = municipality_for(request, code)
    if not roles.can_transfer(request.user, municipality):
        raise PermissionDenied
    body = exchange.dumps(exchange.export_workspace(municipality))
    name = f"kwaliteitskompas-{municipality.code}-{timezone.localdate():%Y%m%d}.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_view(request, code: str):
    municipality = municipality_for(request, code)
    if not roles.can_transfer(request.user, municipality):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "Het bestand is groter dan 20 MB.")
        else:
            try:
                counts = exchange.import_workspace(
                    municipality, exchange.parse(upload.read()), request.user
                )
            except exchange.ImportRefusedError as exc:
                errors = exc.errors
                form.add_error(
                    "file",
                    "Er is niets geïmporteerd: het bestand bevat fouten (zie de lijst hieronder).",
                )
            else:
                total = sum(counts.values())
                messages.success(request, f"Import gelukt: {total} onderdelen verwerkt.")
                return redirect(reverse("kompas:overview", args=[municipality.code]))
    return render(
        request,
        "kompas/import.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "form": form,
            "errors": errors,
        },
    )
