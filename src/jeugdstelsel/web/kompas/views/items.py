"""Create, edit, delete (with confirmation) and restore one workspace item.

Every change goes through ``kompas.history`` so it is validated, saved and written to the
history in one transaction. Deleting is soft: an administrator can restore the item.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jeugdstelsel.web.core.redirects import safe_next
from jeugdstelsel.web.kompas import history, roles
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas.views.access import item_for, kind_for, municipality_for


def _back(request, municipality, item=None) -> str:
    if nxt := safe_next(request):
        return nxt
    if isinstance(item, m.Measurement):
        return reverse("kompas:goal", args=[municipality.code, item.goal_id])
    if isinstance(item, m.Goal) and not item.is_deleted:
        return reverse("kompas:goal", args=[municipality.code, item.pk])
    return reverse("kompas:overview", args=[municipality.code])


def _partner_org(request, municipality) -> int | None:
    if roles.role_in(request.user, municipality) == m.Role.PARTNER:
        return roles.partner_organisation_id(request.user, municipality)
    return None


def _save(request, form, municipality, verb: str):
    try:
        history.save_item(form.instance, request.user)
    except ValidationError as exc:  # a rule the form could not see (e.g. a race on rank)
        try:
            form.add_error(None, exc)
        except ValueError:  # names a field that is not on the form
            form.add_error(None, exc.messages)
        return None
    messages.success(
        request, f"{form.instance._meta.verbose_name.capitalize()} “{form.instance}” is {verb}."
    )
    return redirect(_back(request, municipality, form.instance))


@login_required
def create(request, code: str, slug: str):
    municipality = municipality_for(request, code)
    kind = kind_for(slug)
    if not roles.can_add(request.user, municipality, kind.model):
        raise PermissionDenied
    org = _partner_org(request, municipality)
    initial = {k: v for k, v in request.GET.items() if k in ("goal", "activity", "issue", "area")}
    form = kind.form(
        request.POST or None, initial=initial, municipality=municipality, partner_org_id=org
    )
    if request.method == "POST" and form.is_valid():
        if org is not None:
            form.instance.organisation_id = org
        if response := _save(request, form, municipality, "toegevoegd"):
            return response
    return _render_form(request, municipality, kind, form, "toevoegen")


@login_required
def edit(request, code: str, slug: str, pk: int):
    municipality = municipality_for(request, code)
    kind = kind_for(slug)
    item = item_for(kind, municipality, pk)
    if not roles.can_change(request.user, item):
        raise PermissionDenied
    org = _partner_org(request, municipality)
    form = kind.form(
        request.POST or None, instance=item, municipality=municipality, partner_org_id=org
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (response := _save(request, form, municipality, "opgeslagen"))
    ):
        return response
    return _render_form(request, municipality, kind, form, "wijzigen", item)


@login_required
def delete(request, code: str, slug: str, pk: int):
    """GET asks for confirmation; only a POST from that page deletes (softly)."""
    municipality = municipality_for(request, code)
    kind = kind_for(slug)
    item = item_for(kind, municipality, pk)
    if not roles.can_change(request.user, item, "delete"):
        raise PermissionDenied
    if request.method == "POST":
        back = _back(request, municipality, item)
        history.soft_delete(item, request.user)
        messages.success(
            request,
            f"{kind.singular.capitalize()} “{item}” is verwijderd. "
            "Een beheerder kan het terugzetten.",
        )
        if isinstance(item, m.Goal):
            back = reverse("kompas:overview", args=[municipality.code])
        return redirect(back)
    return render(
        request,
        "kompas/item_delete.html",
        {
            "nav": "kompas",
            "municipality": municipality,
            "kind": kind,
            "item": item,
            "next": safe_next(request),
        },
    )


@login_required
@require_POST
def restore(request, code: str, slug: str, pk: int):
    municipality = municipality_for(request, code)
    if not roles.can_restore(request.user, municipality):
        raise PermissionDenied
    kind = kind_for(slug)
    item = item_for(kind, municipality, pk, deleted=True)
    if not item.is_deleted:
        messages.info(request, f"“{item}” was niet verwijderd.")
    else:
        history.restore(item, request.user)
        messages.success(request, f"{kind.singular.capitalize()} “{item}” is teruggezet.")
    return redirect(reverse("kompas:trash", args=[municipality.code]))


def _render_form(request, municipality, kind, form, verb: str, item=None):
    """The add and edit pages share one template and context."""
    context = {
        "nav": "kompas",
        "municipality": municipality,
        "kind": kind,
        "form": form,
        "title": f"{kind.singular.capitalize()} {verb}",
        "next": safe_next(request),
    }
    if item is not None:
        context["item"] = item
    return render(request, "kompas/item_form.html", context)
