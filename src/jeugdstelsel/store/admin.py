"""Admin screens for inspecting the store (read mostly; imports go through the CLI/web)."""

from __future__ import annotations

from django.contrib import admin

from jeugdstelsel.store.models import CbsTable, Gemeente, ImportBatch, LocalFigure, Observation


@admin.register(Gemeente)
class GemeenteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jeugdregio", "inhabitants", "merged_into")
    search_fields = ("code", "name")


@admin.register(CbsTable)
class CbsTableAdmin(admin.ModelAdmin):
    list_display = ("table_id", "title", "api", "modified", "loaded_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "kind", "rows", "imported_at", "imported_by", "definition")
    list_filter = ("kind", "definition")


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("dataset", "series", "region", "period", "category", "value", "status")
    list_filter = ("dataset", "status")
    search_fields = ("series", "region")


@admin.register(LocalFigure)
class LocalFigureAdmin(admin.ModelAdmin):
    list_display = ("gemeente", "period", "vorm", "measure", "verwijzer", "wijk", "value")
    list_filter = ("vorm", "definition")
