"""Milestone lights, and the rules schedule registers for project lights."""

import datetime

from django.db.models import Case, CharField, Exists, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.portfolio.choices import Light, Status
from groundbreak.portfolio.lights import project_and_phases, register_light_rule


def milestone_red_q(today: datetime.date) -> Q:
    """Past its planned date and not done."""
    return Q(actual_date__isnull=True, planned_date__lt=today)


def milestone_yellow_q(today: datetime.date, settings) -> Q:
    """Not done and due within the window, or re-planned more often than allowed."""
    due_by = today + datetime.timedelta(days=settings.due_soon_days)
    return Q(actual_date__isnull=True) & (
        Q(planned_date__gte=today, planned_date__lte=due_by) | Q(replan_count__gt=settings.replan_limit)
    )


def milestone_light(today: datetime.date | None = None, settings=None):
    from groundbreak.portfolio.models import LightSettings

    today = today or timezone.localdate()
    settings = settings or LightSettings.current()
    return Case(
        When(milestone_red_q(today), then=Value(Light.RED)),
        When(milestone_yellow_q(today, settings), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


def _project_milestones():
    """The nodes of the project and of its active phases: a parent shows its worst phase."""
    from groundbreak.schedule.models import Milestone

    return Milestone.objects.filter(project__in=project_and_phases("pk", active_phases_only=True))


def _overdue_node(today, settings):
    # A paused project's clock stops: its nodes do not turn it red while paused.
    return Q(status=Status.ACTIVE) & Q(Exists(_project_milestones().filter(milestone_red_q(today))))


def _node_at_risk(today, settings):
    return Q(status=Status.ACTIVE) & Q(Exists(_project_milestones().filter(milestone_yellow_q(today, settings))))


def register_schedule_rules() -> None:
    from groundbreak.portfolio.stored_lights import register_light_input
    from groundbreak.schedule.models import Milestone

    register_light_input(
        Milestone,
        lambda node: (node.project_id,),
        fields=("planned_date", "actual_date", "replan_count"),
        project_fields=("project",),
    )
    register_light_rule("node_overdue", _("a node is past its planned date"), red=_overdue_node)
    register_light_rule("node_at_risk", _("a node is due soon or was re-planned too often"), yellow=_node_at_risk)
