"""Derived figures, computed in the database from accepted reports, never typed twice.

A report carries the investment of its own period. Year to date and since start are sums of the
accepted versions of the project's reports (and its phases'); the annual plan comes from the
project's key lists of that year; the time-proportional target (序时进度) is the share of the
year elapsed at the end of the latest accepted period; indicators add up what each period
achieved.
"""

from decimal import Decimal

from django.db.models import DateField, DecimalField, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from groundbreak.portfolio.lights import project_and_phases
from groundbreak.portfolio.models import KeyListMembership
from groundbreak.reporting.models import IndicatorValue, Report

SUM = DecimalField(max_digits=18, decimal_places=2)
HUNDRED = Decimal(100)


def const(value) -> Value:
    return Value(Decimal(value), output_field=DecimalField(max_digits=18, decimal_places=6))


def total(queryset, field: str, output_field=SUM) -> Subquery:
    """SUM of `field` over `queryset` as a subquery: no GROUP BY, so one row across projects."""
    return Subquery(queryset.order_by().values(total=Func(F(field), function="SUM", output_field=output_field)))


def zero_if_none(expression, output_field=SUM) -> Coalesce:
    return Coalesce(expression, Value(Decimal(0)), output_field=output_field)


def project_reports(outer: str = "pk"):
    """Reports of the project `outer` points at and of its phases: a parent adds up its phases."""
    return Report.objects.filter(project__in=project_and_phases(outer))


def accepted_reports(outer: str = "pk"):
    return project_reports(outer).filter(accepted__isnull=False)


def investment_ytd(year: int, outer: str = "pk", until=None) -> Subquery:
    """Accepted investment of the year (NULL without any accepted report that year)."""
    reports = accepted_reports(outer).filter(round__year=year)
    if until is not None:
        reports = reports.filter(round__period_end__lte=until)
    return total(reports, "accepted__investment")


def investment_since_start(outer: str = "pk") -> Subquery:
    return total(accepted_reports(outer), "accepted__investment")


def latest_accepted(year: int, field: str, outer: str = "pk", until=None) -> Subquery:
    """`field` of the round of the latest accepted report of the year (its date or elapsed share)."""
    reports = accepted_reports(outer).filter(round__year=year)
    if until is not None:
        reports = reports.filter(round__period_end__lte=until)
    return Subquery(reports.order_by("-round__period_end").values(f"round__{field}")[:1])


def annual_plan(year: int, outer: str = "pk") -> Subquery:
    """The project's investment plan for `year` from its key lists. A project on a municipal and a
    district list carries the same plan on both, so it is the largest, not the sum."""
    memberships = KeyListMembership.objects.filter(
        project=OuterRef(outer), key_list__year=year, annual_investment_plan__isnull=False
    )
    return Subquery(
        memberships.order_by().values(plan=Func(F("annual_investment_plan"), function="MAX", output_field=SUM))
    )


def investment_figures(year: int, outer: str = "pk") -> dict:
    """Annotations of a project's investment figures for `year`, for `.annotate(**…)`."""
    return {
        "plan": annual_plan(year, outer),
        "ytd": investment_ytd(year, outer),
        "since_start": investment_since_start(outer),
        "as_of": latest_accepted(year, "period_end", outer),
        "time_share": latest_accepted(year, "year_fraction", outer),
    }


def with_running_totals(reports, *, own: str = "working"):
    """Annotate reports with `ytd` and `since_start`: the accepted reports of earlier rounds of the
    same project, plus this report's own figure (`own`: its working or its accepted version)."""
    earlier = Report.objects.filter(
        project=OuterRef("project"), accepted__isnull=False, round__period_end__lt=OuterRef("round__period_end")
    )
    this = zero_if_none(F(f"{own}__investment"))
    return reports.annotate(
        earlier_ytd=zero_if_none(total(earlier.filter(round__year=OuterRef("round__year")), "accepted__investment")),
        earlier_total=zero_if_none(total(earlier, "accepted__investment")),
    ).annotate(ytd=F("earlier_ytd") + this, since_start=F("earlier_total") + this)


# ---- indicators --------------------------------------------------------------------------------


def _accepted_values():
    """Indicator values of versions in force, within the indicator's own year."""
    return IndicatorValue.objects.filter(
        version__report__accepted=F("version"), version__report__round__year=F("indicator__year")
    )


def with_indicator_progress(indicators):
    """Annotate indicators with `achieved` (the sum of accepted periods) and `met_on` (the end of
    the period in which the sum first reached the target; NULL while it has not)."""
    values = _accepted_values().filter(indicator=OuterRef("pk"))
    running = total(
        _accepted_values().filter(
            indicator=OuterRef("indicator"),
            version__report__round__period_end__lte=OuterRef("version__report__round__period_end"),
        ),
        "value",
    )
    first_reaching = (
        values.annotate(running=running)
        .filter(running__gte=OuterRef("target"))
        .order_by("version__report__round__period_end")
        .values("version__report__round__period_end")[:1]
    )
    return indicators.annotate(
        achieved=zero_if_none(total(values, "value")),
        met_on=Subquery(first_reaching, output_field=DateField()),
    )


def report_indicators(report):
    """The project's indicators of the report's year, with `before` (accepted periods before this
    report's), `achieved` (all accepted periods of the year) and `met_on`."""
    from groundbreak.reporting.models import Indicator

    before = total(
        _accepted_values().filter(
            indicator=OuterRef("pk"), version__report__round__period_end__lt=report.round.period_end
        ),
        "value",
    )
    indicators = Indicator.objects.filter(project=report.project_id, year=report.round.year)
    return with_indicator_progress(indicators).annotate(before=zero_if_none(before)).order_by("order", "id")


def percent(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


def investment_status(figures: dict, thresholds) -> dict:
    """Completion rate against the time-proportional target, in points, with the light the rule gives.

    For the page only: the light rule (`lights`) compares the same quantities in the database.
    """
    plan, ytd, share = figures.get("plan"), figures.get("ytd"), figures.get("time_share")
    rate = percent(ytd, plan)
    time_progress = (Decimal(share) * HUNDRED).quantize(Decimal("0.1")) if share is not None else None
    if rate is None or time_progress is None:
        return {"rate": rate, "time_progress": time_progress, "gap": None, "light": None}
    # Exact, unrounded gap for the light, as the database compares it.
    gap = Decimal(share) * HUNDRED - Decimal(ytd) * HUNDRED / Decimal(plan)
    light = "green"
    if gap > thresholds.investment_red_points:
        light = "red"
    elif gap >= thresholds.investment_yellow_points:
        light = "yellow"
    return {"rate": rate, "time_progress": time_progress, "gap": gap.quantize(Decimal("0.1")), "light": light}
