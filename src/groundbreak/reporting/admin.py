from django.contrib import admin

from groundbreak.reporting.models import (
    Indicator,
    ReportingLightSettings,
    ReportingPolicy,
    ReportingRound,
    ReviewStep,
)


@admin.register(ReportingPolicy)
class ReportingPolicyAdmin(admin.ModelAdmin):
    list_display = ["area", "frequency", "due_days", "remind_days"]
    autocomplete_fields = ["area"]


@admin.register(ReviewStep)
class ReviewStepAdmin(admin.ModelAdmin):
    list_display = ["area", "order", "reviewer", "unit"]
    list_filter = ["reviewer"]
    autocomplete_fields = ["area", "unit"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin):
    list_display = ["area", "period_start", "period_end", "due_on", "status"]
    list_filter = ["status", "year"]
    # Rounds open, close and freeze through the business actions, which check and record them.
    readonly_fields = ["area", "period_start", "period_end", "status", "closed_at", "closed_by", "opened_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["project", "name", "target", "unit", "year", "target_date"]
    list_filter = ["year", "unit"]
    search_fields = ["name", "name_en", "project__code"]
    autocomplete_fields = ["project"]


admin.site.register(ReportingLightSettings)
