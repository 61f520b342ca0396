"""Scoped reads of engagements and issues: who sees what, and the counts the pages show.

Issues follow their project (a user sees the issues of the projects they see) and also their
work: a unit sees every issue assigned to it, as lead or co-unit, even on a project outside its
scope. Engagements follow the projects they covered and the people and units who were there.
"""

import datetime

from django.db.models import Avg, BooleanField, Count, DurationField, ExpressionWrapper, F, Q
from django.http import Http404
from django.utils import timezone

from groundbreak.coordination.choices import OPEN_STATUSES, IssueStatus
from groundbreak.coordination.models import Engagement, Issue
from groundbreak.core.i18n import localized
from groundbreak.org.models import Person
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.models import Project

_CoUnit = Issue.co_units.through
_Covered = Engagement.projects.through
_Present = Engagement.units.through
_Attended = Engagement.leaders.through


def _anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def visible_issues(user):
    """Issues the user may see: of a visible project, or assigned to the user's unit."""
    if _anonymous(user):
        return Issue.objects.none()
    if sees_everything(user):
        return Issue.objects.all()
    condition = Q(project__in=Project.objects.for_user(user).values("pk"))
    if user.scope_unit_id:
        condition |= Q(lead_unit=user.scope_unit_id) | Q(
            pk__in=_CoUnit.objects.filter(unit=user.scope_unit_id).values("issue")
        )
    return Issue.objects.filter(condition)


def unit_issues(user):
    """Issues assigned to the user's unit, as lead or co-unit (a user without a unit has none)."""
    if _anonymous(user) or not user.scope_unit_id:
        return Issue.objects.none()
    return Issue.objects.filter(
        Q(lead_unit=user.scope_unit_id) | Q(pk__in=_CoUnit.objects.filter(unit=user.scope_unit_id).values("issue"))
    )


def acts_for_unit(user, issue: Issue, *, lead_only: bool = False) -> bool:
    """Whether the user belongs to the unit the issue is assigned to (the lead unit, or a co-unit)."""
    if _anonymous(user) or not user.scope_unit_id:
        return False
    if issue.lead_unit_id == user.scope_unit_id:
        return True
    return not lead_only and issue.co_units.filter(pk=user.scope_unit_id).exists()


def visible_engagements(user):
    """Engagements that covered a visible project, or that the user's unit or the user attended."""
    if _anonymous(user):
        return Engagement.objects.none()
    if sees_everything(user):
        return Engagement.objects.all()
    visible = Project.objects.for_user(user).values("pk")
    condition = Q(pk__in=_Covered.objects.filter(project__in=visible).values("engagement"))
    condition |= Q(chair__user=user) | Q(pk__in=_Attended.objects.filter(person__user=user).values("engagement"))
    if user.scope_unit_id:
        condition |= Q(pk__in=_Present.objects.filter(unit=user.scope_unit_id).values("engagement"))
    if user.scope_area_id:
        condition |= Q(area__path__startswith=user.scope_area.path)
    return Engagement.objects.filter(condition)


def visible_leaders(user):
    """Leaders whose page the user may open: they lead a visible project or attended a visible engagement."""
    leaders = Person.objects.filter(is_leader=True)
    if _anonymous(user):
        return leaders.none()
    if sees_everything(user):
        return leaders
    engagements = visible_engagements(user).values("pk")
    return leaders.filter(
        Q(pk__in=Project.objects.for_user(user).values("lead_leader"))
        | Q(pk__in=engagements.values("chair"))
        | Q(pk__in=_Attended.objects.filter(engagement__in=engagements).values("person"))
        | Q(user=user)
    )


def get_visible_issue(user, pk: int) -> Issue:
    """The issue if the user may see it; 404 for missing and out-of-scope alike."""
    try:
        return visible_issues(user).select_related("project").get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404 from None


def get_visible_engagement(user, pk: int) -> Engagement:
    """The engagement if the user may see it; 404 for missing and out-of-scope alike."""
    try:
        return visible_engagements(user).get(pk=pk)
    except Engagement.DoesNotExist:
        raise Http404 from None


def overdue_q(today: datetime.date) -> Q:
    """Still with the unit and past its deadline (the deadline day itself is not overdue)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def for_list(issues):
    """Issues ready for a table: related names fetched, co-units prefetched (no per-row queries)."""
    return issues.select_related(
        "project", "category", "lead_unit", "escalation_step", "responsible_person"
    ).prefetch_related("co_units")


_TIME_TO_RESOLVE = ExpressionWrapper(F("resolved_on") - F("raised_on"), output_field=DurationField())


def _days(value) -> float | None:
    """An average duration as days with one decimal (the database hands back a timedelta)."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # microseconds, where a backend returns a number


def _rollup(issues, today, group: tuple[str, ...]) -> list[dict]:
    """Open, overdue and awaiting-verification counts and the average days to resolve, per group,
    in one aggregate query."""
    rows = (
        issues.order_by()
        .values(*group)
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(today)),
            awaiting=Count("pk", filter=Q(status=IssueStatus.RESOLVED)),
            resolved=Count("pk", filter=Q(resolved_on__isnull=False)),
            avg_duration=Avg(_TIME_TO_RESOLVE, filter=Q(resolved_on__isnull=False)),
        )
        .order_by("-overdue", "-open", *group)
    )
    result = []
    for row in rows:
        row["avg_days"] = _days(row.pop("avg_duration"))
        row["name"] = localized(row.get(f"{group[1]}") or "", row.get(f"{group[2]}") or "")
        row["pk"] = row[group[0]]
        result.append(row)
    return result


def board_rollups(issues, today: datetime.date) -> dict:
    """The supervision board's groupings of `issues` (already scoped and filtered)."""
    totals = issues.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        awaiting=Count("pk", filter=Q(status=IssueStatus.RESOLVED)),
        unassigned=Count("pk", filter=Q(status__in=OPEN_STATUSES, lead_unit__isnull=True)),
        on_agenda=Count("pk", filter=Q(status__in=OPEN_STATUSES, escalation_step__target="agenda")),
        avg_duration=Avg(_TIME_TO_RESOLVE, filter=Q(resolved_on__isnull=False)),
    )
    totals["avg_days"] = _days(totals.pop("avg_duration"))
    return {
        "totals": totals,
        "by_unit": _rollup(issues, today, ("lead_unit", "lead_unit__name", "lead_unit__name_en")),
        "by_category": _rollup(issues, today, ("category", "category__name", "category__name_en")),
    }


def issue_counts(issues, today: datetime.date) -> dict:
    """Open, overdue, awaiting-verification and closed counts of `issues`, in one query."""
    return issues.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        awaiting=Count("pk", filter=Q(status=IssueStatus.RESOLVED)),
        closed=Count("pk", filter=Q(status=IssueStatus.CLOSED)),
    )


def project_issue_context(user, project: Project, today: datetime.date | None = None) -> dict:
    """The issues section of a project page: its unclosed issues, overdue ones marked by the
    database. One query (two with co-units to show): every app's section shares the project
    page's small query budget, so the engagements that covered it load separately."""
    today = today or timezone.localdate()
    issues = list(
        for_list(project.issues.exclude(status=IssueStatus.CLOSED))
        .annotate(overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))
        .order_by("deadline", "id")
    )
    return {
        "project_issues": issues,
        "project_issue_counts": {
            "open": sum(1 for issue in issues if issue.status in OPEN_STATUSES),
            "overdue": sum(1 for issue in issues if issue.overdue),
            "awaiting": sum(1 for issue in issues if issue.status == IssueStatus.RESOLVED),
        },
    }
