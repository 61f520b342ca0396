"""Figures of an area's reports rolled up through the territory tree: a district's accepted
reports count in its city's and province's views (by area path prefix, in the database)."""

import calendar
import datetime

from django.db.models import OuterRef, Q, Subquery

from groundbreak.core.subqueries import count_of
from groundbreak.org.choices import AreaKind
from groundbreak.org.models import Area
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.models import Project
from groundbreak.reporting.choices import SUBMITTED_STATUSES
from groundbreak.reporting.figures import total, zero_if_none
from groundbreak.reporting.models import Report, ReportingRound, RoundSubmission


def rollup_areas(user):
    """Areas whose roll-up the user may open: their area subtree (everything for administrators)."""
    if sees_everything(user):
        return Area.objects.all()
    if not user.scope_area_id:
        return Area.objects.none()
    return Area.objects.subtree(user.scope_area)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def default_month(area: Area, today: datetime.date) -> tuple[int, int]:
    """The month of the latest round ended in the area's subtree, else the month before today."""
    latest = (
        ReportingRound.objects.filter(area__path__startswith=area.path, period_end__lte=today)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if latest is None:
        latest = today.replace(day=1) - datetime.timedelta(days=1)
    return latest.year, latest.month


def _annotations(reports, path_lookup: str, end: datetime.date) -> dict:
    """Counts and sums of the reports under the outer area (matched on `path_lookup`)."""
    under = reports.filter(**{f"{path_lookup}__startswith": OuterRef("path")})
    in_period = under.filter(round__period_end__gte=end.replace(day=1))
    done = Q(status__in=SUBMITTED_STATUSES) | Q(accepted__isnull=False)
    return {
        "expected": count_of(in_period),
        "submitted": count_of(in_period.filter(done)),
        "accepted": count_of(in_period.filter(accepted__isnull=False)),
        "investment": zero_if_none(total(in_period.filter(accepted__isnull=False), "accepted__investment")),
        "ytd": zero_if_none(total(under.filter(accepted__isnull=False, round__year=end.year), "accepted__investment")),
    }


def rollup(user, area: Area, year: int, month: int) -> dict:
    """The area's month: one row per administrative child area (and one for projects directly in
    the area), the zones within it, and the whole, each with expected, submitted and accepted
    reports, accepted investment of the month and of the year to that month. Four queries."""
    start, end = month_bounds(year, month)
    reports = Report.objects.filter(
        project__in=Project.objects.for_user(user),
        round__period_end__lte=end,
        round__period_end__gte=datetime.date(year, 1, 1),
    )
    latest_submission = RoundSubmission.objects.filter(
        round__area=OuterRef("pk"), round__period_end__gte=start, round__period_end__lte=end
    ).order_by("-submitted_at", "-id")
    children = list(
        area.children.exclude(kind=AreaKind.ZONE)
        .annotate(**_annotations(reports, "project__area__path", end))
        .annotate(
            submission=Subquery(latest_submission.values("status")[:1]),
            has_round=count_of(
                ReportingRound.objects.filter(area=OuterRef("pk"), period_end__gte=start, period_end__lte=end)
            ),
        )
        .order_by("path")
    )
    zones = list(
        Area.objects.filter(path__startswith=area.path, kind=AreaKind.ZONE)
        .exclude(pk=area.pk)
        .annotate(**_annotations(reports, "project__zone__path", end))
        .filter(expected__gt=0)
        .order_by("path")
    )
    whole = Area.objects.filter(pk=area.pk).annotate(**_annotations(reports, "project__area__path", end)).get()
    direct = (
        Area.objects.filter(pk=area.pk)
        .annotate(**_annotations(reports.filter(project__area=area), "project__area__path", end))
        .get()
    )
    return {
        "area": area,
        "start": start,
        "end": end,
        "children": children,
        "direct": direct,
        "zones": zones,
        "whole": whole,
    }
