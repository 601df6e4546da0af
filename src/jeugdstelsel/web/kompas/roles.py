"""Roles and permissions, per membership.

Every check asks one question: *what may this user do in this municipality (and, for a
partner, for this organisation)?* The answer is the role of her ``Membership`` there, looked up
in :data:`ROLE_PERMISSIONS`. Django's global permissions and groups are never asked: they merge
all of a user's roles, so a council member in Tiel who is policy advisor in Amsterdam would be
able to edit Tiel. The role groups still exist (named after the roles, for the Django admin's
overview) but hold no users. A superuser is administrator everywhere.

Rule of the house: a user without a role in a municipality gets a 403 for everything in it; a
partner edits only activities and measurements of her own organisation.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_delete, post_migrate, post_save

from jeugdstelsel.web.kompas.models import Membership, Municipality, Role, WorkspaceItem

ITEMS = ("issue", "goal", "activity", "intervention", "measurement", "improvementaction")
SETUP = ("area", "organisation")

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {f"{a}_{m}" for a in ("add", "change", "delete", "view") for m in ITEMS + SETUP}
    | {
        f"{a}_{m}"
        for a in ("add", "change", "delete", "view")
        for m in ("membership", "municipality")
    }
    | {"view_auditentry"},
    Role.ADVISOR: {f"{a}_{m}" for a in ("add", "change", "delete", "view") for m in ITEMS}
    | {f"{a}_{m}" for a in ("add", "change", "view") for m in SETUP}
    | {"view_auditentry"},
    Role.PARTNER: {f"view_{m}" for m in ITEMS}
    | {f"{a}_{m}" for a in ("add", "change", "delete") for m in ("activity", "measurement")},
    Role.COUNCIL: {f"view_{m}" for m in ITEMS},
}


def role_in(user, municipality: Municipality) -> str | None:
    """The user's role in this municipality, or None when she has none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    m = Membership.objects.filter(user=user, municipality=municipality).only("role").first()
    return None if m is None else m.role


def partner_organisation_id(user, municipality: Municipality) -> int | None:
    m = Membership.objects.filter(user=user, municipality=municipality, role=Role.PARTNER).first()
    return None if m is None else m.organisation_id


def visible_municipalities(user):
    if not getattr(user, "is_authenticated", False):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user).distinct()


def can_view(user, municipality: Municipality) -> bool:
    return role_in(user, municipality) is not None


def role_may(role: str | None, action: str, model: type | str) -> bool:
    """May this role (in one municipality) do ``action`` (add/change/delete/view) on ``model``?"""
    if role is None:
        return False
    name = model if isinstance(model, str) else model._meta.model_name
    return f"{action}_{name}" in ROLE_PERMISSIONS[role]


def can_add(user, municipality: Municipality, model: type[WorkspaceItem]) -> bool:
    role = role_in(user, municipality)
    if not role_may(role, "add", model):
        return False
    if role == Role.PARTNER:
        return model.partner_editable and partner_organisation_id(user, municipality) is not None
    return True


def can_change(user, item: WorkspaceItem, action: str = "change") -> bool:
    """May the user change (or with ``action='delete'``, delete) this existing item?"""
    municipality = item.area.municipality
    role = role_in(user, municipality)
    if not role_may(role, action, type(item)):
        return False
    if role == Role.PARTNER:
        org = partner_organisation_id(user, municipality)
        return type(item).partner_editable and org is not None and item.organisation_id == org
    return True


def change_checker(user, municipality: Municipality, action: str = "change"):
    """``can_change`` for many items of one municipality, asking the database once.

    Why: a list page asked for the user's membership two times per item (204 queries for 71
    items on the Kwaliteitskompas overview); the answer is the same for every item.
    """
    role = role_in(user, municipality)
    org = partner_organisation_id(user, municipality) if role == Role.PARTNER else None

    def check(item: WorkspaceItem) -> bool:
        if not role_may(role, action, type(item)):
            return False
        if role == Role.PARTNER:
            return type(item).partner_editable and org is not None and item.organisation_id == org
        return True

    return check


def can_restore(user, municipality: Municipality) -> bool:
    return role_in(user, municipality) == Role.ADMIN


def can_manage(user, municipality: Municipality) -> bool:
    """Users and their roles, partner organisations and wijken of this municipality."""
    return role_in(user, municipality) == Role.ADMIN


def can_transfer(user, municipality: Municipality) -> bool:
    """Export and import of the whole workspace: administrator and policy advisor."""
    return role_in(user, municipality) in (Role.ADMIN, Role.ADVISOR)


def can_see_history(user, municipality: Municipality) -> bool:
    return role_may(role_in(user, municipality), "view", "auditentry")


def ensure_groups(**_kwargs) -> None:
    """One Django group per role showing the matrix above in the admin; emptied of users.

    Why emptied: older versions put users in the groups of all their roles, which gave them
    those permissions in every municipality. After this migrate step nobody holds them.
    """
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        perms = Permission.objects.filter(content_type__app_label="kompas", codename__in=codenames)
        group.permissions.set(perms)
        group.user_set.clear()


def sync_user_groups(user) -> None:
    """Why: a role's permissions hold in one municipality only, never as global group rights."""
    role_groups = Group.objects.filter(name__in=[str(r) for r in Role])
    user.groups.remove(*role_groups)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)


def _membership_changed(sender, instance: Membership, **_kwargs) -> None:
    sync_user_groups(instance.user)


def connect_signals() -> None:
    post_migrate.connect(ensure_groups, dispatch_uid="kompas_ensure_groups")
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="kompas_ms_save")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="kompas_ms_del")
