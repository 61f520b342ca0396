"""The rule coordination registers for project lights: an overdue issue turns a project red."""

from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from groundbreak.portfolio.choices import Status
from groundbreak.portfolio.lights import project_and_phases, register_light_rule


def _overdue_issue(today, settings):
    from groundbreak.coordination.models import Issue
    from groundbreak.coordination.queries import overdue_q

    # As with time nodes, a parent shows its worst active phase, and a paused project's clock stops.
    issues = Issue.objects.filter(project__in=project_and_phases("pk", active_phases_only=True))
    return Q(status=Status.ACTIVE) & Q(Exists(issues.filter(overdue_q(today))))


def register_coordination_rules() -> None:
    from groundbreak.coordination.models import Issue
    from groundbreak.portfolio.stored_lights import register_light_input

    register_light_input(
        Issue, lambda issue: (issue.project_id,), fields=("status", "deadline"), project_fields=("project",)
    )
    register_light_rule("issue_overdue", _("an issue is past its deadline"), red=_overdue_issue)
