"""A municipal administrator manages her own municipality in the application: who has which
role (new users included), the partner organisations and the wijken. Nothing here reaches
another municipality: every membership, organisation and area is looked up within this one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from jeugdstelsel.web.kompas import members, roles
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas.forms import AreaForm, MemberForm, MembershipForm, OrganisationForm
from jeugdstelsel.web.kompas.views.access import municipality_for


def _admin_municipality(request, code: str) -> m.Municipality:
    municipality = municipality_for(request, code)
    if not roles.can_manage(request.user, municipality):
        raise PermissionDenied
    return municipality


def _last_admin(membership: m.Membership) -> bool:
    """Why: a municipality must keep one administrator who can give roles."""
    return membership.role == m.Role.ADMIN and not m.Membership.objects.filter(
        municipality=membership.municipality, role=m.Role.ADMIN).exclude(pk=membership.pk).exists()


@login_required
def manage(request, code: str):
    municipality = _admin_municipality(request, code)
    which = request.POST.get("soort") if request.method == "POST" else None
    member = MemberForm(request.POST if which == "lid" else None, municipality=municipality,
                        prefix="lid")
    area = AreaForm(request.POST if which == "wijk" else None,
                    instance=m.Area(municipality=municipality, kind=m.Area.Kind.DISTRICT),
                    prefix="wijk")
    org = OrganisationForm(request.POST if which == "partner" else None,
                           instance=m.Organisation(municipality=municipality), prefix="partner")
    if which == "lid" and member.is_valid():
        data = member.cleaned_data
        org = data.get("organisation")
        membership, _ = members.grant_role(
            data["username"].strip(), municipality.code, data["role"],
            organisation=org.name if org else None, email=data.get("email") or "",
            password=data.get("password") or None)
        role = membership.get_role_display().lower()
        messages.success(request, f"{membership.user.username} is nu {role} in "
                         f"{municipality.name}.")
        return redirect("kompas:manage", municipality.code)
    for form, noun in ((area, "Wijk"), (org, "Organisatie")):
        if which and form.is_bound and form.is_valid():
            form.save()
            messages.success(request, f"{noun} “{form.instance.name}” is toegevoegd.")
            return redirect("kompas:manage", municipality.code)
    return render(request, "kompas/manage.html", {
        "nav": "kompas", "municipality": municipality, "member_form": member,
        "area_form": area, "org_form": org,
        "memberships": municipality.memberships.select_related("user", "organisation")
        .order_by("user__username"),
        "areas": municipality.areas.all(), "organisations": municipality.organisations.all(),
    })


@login_required
def membership(request, code: str, pk: int):
    municipality = _admin_municipality(request, code)
    item = get_object_or_404(m.Membership.objects.select_related("user"), pk=pk,
                             municipality=municipality)
    form = MembershipForm(request.POST or None, instance=item)
    if request.method == "POST" and "verwijderen" in request.POST:
        if _last_admin(item):
            messages.error(request, "Dit is de laatste beheerder van de gemeente; geef eerst "
                           "iemand anders die rol.")
        else:
            item.delete()
            messages.success(request, f"{item.user.username} heeft geen rol meer in "
                             f"{municipality.name}.")
        return redirect("kompas:manage", municipality.code)
    if request.method == "POST" and form.is_valid():
        if _last_admin(m.Membership.objects.get(pk=item.pk)) and form.instance.role != \
                m.Role.ADMIN:
            form.add_error("role", "Dit is de laatste beheerder van de gemeente; geef eerst "
                           "iemand anders die rol.")
        else:
            form.save()
            messages.success(request, f"De rol van {item.user.username} is opgeslagen.")
            return redirect("kompas:manage", municipality.code)
    return render(request, "kompas/membership.html", {
        "nav": "kompas", "municipality": municipality, "form": form, "membership": item,
    })
