from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "groundbreak.coordination"
    label = "coordination"
    verbose_name = _("Coordination")

    def ready(self):
        from groundbreak.audit.recording import track
        from groundbreak.coordination import models

        track(models.Engagement, exclude=("version",))
        track(models.Decision, parent="engagement")
        track(models.Attachment, parent="engagement")
        track(models.Issue, parent="project", exclude=("version",))
        track(models.IssueResponse, parent="issue")
        track(models.DeadlineChange, parent="issue")
        track(models.Instruction, parent="project")
        track(models.IssueCategory)
        track(models.EscalationStep)

        from groundbreak.coordination.lights import register_coordination_rules

        register_coordination_rules()

        from groundbreak.coordination.sections import issue_section_context
        from groundbreak.portfolio.sections import register_project_section

        register_project_section(
            "issues", template="coordination/_project_issues.html", context=issue_section_context, order=20
        )

        from groundbreak.coordination.escalation import daily_escalation
        from groundbreak.coordination.notifying import register_daily_check

        register_daily_check("coordination.escalate_overdue_issues", daily_escalation)
