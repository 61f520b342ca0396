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


def _round_projects(round_):
    return round_.reports.filter(accepted__isnull=False).values_list("project_id", flat=True)


def _key_list_projects(key_list):
    return key_list.memberships.values_list("project_id", flat=True)


def register_reporting_rules() -> None:
    from groundbreak.portfolio.models import KeyList, KeyListMembership
    from groundbreak.portfolio.stored_lights import (
        register_global_light_input,
        register_light_input,
        register_stored_figure,
    )
    from groundbreak.reporting.models import Report, ReportingRound

    # Investment to date counts accepted reports of rounds by their year and period; the annual
    # plan is the largest plan among the project's key lists of the year.
    register_light_input(
        Report, lambda report: (report.project_id,), fields=("accepted", "round"), project_fields=("project",)
    )
    register_light_input(ReportingRound, _round_projects, fields=("year", "period_end", "year_fraction"))
    register_light_input(
        KeyListMembership,
        lambda membership: (membership.project_id,),
        fields=("annual_investment_plan", "key_list"),
        project_fields=("project",),
    )
    register_light_input(KeyList, _key_list_projects, fields=("year",))
    register_global_light_input(ReportingLightSettings)
    register_stored_figure("stored_year_plan", lambda today: annual_plan(today.year))
    register_stored_figure("stored_year_ytd", lambda today: investment_ytd(today.year, until=today))
    register_stored_figure("stored_year_share", lambda today: latest_accepted(today.year, "year_fraction", until=today))
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
