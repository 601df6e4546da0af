"""Export and import of a municipality's whole workspace (JSON).

Import is two steps: the uploaded file is checked and what it would change is shown (new,
changed, deleted, restored, and what is skipped because the workspace has a newer version);
only "Bevestigen" saves it. Between the steps the file waits in ``JEUGDSTELSEL_HOME/imports``
(readable by this user only), named by a random token kept in the user's session.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
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
SESSION_KEY = "kompas_import"


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


def _folder() -> Path:
    folder = Path(settings.BASE_DIR) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _keep(request, municipality, raw: bytes) -> str:
    """Keep the checked file until the user confirms; returns its token."""
    _discard(request)
    token = secrets.token_urlsafe(24)
    path = _folder() / f"{token}.json"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    request.session[SESSION_KEY] = {"token": token, "municipality": municipality.code}
    return token


def _kept(request, municipality, token: str) -> bytes | None:
    kept = request.session.get(SESSION_KEY) or {}
    if kept.get("token") != token or kept.get("municipality") != municipality.code:
        return None
    path = _folder() / f"{kept['token']}.json"
    return path.read_bytes() if path.exists() else None


def _discard(request) -> None:
    kept = request.session.pop(SESSION_KEY, None) or {}
    if token := kept.get("token"):
        (_folder() / f"{token}.json").unlink(missing_ok=True)


@login_required
def import_view(request, code: str):
    municipality = municipality_for(request, code)
    if not roles.can_transfer(request.user, municipality):
        raise PermissionDenied
    may_restore = roles.can_restore(request.user, municipality)
    context = {"nav": "kompas", "municipality": municipality, "errors": [],
               "may_restore": may_restore}
    if request.method == "POST" and "bevestigen" in request.POST:
        raw = _kept(request, municipality, request.POST.get("token", ""))
        if raw is None:
            messages.error(request, "Het gecontroleerde bestand is niet meer beschikbaar; kies "
                           "het opnieuw.")
            return redirect(reverse("kompas:import", args=[municipality.code]))
        try:
            result = exchange.import_workspace(
                municipality, exchange.parse(raw), request.user, may_restore=may_restore)
        except exchange.ImportRefusedError as exc:  # the workspace changed in between
            context.update(form=ImportForm(), errors=exc.errors)
            return render(request, "kompas/import.html", context)
        _discard(request)
        changed = len([c for c in result.changes if c.action != "overgeslagen"])
        skipped = result.count("overgeslagen")
        text = f"Import gelukt: {changed} wijzigingen opgeslagen."
        if skipped:
            text += f" {skipped} onderdelen overgeslagen (zie de controle vóór het opslaan)."
        messages.success(request, text)
        return redirect(reverse("kompas:overview", args=[municipality.code]))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "Het bestand is groter dan 20 MB.")
        else:
            raw = upload.read()
            try:
                result = exchange.import_workspace(
                    municipality, exchange.parse(raw), request.user, may_restore=may_restore,
                    dry_run=True)
            except exchange.ImportRefusedError as exc:
                context["errors"] = exc.errors
                form.add_error(
                    "file",
                    "Er is niets geïmporteerd: het bestand bevat fouten (zie de lijst hieronder).",
                )
            else:
                context.update(preview=result, token=_keep(request, municipality, raw),
                               filename=upload.name)
                return render(request, "kompas/import_preview.html", context)
    context["form"] = form
    return render(request, "kompas/import.html", context)
