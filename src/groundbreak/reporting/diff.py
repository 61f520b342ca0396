"""What changed since the previous round: every figure of the report against the project's
previous report, and the time nodes met or moved between the two report dates."""

import datetime
from decimal import Decimal

from django.db.models import DateTimeField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.reporting.figures import percent, report_indicators
from groundbreak.reporting.models import Report
from groundbreak.reporting.queries import previous_report

FIGURES = (
    ("investment", _("investment this period (yuan)"), True),
    ("ytd", _("investment year to date (yuan)"), True),
    ("since_start", _("investment since the first report (yuan)"), True),
    ("physical_progress", _("physical progress (%)"), False),
    ("workers_on_site", _("workers on site"), False),
)


def _figures(report: Report, version) -> dict:
    if version is None:
        return {}
    return {
        "investment": version.investment,
        "ytd": report.ytd,
        "since_start": report.since_start,
        "physical_progress": version.physical_progress,
        "workers_on_site": version.workers_on_site,
    }


def _change(before, after):
    if before is None or after is None:
        return None
    return Decimal(after) - Decimal(before)


def figure_rows(report: Report, working, previous: Report | None) -> list[dict]:
    now = _figures(report, working)
    then = _figures(previous, previous.accepted) if previous is not None else {}
    rows = []
    for key, label, is_money in FIGURES:
        before, after = then.get(key), now.get(key)
        change = _change(before, after)
        rows.append(
            {
                "key": key,
                "label": label,
                "money": is_money,
                "before": before,
                "after": after,
                "change": change,
                # The sign apart, so a fall reads "−¥1.2 m", not "¥-1.2 m".
                "sign": "" if change is None or change == 0 else ("+" if change > 0 else "−"),
                "size": abs(change) if change is not None else None,
            }
        )
    return rows


def indicator_rows(report: Report, working, previous: Report | None) -> list[dict]:
    """Each indicator of the year: this period's value against the previous report's, and the
    total achieved before and after this report."""
    values = {v.indicator_id: v.value for v in working.indicator_values.all()} if working is not None else {}
    previous_values = {}
    if previous is not None and previous.accepted is not None:
        previous_values = {v.indicator_id: v.value for v in previous.accepted.indicator_values.all()}
    rows = []
    for indicator in report_indicators(report):
        value = values.get(indicator.pk)
        after = indicator.before + (value or 0)
        rows.append(
            {
                "indicator": indicator,
                "value": value,
                "previous_value": previous_values.get(indicator.pk),
                "before": indicator.before,
                "after": after,
                "percent": percent(after, indicator.target),
                "met_on": indicator.met_on,
                "ahead": indicator.met_on is not None and indicator.met_on < indicator.target_date,
            }
        )
    return rows


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def milestone_changes(project, after: datetime.date, until: datetime.date) -> dict:
    """Nodes met, and planned dates moved, after `after` up to and including `until`."""
    from groundbreak.schedule.choices import ReplanStatus
    from groundbreak.schedule.models import Milestone, Replan

    met = list(
        Milestone.objects.filter(project=project, actual_date__gt=after, actual_date__lte=until)
        .select_related("kind")
        .order_by("actual_date", "id")
    )
    window = (_day_start(after + datetime.timedelta(days=1)), _day_start(until + datetime.timedelta(days=1)))
    moved = list(
        Replan.objects.filter(milestone__project=project, status__in=[ReplanStatus.APPLIED, ReplanStatus.APPROVED])
        .annotate(effective=Coalesce("decided_at", "requested_at", output_field=DateTimeField()))
        .filter(effective__gte=window[0], effective__lt=window[1])
        .select_related("milestone__kind", "reason")
        .order_by("effective", "id")
    )
    return {"met": met, "moved": moved, "after": after, "until": until}


def report_diff(report: Report, working) -> dict:
    """Everything the report page shows under "since the previous round"."""
    previous = previous_report(report)
    since = (
        previous.round.period_end if previous is not None else report.round.period_start - datetime.timedelta(days=1)
    )
    return {
        "previous": previous,
        "figures": figure_rows(report, working, previous),
        "indicators": indicator_rows(report, working, previous),
        "milestones": milestone_changes(report.project, since, report.round.period_end),
    }
