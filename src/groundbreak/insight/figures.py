"""The statistics every insight page shares, as database aggregates over projects.

A project's investment figures for the year come from reporting (`with_investment`); the
statistics of a set of projects (its lights, start and completion rates, investment completion
against the time-proportional target, and how many projects are ahead, on schedule or behind it)
are aggregate expressions (`statistics`), so a page groups them by leader, sums them per area or
takes them for a whole scope in one query. `rates` turns the aggregated counts and sums into
percentages.
"""

import datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from groundbreak.portfolio.choices import STAGE_ORDER, Light, Stage
from groundbreak.portfolio.models import Project
from groundbreak.reporting.figures import HUNDRED, annual_plan, const, investment_ytd, latest_accepted, percent
from groundbreak.reporting.lights import thresholds

STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSTRUCTION) :]
COMPLETED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.COMPLETED) :]
MONEY = DecimalField(max_digits=18, decimal_places=2)
SHARE = DecimalField(max_digits=7, decimal_places=6)


def with_investment(projects, today: datetime.date):
    """The projects of `projects` annotated with `year_plan` (this year's plan from the key lists),
    `year_ytd` (accepted investment of the year up to today) and `year_share` (the share of the year elapsed
    at the end of the latest accepted period: the time-proportional target, 序时进度).

    Filtered by primary key, so the light and the joins of the list do not weigh on the sums.
    Each figure is the one stored with the project's light where that was computed for `today`
    (portfolio/stored_lights.py, registered by reporting), else evaluated from the reports: the
    statistics refer to each figure many times, and a stored column costs nothing to repeat."""
    year = today.year
    return Project.objects.filter(pk__in=projects.values("pk")).annotate(
        year_plan=stored_or(today, "stored_year_plan", annual_plan(year), MONEY),
        year_ytd=stored_or(today, "stored_year_ytd", investment_ytd(year, until=today), MONEY),
        year_share=stored_or(today, "stored_year_share", latest_accepted(year, "year_fraction", until=today), SHARE),
    )


def stored_or(today: datetime.date, field: str, expression, output_field, *, project: str = "") -> Case:
    """The project's stored figure `field` where it was computed for `today`, else `expression`
    (evaluated only for the projects whose figures are stale). `project` is the path to the
    project from the rows being annotated ("project" for key-list memberships)."""
    prefix = f"{project}__" if project else ""
    return Case(
        When(**{f"{prefix}light_on": today}, then=F(f"{prefix}{field}")), default=expression, output_field=output_field
    )


def behind_points(settings) -> int:
    """The points behind the time-proportional target from which a project counts as behind: the
    yellow threshold of reporting's light rule, read once per request with the light settings."""
    return thresholds(settings).investment_yellow_points


def _judged() -> Q:
    """Projects whose investment can be judged: a plan for the year and an accepted report in it."""
    return Q(year_plan__gt=0, year_share__isnull=False)


def _ahead() -> Q:
    """Completion at or above the time-proportional target: ytd ÷ plan ≥ share, without division."""
    return Q(
        GreaterThanOrEqual(
            Coalesce(F("year_ytd"), Value(Decimal(0)), output_field=MONEY), F("year_plan") * F("year_share")
        )
    )


def _behind(points: int) -> Q:
    """Behind the target by `points` or more, as the yellow light rule of reporting compares it:
    plan × (share × 100 − points) ≥ ytd × 100."""
    ytd = Coalesce(F("year_ytd"), Value(Decimal(0)), output_field=MONEY)
    return Q(
        GreaterThanOrEqual(F("year_plan") * (F("year_share") * const(HUNDRED) - const(points)), ytd * const(HUNDRED))
    )


def statistics(today: datetime.date, behind_points: int, where: Q | None = None, *, lights=tuple(Light.values)) -> dict:
    """Aggregate expressions over projects annotated by `with_investment` (and, to count `lights`,
    by their light), each restricted to `where` when given, for `.aggregate()` or a grouped
    `.annotate()`."""
    where = where if where is not None else Q()

    def count(condition: Q) -> Count:
        return Count("pk", filter=where & condition)

    due_start = Q(planned_start__lte=today)
    due_end = Q(planned_end__lte=today)
    planned = Q(year_plan__gt=0)
    result = {
        "n": count(Q()),
        "due": count(due_start),
        "started": count(due_start & Q(stage__in=STARTED_STAGES)),
        "due_to_complete": count(due_end),
        "completed": count(due_end & Q(stage__in=COMPLETED_STAGES)),
        "planned": count(planned),
        "plan": Sum("year_plan", filter=where & planned),
        "ytd": Sum("year_ytd", filter=where & planned),
        "share": Max("year_share", filter=where & planned),
        "judged": count(_judged()),
        "ahead": count(_judged() & _ahead()),
        "behind": count(_judged() & _behind(behind_points) & ~_ahead()),
    }
    result.update({light: count(Q(light=light)) for light in lights})
    return result


def rates(row: dict) -> dict:
    """The percentages of an aggregated row: start, completion and investment completion rates,
    the time-proportional target, the gap to it in points, and the on-schedule count."""
    investment_rate = percent(row["ytd"] or 0, row["plan"]) if row["plan"] else None
    time_progress = (Decimal(row["share"]) * HUNDRED).quantize(Decimal("0.1")) if row["share"] is not None else None
    gap = None
    if investment_rate is not None and time_progress is not None:
        gap = (time_progress - investment_rate).quantize(Decimal("0.1"))
    return {
        **row,
        "start_rate": _whole_percent(row["started"], row["due"]),
        "completion_rate": _whole_percent(row["completed"], row["due_to_complete"]),
        "investment_rate": investment_rate,
        "time_progress": time_progress,
        "gap": gap,
        "on_schedule": row["judged"] - row["ahead"] - row["behind"],
    }


def _whole_percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
