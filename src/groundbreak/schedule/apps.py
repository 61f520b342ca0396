from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "groundbreak.schedule"
    label = "schedule"
    verbose_name = _("Schedule")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.schedule import models
        from groundbreak.schedule.lights import register_schedule_rules

        track(models.Milestone, parent="project", exclude=("version",))
        track(models.Replan, parent="milestone.project")
        track(models.MilestoneKind)
        track(models.MilestoneTemplate)
        track(models.ReplanReason)
        track(models.ScheduleSettings)
        register_schedule_rules()

        from groundbreak.portfolio.sections import register_project_section
        from groundbreak.schedule.sections import milestone_section_context

        register_project_section(
            "milestones", template="schedule/_milestones.html", context=milestone_section_context, order=10
        )
