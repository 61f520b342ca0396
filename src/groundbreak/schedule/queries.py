"""Scoped reads of time nodes: a project's timeline, what is due for a user, re-plans to decide."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from groundbreak.org.queries import responsible_unit_choices
from groundbreak.portfolio.models import LightSettings, Project
from groundbreak.schedule.choices import ReplanStatus
from groundbreak.schedule.lights import milestone_light
from groundbreak.schedule.models import Milestone, Replan


def project_milestones(user, project: Project, today=None, settings=None) -> dict:
    """The project's nodes with their lights and re-plan history (3 queries whatever their number)."""
    today = today or timezone.localdate()
    settings = settings or LightSettings.current()
    milestones = list(
        project.milestones.annotate(light=milestone_light(today, settings))
        .select_related("kind", "responsible_unit")
        .prefetch_related(
            Prefetch(
                "replans",
                queryset=Replan.objects.select_related("reason", "requested_by__person", "decided_by__person"),
            )
        )
        .order_by("planned_date", "order", "id")
    )
    slips = [{"milestone": m, "days": m.slip_days} for m in milestones if m.slip_days]
    return {
        "milestones": milestones,
        "slips": slips,
        "total_slip_days": sum(s["days"] for s in slips if s["days"] > 0),
        "replan_total": sum(m.replan_count for m in milestones),
        "pending_replans": [r for m in milestones for r in m.replans.all() if r.status == ReplanStatus.PENDING],
    }


def visible_milestones(user):
    return Milestone.objects.filter(project__in=Project.objects.for_user(user))


def due_soon(user, *, days: int = 30, today=None):
    """Open nodes of the user's projects due within `days` or already overdue, earliest first."""
    today = today or timezone.localdate()
    return (
        visible_milestones(user)
        .filter(actual_date__isnull=True, planned_date__lte=today + datetime.timedelta(days=days))
        .annotate(light=milestone_light(today))
        .select_related("project", "kind", "responsible_unit")
        .order_by("planned_date", "id")
    )


def pending_replans(user):
    """Re-plan requests awaiting a decision, in the user's scope."""
    return (
        Replan.objects.filter(status=ReplanStatus.PENDING, milestone__project__in=Project.objects.for_user(user))
        .select_related("milestone__project", "milestone__kind", "reason", "requested_by__person")
        .order_by("requested_at")
    )


def node_unit_choices(project=None):
    """The units a time node of `project` may be given: the government units of the project's
    area chain (district and zone) and the project's own owner and responsible units, not any of
    the thousands of enterprises. Without a project, every government unit."""
    if project is None:
        return responsible_unit_choices()
    return responsible_unit_choices(
        areas=(project.area, project.zone), also=(project.owner_unit_id, project.responsible_unit_id)
    )
