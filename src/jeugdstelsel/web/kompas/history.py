"""Change services for workspace items: save, soft delete and restore, each with its history.

Why a service and not signals: the history must name the user, and the web forms, the API and
the JSON import must all write the same history in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from jeugdstelsel.web.kompas.models import AuditEntry, WorkspaceItem

#: Fields that are bookkeeping, not content; left out of snapshots and diffs.
SKIP_FIELDS = {"id", "created_at", "updated_at", "deleted_at", "deleted_by"}


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(item: models.Model) -> dict[str, Any]:
    """Content fields as JSON values; foreign keys as the related item's ``uid`` or id."""
    data: dict[str, Any] = {}
    for field in item._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            continue
        if field.is_relation:
            related = getattr(item, field.name)
            data[field.name] = None if related is None else str(getattr(related, "uid", related.pk))
        else:
            data[field.name] = _json_value(getattr(item, field.attname))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for fields that changed (all fields when there was no before)."""
    before = before or {}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _record(item: WorkspaceItem, user, action: str, changes: dict) -> AuditEntry:
    return AuditEntry.objects.create(
        municipality=item.area.municipality,
        user=user if getattr(user, "is_authenticated", False) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        kind=item._meta.model_name,
        item_uid=item.uid,
        item_label=str(item)[:300],
        changes=changes,
    )


def previous_state(item: WorkspaceItem) -> dict[str, Any] | None:
    """The stored state of an item before an edit (None for a new item)."""
    if item.pk is None:
        return None
    stored = type(item).all_objects.filter(pk=item.pk).first()
    return None if stored is None else snapshot(stored)


@transaction.atomic
def save_item(item: WorkspaceItem, user, *, action: str | None = None) -> AuditEntry | None:
    """Validate and save an item and write its history; returns the entry (None: no change)."""
    before = previous_state(item)
    item.full_clean()
    item.save()
    changes = diff(before, snapshot(item))
    if before is not None and not changes:
        return None
    if action is None:
        action = AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE
    return _record(item, user, action, changes)


@transaction.atomic
def soft_delete(item: WorkspaceItem, user) -> AuditEntry:
    """Mark an item deleted; it stays in the database so an administrator can restore it."""
    item.deleted_at = timezone.now()
    item.deleted_by = user if getattr(user, "is_authenticated", False) else None
    item.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return _record(item, user, AuditEntry.Action.DELETE, {})


@transaction.atomic
def restore(item: WorkspaceItem, user) -> AuditEntry:
    item.deleted_at = None
    item.deleted_by = None
    item.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return _record(item, user, AuditEntry.Action.RESTORE, {})


# -- the history as people read it ---------------------------------------------------------------


def readable_changes(entries) -> dict[int, list[tuple[str, str, str]]]:
    """Per entry id, its changes as (Dutch field label, old, new), as a reader wants them.

    Why: the stored changes are JSON for the machine (field names, uids of related items,
    ISO dates, choice codes); the history page showed those (issue 17). Related items are looked
    up in one query per kind for the whole page.
    """
    from django.core.exceptions import FieldDoesNotExist

    from jeugdstelsel.web.charts import nl_number
    from jeugdstelsel.web.kompas.registry import BY_MODEL_NAME

    entries = list(entries)
    wanted: dict[type, set] = {}
    plan: list[tuple[int, list[tuple[models.Field | None, str, Any, Any]]]] = []
    for entry in entries:
        kind = BY_MODEL_NAME.get(entry.kind)
        rows = []
        for name, change in (entry.changes or {}).items():
            if name == "uid":
                continue
            old, new = [*list(change), None, None][:2]
            field = None
            if kind is not None:
                try:
                    field = kind.model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
            if field is not None and field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(
                    str(v) for v in (old, new) if v not in (None, ""))
            rows.append((field, name, old, new))
        plan.append((entry.pk, rows))

    names: dict[type, dict[str, str]] = {}
    for model, keys in wanted.items():
        manager = getattr(model, "all_objects", model._base_manager)
        by_uid = any(f.name == "uid" for f in model._meta.concrete_fields)
        found = {}
        if by_uid:
            uids = []
            for key in keys:
                try:
                    uids.append(uuid.UUID(key))
                except ValueError:
                    continue
            for obj in manager.filter(uid__in=uids):
                found[str(obj.uid)] = str(obj)
        ids = [int(k) for k in keys if k.isdigit()]
        if ids:
            for obj in manager.filter(pk__in=ids):
                found[str(obj.pk)] = str(obj)
        names[model] = found

    def show(field, value) -> str:
        if value is None or value == "":
            return "(leeg)"
        if field is None:
            return str(value)
        if field.many_to_one:
            return names.get(field.related_model, {}).get(str(value), "(verwijderd onderdeel)")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, int | float):
            return nl_number(float(value))
        if isinstance(field, models.DateTimeField | models.DateField):
            try:
                day = dt.date.fromisoformat(str(value)[:10])
                return f"{day.day}-{day.month}-{day.year}"
            except ValueError:
                return str(value)
        return str(value)

    def label(field, name: str) -> str:
        text = str(field.verbose_name) if field is not None else name.replace("_", " ")
        return text[:1].upper() + text[1:]

    return {
        pk: [(label(field, name), show(field, old), show(field, new))
             for field, name, old, new in rows]
        for pk, rows in plan
    }
