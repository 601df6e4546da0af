"""Django admin (under /beheer) for setting up municipalities, areas, partners and roles.

Workspace items are shown read-only here, deleted ones included: edits go through the workspace
pages so that every change lands in the history.
"""

from django.contrib import admin

from jeugdstelsel.web.kompas import models as m


class AreaInline(admin.TabularInline):
    model = m.Area
    extra = 0


class OrganisationInline(admin.TabularInline):
    model = m.Organisation
    extra = 0


@admin.register(m.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    inlines = (AreaInline, OrganisationInline)


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "municipality", "role", "organisation")
    list_filter = ("role", "municipality")
    autocomplete_fields = ("municipality",)


@admin.register(m.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "kind", "item_label", "municipality")
    list_filter = ("action", "kind", "municipality")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "area", "deleted_at")
    list_filter = ("area__municipality",)

    def get_queryset(self, request):
        return self.model.all_objects.select_related("area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model in m.ITEM_MODELS:
    admin.site.register(_model, ReadOnlyItemAdmin)
