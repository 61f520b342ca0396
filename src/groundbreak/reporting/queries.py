"""Scoped reads of rounds and reports as pages (and later the API and briefings) need them.

Rounds are seen by users whose area holds them and by anyone with a report in them; reports by
anyone who may see their project. Every read here runs a fixed number of queries.
"""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.http import Http404

from groundbreak.org.permissions import has_perm, sees_everything
from groundbreak.org.scoping import scope_q
from groundbreak.portfolio.models import Project
from groundbreak.reporting.choices import AWAITING_REVIEW, OPEN_FOR_FILLING, SUBMITTED_STATUSES, ReportStatus, Reviewer
from groundbreak.reporting.figures import with_running_totals
from groundbreak.reporting.models import IndicatorValue, Report, ReportEvent, ReportingRound, ReportVersion

REPORT_SORTS = {
    "code": ("project__code",),
    "unit": ("project__responsible_unit__name", "project__code"),
    "status": ("status", "project__code"),
    "submitted": ("first_submitted_on", "project__code"),
    "investment": ("working__investment", "project__code"),
}
ROUND_SORTS = {
    "period": ("period_end", "area__path"),
    "area": ("area__path", "-period_end"),
    "due": ("due_on", "area__path"),
}


def visible_rounds(user):
    """Rounds of the user's area subtree, and rounds holding a report the user may see."""
    rounds = ReportingRound.objects.select_related("area")
    if sees_everything(user):
        return rounds
    with_visible_report = Exists(
        Report.objects.filter(round=OuterRef("pk"), project__in=Project.objects.for_user(user))
    )
    return rounds.filter(scope_q(user, area="area") | Q(with_visible_report))


def get_visible_round(user, pk: int) -> ReportingRound:
    """The round if the user may see it; 404 for missing and out-of-scope alike."""
    try:
        return visible_rounds(user).get(pk=pk)
    except ReportingRound.DoesNotExist:
        raise Http404 from None


def visible_reports(user):
    return Report.objects.filter(project__in=Project.objects.for_user(user))


def get_visible_report(user, pk: int) -> Report:
    """The report if the user may see its project; 404 for missing and out-of-scope alike."""
    try:
        return visible_reports(user).select_related("round__area", "project__area", "project__zone").get(pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _counts() -> dict:
    # A report under correction is back in draft but its accepted version still counts.
    done = Q(status__in=SUBMITTED_STATUSES) | Q(accepted__isnull=False)
    return {
        "expected": Count("id"),
        "submitted": Count("id", filter=done),
        "accepted": Count("id", filter=Q(accepted__isnull=False)),
        "returned": Count("id", filter=Q(status=ReportStatus.RETURNED)),
        "late": Count("id", filter=Q(first_submitted_on__gt=F("round__due_on"))),
    }


def completeness(reports) -> dict:
    """Expected, submitted, accepted, returned, late and missing reports of `reports`, and the
    accepted investment, in one query."""
    # The sum first: the "accepted" count would otherwise hide the relation of that name.
    row = reports.order_by().aggregate(investment=Sum("accepted__investment"), **_counts())
    row["missing"] = row["expected"] - row["submitted"]
    return row


def completeness_by_unit(reports) -> list[dict]:
    """The same counts per responsible unit, in one query."""
    rows = (
        reports.order_by()
        .values(
            unit_id=F("project__responsible_unit"),
            unit_name=F("project__responsible_unit__name"),
            unit_name_en=F("project__responsible_unit__name_en"),
        )
        .annotate(**_counts())
        .order_by("unit_name")
    )
    return [row | {"missing": row["expected"] - row["submitted"]} for row in rows]


def round_reports(round: ReportingRound, user):
    """The round's reports the user may see, ready for a table."""
    return round.reports.filter(project__in=Project.objects.for_user(user)).select_related(
        "project__responsible_unit", "working", "accepted"
    )


def missing_reports(round: ReportingRound, user):
    """Reports of the round still with their owners (never submitted, or returned), by unit."""
    return (
        round_reports(round, user)
        .filter(status__in=OPEN_FOR_FILLING, accepted__isnull=True)
        .select_related("project__owner_unit")
        .order_by("project__responsible_unit__name", "project__code")
    )


def review_queue(user):
    """Reports waiting for the user's own level of review."""
    reports = visible_reports(user).filter(status__in=AWAITING_REVIEW)
    if not sees_everything(user):
        condition = Q(pk__in=[])
        if has_perm(user, "report.review") and user.scope_unit_id:
            condition |= Q(awaiting__in=[Reviewer.RESPONSIBLE_UNIT, Reviewer.UNIT], awaiting_unit=user.scope_unit_id)
        if has_perm(user, "report.accept") and user.scope_area_id:
            condition |= Q(awaiting=Reviewer.COORDINATOR) & scope_q(user, area=("project__area", "project__zone"))
        reports = reports.filter(condition)
    return reports.select_related("round__area", "project__responsible_unit", "working").order_by(
        "round__due_on", "first_submitted_on", "pk"
    )


def fill_queue(user):
    """Reports the user's unit has to fill in or fix: drafts and returned reports of open rounds,
    and corrections under way."""
    if not has_perm(user, "report.fill"):
        return Report.objects.none()
    return (
        visible_reports(user)
        .filter(status__in=OPEN_FOR_FILLING)
        .filter(Q(round__status="open") | Q(accepted__isnull=False))
        .select_related("round__area", "project__responsible_unit", "working")
        .order_by("round__due_on", "project__code")
    )


def report_page(user, pk: int) -> dict:
    """The report with its running totals, versions, timeline and photos (a fixed number of queries)."""
    try:
        report = (
            with_running_totals(visible_reports(user))
            .select_related(
                "round__area",
                "project__area",
                "project__zone",
                "project__responsible_unit",
                "project__owner_unit",
                "working",
                "accepted",
                "awaiting_unit",
            )
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=ReportVersion.objects.select_related("created_by__person", "accepted_by__person")
                    .prefetch_related(
                        Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator"))
                    )
                    .order_by("-number"),
                ),
                Prefetch("events", queryset=ReportEvent.objects.select_related("by__person").order_by("at", "id")),
                "photos",
            )
            .get(pk=pk)
        )
    except Report.DoesNotExist:
        raise Http404 from None
    versions = list(report.versions.all())
    working = next((v for v in versions if v.pk == report.working_id), None)
    return {"report": report, "versions": versions, "working": working}


def previous_report(report: Report) -> Report | None:
    """The project's report of the latest round before this one, with its accepted running totals."""
    return (
        with_running_totals(
            Report.objects.filter(project=report.project_id, round__period_end__lt=report.round.period_start),
            own="accepted",
        )
        .select_related("round", "working", "accepted")
        .prefetch_related(Prefetch("accepted__indicator_values", queryset=IndicatorValue.objects.all()))
        .order_by("-round__period_end")
        .first()
    )
