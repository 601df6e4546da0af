"""API permissions: the same role rules as the web pages (``kompas.roles``)."""

from __future__ import annotations

from rest_framework import permissions

from jeugdstelsel.web.kompas import roles


class ItemPermission(permissions.BasePermission):
    """Reading is scoped by the queryset; changing an existing item asks ``roles``.

    Checked on the stored item, before the request's changes are applied, so a partner cannot
    take over another organisation's item by sending a new ``organisation``.
    """

    message = "U heeft geen rechten om dit onderdeel te wijzigen."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        action = "delete" if request.method == "DELETE" else "change"
        return roles.can_change(request.user, obj, action)
