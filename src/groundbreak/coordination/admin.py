from django.contrib import admin

from groundbreak.coordination.models import EscalationStep, IssueCategory


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name", "name_en"]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ["target", "days_overdue"]
    list_editable = ["days_overdue"]
