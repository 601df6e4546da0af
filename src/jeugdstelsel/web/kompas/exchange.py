"""Export and import of a municipality's whole Kwaliteitskompas workspace as JSON.

For backup and for moving to another server. Items keep their ``uid``; references between items
are by ``uid``, areas and organisations by name, so a file can be read and checked by a person.
Deleted items are exported too (with ``deleted: true``): a backup must not lose what an
administrator could still restore. An import is all or nothing: every problem is collected with
its place in the file, in Dutch, and nothing is saved unless the whole file is valid.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from jeugdstelsel.web.kompas import history
from jeugdstelsel.web.kompas import models as m
from jeugdstelsel.web.kompas.registry import KINDS

FORMAT = "jeugdstelsel-kwaliteitskompas"
VERSION = 1
SKIP = {"id", "created_at", "updated_at", "deleted_at", "deleted_by"}


class ImportRefusedError(Exception):
    """The file was refused; ``errors`` lists every problem as a Dutch sentence."""

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
        for item in items.select_related("area"):
            row = {f.name: _export_value(item, f) for f in _content_fields(kind.model)}
            row["deleted"] = item.is_deleted
            rows.append(row)
        data[kind.slug] = rows
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


class _Importer:
    def __init__(self, municipality: m.Municipality, user):
        self.municipality = municipality
        self.user = user
        self.errors: list[str] = []
        self.areas: dict[str, m.Area] = {a.name: a for a in municipality.areas.all()}
        self.orgs: dict[str, m.Organisation] = {o.name: o for o in municipality.organisations.all()}
        self.items: dict[str, m.WorkspaceItem] = {}

    def check_header(self, data: Any) -> bool:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            self.errors.append("Dit is geen exportbestand van het Kwaliteitskompas.")
            return False
        if data.get("version") != VERSION:
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
        item = kind.model.all_objects.filter(uid=uid).select_related("area").first()
        if item is not None and item.area.municipality_id != self.municipality.id:
            self.errors.append(f"{where}: dit onderdeel bestaat al bij een andere gemeente.")
            return
        item = item or kind.model(uid=uid)
        label = f"{where} ({row.get('title') or row.get('name') or uid})"
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
        deleted = bool(row.get("deleted"))
        if deleted and not item.is_deleted:
            history.soft_delete(item, self.user)
        elif not deleted and item.is_deleted:
            history.restore(item, self.user)
        self.items[uid] = item


def import_workspace(municipality: m.Municipality, data: Any, user) -> dict[str, int]:
    """Merge a file into the workspace by ``uid``; returns counts per kind, or raises
    ImportRefusedError.

    Items in the workspace that are not in the file are kept: an import never silently deletes.
    """
    importer = _Importer(municipality, user)
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
    return counts


def parse(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefusedError([f"Het bestand is geen geldige JSON (UTF-8): {exc}."]) from exc
