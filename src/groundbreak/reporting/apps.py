from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "groundbreak.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.portfolio.sections import register_project_section
        from groundbreak.reporting import adapters, models
        from groundbreak.reporting.lights import register_reporting_rules
        from groundbreak.reporting.reminders import remind_missing_reports
        from groundbreak.reporting.sections import reports_section_context

        track(models.ReportingRound, parent="area")
        track(models.Report, parent="project")
        track(models.ReportVersion, parent="report.project")
        track(models.IndicatorValue, parent="indicator.project")
        track(models.Indicator, parent="project")
        track(models.ReportPhoto, parent="report.project")
        track(models.RoundSubmission, parent="round")
        track(models.ReviewStep, parent="area")
        track(models.ReportingPolicy, parent="area")
        track(models.ReportingLightSettings)
        register_reporting_rules()
        register_project_section(
            "reports", template="reporting/_project_reports.html", context=reports_section_context, order=30
        )
        adapters.register_daily_check("reporting.missing_reports", remind_missing_reports)
