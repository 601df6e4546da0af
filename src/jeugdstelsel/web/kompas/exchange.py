"""Export and import of a municipality's whole Kwaliteitskompas workspace as JSON.

For backup and for moving to another server. Items keep their ``uid``; references between items
are by ``uid``, areas and organisations by name, so a file can be read and checked by a person.
Deleted items are exported too (with ``deleted: true``): a backup must not lose what an
administrator could still restore. An import is all or nothing: every problem is collected with
its place in the file, in Dutch, and nothing is saved unless the whole file is valid.

An import merges by identity (``uid``) and version (``updated_at``, kept from the file): an item
the workspace changed (or deleted) after the file's version is left as it is, so re-importing an
older export never overwrites newer edits or deletes newer items; items missing from the file
are kept. Only an administrator's import un-deletes an item. ``import_workspace(...,
dry_run=True)`` returns what an import would change without saving it (the page shows that
first and asks to confirm).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jeugdstelsel.errors import JeugdstelselError
from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas.registry import KINDS

FORMAT = "jeugdstelsel-kwaliteitskompas"
VERSION = 2
#: Version 1 files have no ``updated_at``: they only add items, never change existing ones.
READABLE = (1, 2)
SKIP = {"id", "created_at", "updated_at", "deleted_at", "deleted_by"}


@dataclass(frozen=True)
class Change:
    """One line of what an import does (or would do)."""

    kind: str  # singular, Dutch ("doel")
    label: str
    action: str  # nieuw, bijgewerkt, verwijderd, teruggezet, overgeslagen
    reason: str = ""


class ImportResult(dict):
    """Items per kind in the file (a dict, as before) and the list of ``changes``."""

    def __init__(self, counts: dict[str, int], changes: list[Change]):
        super().__init__(counts)
        self.changes = changes

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


NEWER_HERE = "in de werkplaats later gewijzigd dan in dit bestand; de nieuwere versie blijft"
ADMIN_ONLY = "verwijderd in de werkplaats; alleen een beheerder kan het terugzetten"


class ImportRefusedError(JeugdstelselError):
    """The file was refused; ``errors`` lists every problem as a Dutch sentence."""

    code = "werkplaats_import_geweigerd"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _content_fields(model: type[models.Model]):
    return [f for f in model._meta.concrete_fields if f.name not in SKIP]


def _export_value(item: models.Model, field: models.Field) -> Any:
    if field.is_relation:
        related = getattr(item, field.name)
        if related is None:
            return None
        if isinstance(related, m.WorkspaceItem):
            return str(related.uid)
        return related.name  # Area, Organisation
    value = getattr(item, field.attname)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def export_workspace(municipality: m.Municipality) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "municipality": {"code": municipality.code, "name": municipality.name},
        "areas": [
            {"name": a.name, "kind": a.kind, "cbs_code": a.cbs_code}
            for a in municipality.areas.order_by("kind", "name")
        ],
        "organisations": [
            {"name": o.name, "kind": o.kind} for o in municipality.organisations.order_by("name")
        ],
    }
    for kind in KINDS:
        rows = []
        items = kind.model.all_objects.filter(area__municipality=municipality).order_by("uid")
        related = [f.name for f in _content_fields(kind.model) if f.many_to_one]
        for item in items.select_related("area", *related):  # one query per kind
            row = {f.name: _export_value(item, f) for f in _content_fields(kind.model)}
            row["deleted"] = item.is_deleted
            row["updated_at"] = item.updated_at.isoformat()
            rows.append(row)
        data[kind.slug] = rows
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


class _Importer:
    def __init__(self, municipality: m.Municipality, user, may_restore: bool = False):
        self.municipality = municipality
        self.user = user
        self.may_restore = may_restore
        self.changes: list[Change] = []
        self.errors: list[str] = []
        self.areas: dict[str, m.Area] = {a.name: a for a in municipality.areas.all()}
        self.orgs: dict[str, m.Organisation] = {o.name: o for o in municipality.organisations.all()}
        self.items: dict[str, m.WorkspaceItem] = {}

    def check_header(self, data: Any) -> bool:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            self.errors.append("Dit is geen exportbestand van het Kwaliteitskompas.")
            return False
        if data.get("version") not in READABLE:
            self.errors.append(
                f"Versie {data.get('version')!r} van het bestandsformaat wordt niet ondersteund "
                f"(verwacht: {VERSION})."
            )
            return False
        code = (data.get("municipality") or {}).get("code")
        if code != self.municipality.code:
            self.errors.append(
                f"Dit bestand hoort bij gemeente {code}, niet bij {self.municipality.code}."
            )
            return False
        return True

    def setup(self, data: dict[str, Any]) -> None:
        for i, row in enumerate(data.get("areas") or [], start=1):
            name = (row or {}).get("name")
            if not name:
                self.errors.append(f"gebieden, nr. {i}: naam ontbreekt.")
                continue
            if name not in self.areas:
                area = m.Area(
                    municipality=self.municipality,
                    name=name,
                    kind=row.get("kind", m.Area.Kind.DISTRICT),
                    cbs_code=row.get("cbs_code") or "",
                )
                if self._valid(area, f"gebieden, nr. {i} ({name})"):
                    area.save()
                    self.areas[name] = area
                    self.changes.append(Change("gebied", name, "nieuw"))
        for i, row in enumerate(data.get("organisations") or [], start=1):
            name = (row or {}).get("name")
            if not name:
                self.errors.append(f"organisaties, nr. {i}: naam ontbreekt.")
                continue
            if name not in self.orgs:
                org = m.Organisation(
                    municipality=self.municipality,
                    name=name,
                    kind=row.get("kind", m.Organisation.Kind.OTHER),
                )
                if self._valid(org, f"organisaties, nr. {i} ({name})"):
                    org.save()
                    self.orgs[name] = org
                    self.changes.append(Change("organisatie", name, "nieuw"))

    def _valid(self, obj: models.Model, where: str) -> bool:
        try:
            obj.full_clean()
        except ValidationError as exc:
            self._add(exc, obj, where)
            return False
        return True

    def _add(self, exc: ValidationError, obj: models.Model, where: str) -> None:
        for field, messages in exc.message_dict.items():
            label = where
            if field != "__all__":
                try:
                    label += f", {obj._meta.get_field(field).verbose_name}"
                except Exception:
                    label += f", {field}"
            self.errors.extend(f"{label}: {msg}" for msg in messages)

    def _resolve(self, field: models.Field, value: Any, where: str) -> Any:
        if value is None:
            return None
        target = field.related_model
        if target is m.Area:
            found = self.areas.get(value)
        elif target is m.Organisation:
            found = self.orgs.get(value)
        else:
            found = self.items.get(str(value))
        if found is None:
            self.errors.append(f"{where}, {field.verbose_name}: verwijzing {value!r} is onbekend.")
        return found

    def item(self, kind, row: Any, i: int) -> None:
        where = f"{kind.slug}, nr. {i}"
        if not isinstance(row, dict):
            self.errors.append(f"{where}: verwacht een object met velden.")
            return
        try:
            uid = str(uuid.UUID(str(row.get("uid"))))
        except ValueError:
            self.errors.append(f"{where}: 'uid' ontbreekt of is ongeldig.")
            return
        stored = kind.model.all_objects.filter(uid=uid).select_related("area").first()
        if stored is not None and stored.area.municipality_id != self.municipality.id:
            self.errors.append(f"{where}: dit onderdeel bestaat al bij een andere gemeente.")
            return
        label = f"{where} ({row.get('title') or row.get('name') or uid})"
        name = str(row.get("title") or row.get("name") or uid)
        version = parse_datetime(str(row.get("updated_at") or "")) if row.get(
            "updated_at") else None
        if version is not None and timezone.is_naive(version):
            version = timezone.make_aware(version, dt.UTC)
        deleted = bool(row.get("deleted"))
        if stored is not None:
            if version is None or stored.updated_at > version:
                # the workspace's version is newer (or the file has none): keep it
                self.items[uid] = stored
                if self._differs(kind, stored, row):
                    self.changes.append(Change(kind.singular, name, "overgeslagen", NEWER_HERE))
                return
            if stored.is_deleted and not deleted and not self.may_restore:
                self.items[uid] = stored
                self.changes.append(Change(kind.singular, name, "overgeslagen", ADMIN_ONLY))
                return
        item = stored or kind.model(uid=uid)
        before = history.snapshot(stored) if stored is not None else None
        was_deleted = stored is not None and stored.is_deleted
        for field in _content_fields(kind.model):
            if field.name == "uid":
                continue
            if field.name not in row:
                if not field.is_relation and (field.has_default() or field.blank):
                    continue
                self.errors.append(f"{label}, {field.verbose_name}: ontbreekt in het bestand.")
                continue
            value = row[field.name]
            if field.is_relation:
                if value is not None:
                    value = self._resolve(field, value, label)
                    if value is None:
                        continue
                setattr(item, field.name, value)
            else:
                try:
                    setattr(item, field.attname, field.to_python(value))
                except ValidationError as exc:
                    self.errors.extend(f"{label}, {field.verbose_name}: {e}" for e in exc.messages)
        try:
            item.full_clean()
        except ValidationError as exc:
            self._add(exc, item, label)
            return
        history.save_item(item, self.user, action=m.AuditEntry.Action.IMPORT)
        if deleted and not item.is_deleted:
            history.soft_delete(item, self.user)
        elif not deleted and item.is_deleted:
            history.restore(item, self.user)
        if version is not None:  # the item keeps the version it has in the file
            type(item).all_objects.filter(pk=item.pk).update(updated_at=version)
            item.updated_at = version
        self.items[uid] = item
        if stored is None:
            action = "nieuw"
        elif deleted and not was_deleted:
            action = "verwijderd"
        elif was_deleted and not deleted:
            action = "teruggezet"
        elif before != history.snapshot(item):
            action = "bijgewerkt"
        else:
            return
        self.changes.append(Change(kind.singular, name, action))

    def _differs(self, kind, stored, row: dict) -> bool:
        """Would the file's row change the stored item (content or deleted state)?"""
        if bool(row.get("deleted")) != stored.is_deleted:
            return True
        mine = {f.name: _export_value(stored, f) for f in _content_fields(kind.model)}
        return any(k in row and row[k] != v for k, v in mine.items())


def import_workspace(
    municipality: m.Municipality, data: Any, user, *, may_restore: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Merge a file into the workspace by ``uid`` and version; returns counts per kind and the
    changes, or raises ImportRefusedError. ``dry_run``: the same answer, nothing saved.

    Items in the workspace that are not in the file are kept: an import never silently deletes.
    """
    importer = _Importer(municipality, user, may_restore)
    if not importer.check_header(data):
        raise ImportRefusedError(importer.errors)
    counts: dict[str, int] = {}
    with transaction.atomic():
        importer.setup(data)
        for kind in KINDS:
            rows = data.get(kind.slug) or []
            if not isinstance(rows, list):
                importer.errors.append(f"{kind.slug}: verwacht een lijst.")
                continue
            for i, row in enumerate(rows, start=1):
                importer.item(kind, row, i)
            counts[kind.slug] = len(rows)
        if importer.errors:
            transaction.set_rollback(True)
            raise ImportRefusedError(importer.errors)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(counts, importer.changes)


def parse(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefusedError([f"Het bestand is geen geldige JSON (UTF-8): {exc}."]) from exc
