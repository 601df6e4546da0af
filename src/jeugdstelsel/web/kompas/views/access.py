"""Resolving the municipality of a request and refusing users without a role there (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from jeugdstelsel.web.kompas import roles
from jeugdstelsel.web.kompas.models import Municipality, WorkspaceItem
from jeugdstelsel.web.kompas.registry import BY_SLUG, Kind


def municipality_for(request, code: str) -> Municipality:
    """The municipality, if the user has a role there; 403 otherwise (also for unknown codes,
    so nobody can probe which municipalities use the tool)."""
    municipality = Municipality.objects.filter(code=code.upper()).first()
    if municipality is None or not roles.can_view(request.user, municipality):
        raise PermissionDenied
    return municipality


def kind_for(slug: str) -> Kind:
    kind = BY_SLUG.get(slug)
    if kind is None:
        raise Http404
    return kind


def item_for(
    kind: Kind, municipality: Municipality, pk: int, *, deleted: bool = False
) -> WorkspaceItem:
    """An item of this municipality only: another municipality's id is simply not found."""
    manager = kind.model.all_objects if deleted else kind.model.objects
    return get_object_or_404(manager.select_related("area"), pk=pk, area__municipality=municipality)
