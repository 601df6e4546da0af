from django.contrib import admin

from jeugdstelsel.web.lab.models import Run, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "owner", "shared", "updated_at", "deleted_at")
    list_filter = ("municipality", "shared")
    actions = ("restore",)

    def get_queryset(self, request):
        return Scenario.all_objects.select_related("municipality", "owner")

    @admin.action(description="Verwijderde scenario's terugzetten")
    def restore(self, request, queryset):
        queryset.update(deleted_at=None)


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("plan", "reference", "status", "created_at", "finished_at", "worker")
    list_filter = ("status",)
    readonly_fields = ("spec", "result", "details", "error", "details_error")
