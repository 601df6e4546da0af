"""Django app configuration of the store."""

from __future__ import annotations

from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "jeugdstelsel.store"
    label = "store"
    verbose_name = "Gegevens"
    default_auto_field = "django.db.models.BigAutoField"
