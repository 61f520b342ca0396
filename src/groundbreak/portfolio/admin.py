from django.contrib import admin

from groundbreak.portfolio.models import (
    KeyFigure,
    KeyList,
    KeyListMembership,
    LightOverride,
    LightSettings,
    Project,
    StageChange,
)


class KeyFigureInline(admin.TabularInline):
    model = KeyFigure
    extra = 0


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["kind", "from_stage", "to_stage", "on", "note", "by", "created_at"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "stage", "status", "area"]
    list_filter = ["stage", "status", "category"]
    search_fields = ["code", "name", "name_en", "investment_code"]
    autocomplete_fields = [
        "area",
        "zone",
        "owner_unit",
        "lead_leader",
        "responsible_unit",
        "responsible_person",
        "parent",
    ]
    # Stage and status move through the business actions, which keep the history.
    readonly_fields = ["stage", "status"]
    inlines = [KeyFigureInline, StageChangeInline]


class MembershipInline(admin.TabularInline):
    model = KeyListMembership
    extra = 0
    autocomplete_fields = ["project"]


@admin.register(KeyList)
class KeyListAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "level", "area"]
    list_filter = ["year", "level"]
    search_fields = ["name", "name_en"]
    inlines = [MembershipInline]


@admin.register(LightOverride)
class LightOverrideAdmin(admin.ModelAdmin):
    list_display = ["project", "light", "expires_on", "withdrawn", "by"]
    autocomplete_fields = ["project"]


admin.site.register(LightSettings)
