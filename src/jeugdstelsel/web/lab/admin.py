from django.contrib import admin, messages
from django.db import transaction

from jeugdstelsel.web.lab.models import Run, Scenario


def free_name(scenario: Scenario) -> str:
    """The scenario's name, or "<name> (teruggezet)", "(teruggezet 2)", ... when a live scenario
    of the municipality has taken it since it was deleted."""
    live = Scenario.objects.filter(municipality_id=scenario.municipality_id).exclude(
        pk=scenario.pk
    )
    name, n = scenario.name, 1
    while live.filter(name__iexact=name).exists():
        suffix = " (teruggezet)" if n == 1 else f" (teruggezet {n})"
        name, n = scenario.name[: 120 - len(suffix)] + suffix, n + 1
    return name


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "owner", "shared", "updated_at", "deleted_at")
    list_filter = ("municipality", "shared")
    actions = ("restore",)

    def get_queryset(self, request):
        return Scenario.all_objects.select_related("municipality", "owner")

    @admin.action(description="Verwijderde scenario's terugzetten")
    def restore(self, request, queryset):
        """Why renamed: a deleted scenario's name may be in use again (names are unique among
        live scenarios of a municipality); restoring must not fail on that."""
        renamed = []
        with transaction.atomic():
            for scenario in queryset.filter(deleted_at__isnull=False).order_by("deleted_at"):
                name = free_name(scenario)
                if name != scenario.name:
                    renamed.append(f"“{scenario.name}” heet nu “{name}”")
                scenario.name, scenario.deleted_at = name, None
                scenario.save(update_fields=["name", "deleted_at", "updated_at"])
        text = "De scenario's zijn teruggezet."
        if renamed:
            text += " De naam was weer in gebruik: " + "; ".join(renamed) + "."
        self.message_user(request, text, messages.SUCCESS)


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("plan", "reference", "status", "created_at", "finished_at", "worker")
    list_filter = ("status",)
    readonly_fields = ("spec", "result", "details", "error", "details_error")
