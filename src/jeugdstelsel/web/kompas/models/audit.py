"""The history of the Kwaliteitskompas: who changed what, when, as a JSON diff.

A small model instead of django-simple-history (not installed): one row per change, with the
fields that changed as ``{field: [old, new]}``. Rows are written by ``kompas.history`` from the
same transaction as the change, so a change is never confirmed without its history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jeugdstelsel.web.kompas.models.base import Municipality


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "aangemaakt", "Aangemaakt"
        UPDATE = "gewijzigd", "Gewijzigd"
        DELETE = "verwijderd", "Verwijderd"
        RESTORE = "hersteld", "Hersteld"
        IMPORT = "geimporteerd", "Geïmporteerd"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="audit_entries",
        verbose_name="gemeente",
    )
    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="door"
    )
    username = models.CharField("gebruikersnaam", max_length=150, blank=True)
    action = models.CharField("actie", max_length=14, choices=Action.choices)
    kind = models.CharField("soort", max_length=40)
    item_uid = models.UUIDField(db_index=True)
    item_label = models.CharField("onderdeel", max_length=300)
    changes = models.JSONField("wijzigingen", default=dict)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = "wijziging"
        verbose_name_plural = "geschiedenis"

    def __str__(self) -> str:
        return f"{self.at:%d-%m-%Y %H:%M} {self.username}: {self.action} {self.item_label}"
