"""The rules reporting registers for project lights: investment behind the time-proportional
target, and a planned start that passed without construction. Both are database expressions."""

import calendar
import datetime

from django.db.models import Q
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from groundbreak.portfolio.choices import Stage, Status
from groundbreak.portfolio.lights import register_light_rule
from groundbreak.reporting.figures import HUNDRED, annual_plan, const, investment_ytd, latest_accepted
from groundbreak.reporting.models import ReportingLightSettings

# Stages after signing and before construction: a signed or landed project whose planned start
# has passed is late to start. The reserve pool's start dates are still wishes.
NOT_STARTED = (Stage.SIGNED, Stage.LANDED)


def thresholds(settings) -> ReportingLightSettings:
    """Reporting's thresholds, read once per computation of the lights: kept on the portfolio
    settings object that every rule of one computation receives."""
    cached = getattr(settings, "_reporting_thresholds", None)
    if cached is None:
        cached = ReportingLightSettings.current()
        if settings is not None:
            settings._reporting_thresholds = cached
    return cached


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _behind(today: datetime.date, points: int, comparison):
    """Investment behind the time-proportional target by `points`:
    share × 100 − ytd × 100 / plan compared with points, written without a division as
    plan × (share × 100 − points) against ytd × 100. Without an accepted report this year or a
    plan the comparison is NULL, so the rule stays silent."""
    year = today.year
    plan = annual_plan(year)
    ytd = investment_ytd(year, until=today)
    share = latest_accepted(year, "year_fraction", until=today)
    target = plan * (share * const(HUNDRED) - const(points))
    return Q(status=Status.ACTIVE) & Q(GreaterThan(plan, const(0))) & Q(comparison(target, ytd * const(HUNDRED)))


def investment_red(today, settings):
    return _behind(today, thresholds(settings).investment_red_points, GreaterThan)


def investment_yellow(today, settings):
    return _behind(today, thresholds(settings).investment_yellow_points, GreaterThanOrEqual)


def start_late_red(today, settings):
    limit = months_before(today, thresholds(settings).start_red_months)
    return Q(status=Status.ACTIVE, stage__in=NOT_STARTED, planned_start__lt=limit)


def start_late_yellow(today, settings):
    return Q(status=Status.ACTIVE, stage__in=NOT_STARTED, planned_start__lt=today)


def register_reporting_rules() -> None:
    register_light_rule(
        "investment_behind",
        _("investment is behind the time-proportional target"),
        red=investment_red,
        yellow=investment_yellow,
    )
    register_light_rule(
        "start_late",
        _("the planned start has passed and construction has not begun"),
        red=start_late_red,
        yellow=start_late_yellow,
    )
