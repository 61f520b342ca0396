from django.contrib import admin

from groundbreak.schedule.models import (
    Milestone,
    MilestoneKind,
    MilestoneTemplate,
    MilestoneTemplateItem,
    Replan,
    ReplanReason,
    ScheduleSettings,
)


@admin.register(MilestoneKind)
class MilestoneKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "evidence", "is_approval", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name", "name_en"]


class TemplateItemInline(admin.TabularInline):
    model = MilestoneTemplateItem
    extra = 1


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "category"]
    inlines = [TemplateItemInline]


@admin.register(ReplanReason)
class ReplanReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order"]


class ReplanInline(admin.TabularInline):
    model = Replan
    extra = 0
    can_delete = False
    readonly_fields = ["old_date", "new_date", "reason", "note", "status", "requested_by", "requested_at"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "planned_date", "actual_date", "replan_count"]
    search_fields = ["project__code", "project__name", "name"]
    autocomplete_fields = ["project", "responsible_unit"]
    readonly_fields = ["replan_count"]
    inlines = [ReplanInline]


admin.site.register(ScheduleSettings)
