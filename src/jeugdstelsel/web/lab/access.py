"""Who may do what in the scenario lab.

Administrators and policy advisors of a municipality see every scenario of it, create them,
duplicate them and run them; a scenario is changed or deleted by its owner (or an
administrator). Council members and partners read the scenarios that were shared with them.
Everyone else gets a 403, exactly as in the Kwaliteitskompas.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jeugdstelsel.web.kompas import roles
from jeugdstelsel.web.kompas.models import Municipality, Role
from jeugdstelsel.web.lab.models import Run, Scenario

WRITERS = (Role.ADMIN, Role.ADVISOR)


def municipality_for(request, code: str) -> tuple[Municipality, str]:
    municipality = Municipality.objects.filter(code=code.upper()).first()
    role = roles.role_in(request.user, municipality) if municipality else None
    if role is None:
        raise PermissionDenied
    return municipality, role


def visible(municipality: Municipality, role: str):
    qs = Scenario.objects.filter(municipality=municipality).select_related("owner")
    return qs if role in WRITERS else qs.filter(shared=True)


def scenario_for(municipality: Municipality, role: str, pk: int) -> Scenario:
    scenario = visible(municipality, role).filter(pk=pk).first()
    if scenario is None:
        raise Http404
    return scenario


def run_for(municipality: Municipality, role: str, pk, *, light: bool = False) -> Run:
    """A run of this municipality the user may see; ``light`` leaves the results unread."""
    qs = Run.objects.filter(pk=pk, municipality=municipality).select_related("plan", "reference")
    if light:
        qs = qs.defer("result", "details", "spec")
    run = qs.first()
    if run is None or run.plan.deleted_at is not None:
        raise Http404
    if role not in WRITERS and not (
        run.plan.shared and (run.reference is None or run.reference.shared)
    ):
        raise Http404
    return run


def can_create(role: str) -> bool:
    return role in WRITERS


def can_edit(user, role: str, scenario: Scenario) -> bool:
    return role == Role.ADMIN or (role == Role.ADVISOR and scenario.owner_id == user.pk)


def can_run(role: str) -> bool:
    return role in WRITERS
