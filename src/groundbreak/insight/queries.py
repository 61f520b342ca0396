"""The figures leaders read: pipeline, lights, investment against plan, overdue nodes, issues by unit,
missing reports, the ranking of areas — all aggregated in the database.

Every figure is computed on the same scoped and filtered queryset as the project list, so a
chart segment and the list it links to always agree.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Substr
from django.db.models.lookups import In
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from groundbreak.coordination.choices import OPEN_STATUSES
from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.models import Issue
from groundbreak.coordination.queries import overdue_q, visible_issues
from groundbreak.core.i18n import localized
from groundbreak.insight.figures import MONEY, SHARE, behind_points, rates, statistics, stored_or, with_investment
from groundbreak.org.models import Area, Unit
from groundbreak.portfolio.choices import STAGE_ORDER, Category, Light, Stage
from groundbreak.portfolio.models import KeyListMembership, StageChange
from groundbreak.portfolio.queries import light_counts, stage_counts
from groundbreak.reporting.choices import OPEN_FOR_FILLING
from groundbreak.reporting.figures import investment_ytd, latest_accepted, percent
from groundbreak.reporting.models import Report, ReportingRound
from groundbreak.schedule.models import Milestone

# Rows a chart shows at most: the units with most overdue issues or missing reports, the largest lists.
UNITS_SHOWN = 12
KEY_LISTS_SHOWN = 12
_CoUnit = Issue.co_units.through


def list_url(base_filters: dict | None = None, **filters) -> str:
    """The project list filtered as the dashboard is (`base_filters`) and as a chart segment says
    (`filters`, which win: a segment's area or light replaces the dashboard's)."""
    query = {k: v for k, v in {**(base_filters or {}), **filters}.items() if v not in (None, "")}
    return reverse("portfolio:project-list") + ("?" + urlencode(query, doseq=True) if query else "")


def pipeline(projects, base_filters: dict, today: datetime.date) -> list[dict]:
    """Projects per stage, with how many reached each stage this year (2 queries)."""
    counts = stage_counts(projects)
    moved = dict(
        StageChange.objects.filter(project__in=projects.values("pk"), kind=StageChange.Kind.STAGE, on__year=today.year)
        .values_list("to_stage")
        .annotate(n=Count("project", distinct=True))
        .values_list("to_stage", "n")
    )
    return [
        {
            "stage": stage,
            "label": str(Stage(stage).label),
            "count": counts[stage],
            "this_year": moved.get(stage, 0),
            "url": list_url(base_filters, stage=stage),
        }
        for stage in STAGE_ORDER
    ]


def lights(projects, base_filters: dict) -> list[dict]:
    counts = light_counts(projects)
    return [
        {
            "light": light,
            "label": str(Light(light).label),
            "count": counts[light],
            "url": list_url(base_filters, light=light),
        }
        for light in Light.values
    ]


def overdue_milestones(projects, today: datetime.date, limit: int = 10):
    """Open nodes past their planned date, the longest overdue first, and how many there are."""
    overdue = Milestone.objects.filter(
        project__in=projects.values("pk"), actual_date__isnull=True, planned_date__lt=today
    ).select_related("project", "kind", "responsible_unit")
    return overdue.count(), list(overdue.order_by("planned_date", "id")[:limit])


def ranking_areas(user, projects):
    """The areas to compare (比学赶超): the children of the user's area, or the districts when the
    user sees everything."""
    if user.scope_area_id:
        return Area.objects.filter(parent=user.scope_area_id)
    top_depth = Area.objects.filter(pk__in=projects.values("area")).order_by("depth").values_list("depth", flat=True)
    depth = top_depth.first()
    return Area.objects.filter(depth=depth) if depth is not None else Area.objects.none()


def _ranking_key(field: str, areas) -> Case:
    """The path of the ranking area whose subtree holds the area `field` of the row (its path
    starts with the ranking area's, as the project list's area filter has it), or NULL.

    Ranking areas are all at one depth, so none is a prefix of another and a path starts with at
    most one of them. Their paths have no fixed width ("/1/4/", "/1/12/"), so the prefix is cut at
    each length the ranking paths have (a handful) and looked up among the paths of that length."""
    by_length = defaultdict(list)
    for area in areas:
        by_length[len(area.path)].append(area.path)
    path = F(f"{field}__path")
    return Case(
        *(When(In(Substr(path, 1, n), paths), then=Substr(path, 1, n)) for n, paths in sorted(by_length.items())),
        default=None,
        output_field=CharField(),
    )


def _per_ranking_area(rows, areas, names: dict) -> dict:
    """Rows aggregated per (ranking area of the district, ranking area of the zone), added up per
    ranking area: a row counts under both, once if they are the same. `names` says how each
    figure adds up: counts and sums add (a NULL sum counts as none), a maximum takes the larger."""
    by_path = {area.path: area.pk for area in areas}
    totals: dict[int, dict] = {}
    for row in rows:
        for key in {row["by_area"], row["by_zone"]} - {None}:
            total = totals.setdefault(by_path[key], dict.fromkeys(names))
            for name, expression in names.items():
                value, before = row[name], total[name]
                if value is None or before is None:
                    total[name] = before if value is None else value
                elif isinstance(expression, Max):
                    total[name] = max(before, value)
                else:
                    total[name] = before + value
    return totals


def area_ranking(user, projects, base_filters: dict, today: datetime.date, settings) -> list[dict]:
    """Per area (比学赶超): projects, red lights, start rate (started ÷ due to have started), projects
    started on time (groundbreaking no later than its baseline), completion rate, investment
    completion against the time-proportional target, and issues resolved on time (by their
    deadline, of those resolved or past it) — two aggregate queries whatever the number of areas.

    A project counts under the ranking area holding its district and under the one holding its
    zone (once if both are the same). Each query groups by that pair of ranking areas, so every
    per-project expression (the light, the investment figures) appears once in it; the groups are
    added up per ranking area here."""
    areas = list(ranking_areas(user, projects))
    if not areas:
        return []
    started_on_time = Q(
        pk__in=Milestone.objects.filter(
            kind__code="groundbreaking", actual_date__isnull=False, actual_date__lte=F("baseline_date")
        ).values("project")
    )
    figures = statistics(today, behind_points(settings), lights=(Light.RED,))
    figures["on_time"] = Count("pk", filter=started_on_time)
    rows = (
        with_investment(projects, today)
        .with_light(today, settings)
        .order_by()
        .values(by_area=_ranking_key("area", areas), by_zone=_ranking_key("zone", areas))
        .annotate(**figures)
    )
    with_deadline = Q(deadline__isnull=False)
    issue_figures = {
        "due": Count("pk", filter=with_deadline & (Q(resolved_on__isnull=False) | Q(deadline__lt=today))),
        "resolved": Count("pk", filter=with_deadline & Q(resolved_on__isnull=False, resolved_on__lte=F("deadline"))),
    }
    issue_rows = (
        Issue.objects.filter(project__in=projects.values("pk"))
        .order_by()
        .values(by_area=_ranking_key("project__area", areas), by_zone=_ranking_key("project__zone", areas))
        .annotate(**issue_figures)
    )
    totals = _per_ranking_area(rows, areas, figures)
    issue_totals = _per_ranking_area(issue_rows, areas, issue_figures)
    result = []
    for area in areas:
        row = totals.get(area.pk)
        if not row or not row["n"]:
            continue
        issues = issue_totals.get(area.pk, {})
        due, resolved = issues.get("due") or 0, issues.get("resolved") or 0
        result.append(
            rates(row)
            | {
                "area": area,
                "projects": row["n"],
                "issues_due": due,
                "issues_on_time": resolved,
                "issues_rate": round(100 * resolved / due) if due else None,
                "url": list_url(base_filters, area=area.pk),
            }
        )
    # Highest investment completion first, then start rate, then fewer red lights.
    result.sort(
        key=lambda r: (
            -(r["investment_rate"] if r["investment_rate"] is not None else -1),
            -(r["start_rate"] or 0),
            r["red"],
            r["area"].path,
        )
    )
    return result


def investment(projects, base_filters: dict, today: datetime.date, settings) -> dict:
    """Investment completed this year against the annual plans, for the whole scope and by
    category and key list (three aggregate queries); by area it is a column of the ranking."""
    year = today.year
    figures = with_investment(projects, today)
    stats = statistics(today, behind_points(settings), lights=())
    total = rates(figures.aggregate(**stats))
    total["url"] = list_url(base_filters)
    by_category = [
        rates(row)
        | {"label": str(Category(row["category"]).label), "url": list_url(base_filters, category=row["category"])}
        for row in figures.order_by().values("category").annotate(**stats).filter(planned__gt=0).order_by("-plan")
    ]
    memberships = KeyListMembership.objects.filter(
        project__in=projects.values("pk"), key_list__year=year, annual_investment_plan__gt=0
    )
    by_key_list = [
        row
        | {
            "investment_rate": percent(row["ytd"] or 0, row["plan"]),
            "time_progress": (row["share"] * 100).quantize(Decimal("0.1")) if row["share"] is not None else None,
            "label": localized(row["key_list__name"], row["key_list__name_en"]),
            "url": list_url(base_filters, key_list=row["key_list"]),
        }
        for row in memberships.order_by()
        .values("key_list", "key_list__name", "key_list__name_en")
        .annotate(
            planned=Count("project"),
            plan=Sum("annual_investment_plan"),
            # The project's stored figures where computed for today, as `with_investment` reads
            # them: a subquery per membership took 6.7 s for a province's 80,000 memberships.
            ytd=Sum(
                stored_or(
                    today,
                    "stored_year_ytd",
                    investment_ytd(year, outer="project", until=today),
                    MONEY,
                    project="project",
                )
            ),
            share=Max(
                stored_or(
                    today,
                    "stored_year_share",
                    latest_accepted(year, "year_fraction", outer="project", until=today),
                    SHARE,
                    project="project",
                )
            ),
        )
        .order_by("-plan", "key_list")[:KEY_LISTS_SHOWN]
    ]
    return {"total": total, "by_category": by_category, "by_key_list": by_key_list, "year": year}


# The board's filters that say what the dashboard's project filters say.
ISSUE_FILTERS = {"area": "area", "lead_leader": "leader"}


def dashboard_issues(user, projects, base_filters: dict, today: datetime.date):
    """The issues the supervision board would list with the dashboard's filters, and those
    filters in the board's words. The board filters issues by area and leader as the project
    list does; a filter it does not know narrows the issues to those of the projects shown."""
    mapped = {ISSUE_FILTERS[k]: v for k, v in base_filters.items() if k in ISSUE_FILTERS}
    issues = visible_issues(user)
    if mapped:
        issue_filter = IssueFilter(mapped, queryset=issues, user=user, today=today)
        issues = issue_filter.qs if issue_filter.is_valid() else issues.none()
    if set(base_filters) - set(ISSUE_FILTERS):
        issues = issues.filter(project__in=projects.values("pk"))
    return issues, mapped


def board_url(base_filters: dict, **filters) -> str:
    """The supervision board filtered as the dashboard is (in the board's words) and by a segment."""
    query = {k: v for k, v in {**base_filters, **filters}.items() if v not in (None, "")}
    return reverse("coordination:board") + ("?" + urlencode(query, doseq=True) if query else "")


def issues_by_unit(issues, mapped: dict, today: datetime.date, limit: int = UNITS_SHOWN) -> dict:
    """Open and overdue issues per unit that has them to work on, as lead or co-unit (as the
    board's unit filter has it), the most overdue first, each with links to the board filtered by
    that unit. An issue with co-units counts under each of its units.

    Grouped counts of the issues each unit leads and of those it helps with, added up here, then
    the names of the units counted (four queries): a count per unit as a subquery repeated for
    each of a province's thousands of units did not finish in 30 s."""
    open_issues = Issue.objects.filter(pk__in=issues.values("pk"), status__in=OPEN_STATUSES)
    overdue = overdue_q(today)
    led = (
        open_issues.filter(lead_unit__isnull=False)
        .order_by()
        .values_list("lead_unit")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
    )
    # A co-unit that also leads the issue counts once (the actions never store that, imports might).
    helped = (
        _CoUnit.objects.filter(issue__in=open_issues.values("pk"))
        .exclude(issue__lead_unit=F("unit"))
        .order_by()
        .values_list("unit")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(issue__in=open_issues.filter(overdue).values("pk"))))
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit, n_open, n_overdue in (*led, *helped):
        counts[unit][0] += n_open
        counts[unit][1] += n_overdue
    names = {
        pk: (name, name_en)
        for pk, name, name_en in Unit.objects.filter(pk__in=counts).values_list("pk", "name", "name_en")
    }
    ranked = sorted(counts, key=lambda pk: (-counts[pk][1], -counts[pk][0], names[pk][0]))[:limit]
    units = [(pk, localized(*names[pk]), *counts[pk]) for pk in ranked]
    open_statuses = [str(s) for s in OPEN_STATUSES]
    rows = [
        {
            "unit": pk,
            "label": label,
            "open": n_open,
            "overdue": n_overdue,
            "url": board_url(mapped, unit=pk, status=open_statuses),
            "overdue_url": board_url(mapped, unit=pk, overdue="on"),
        }
        for pk, label, n_open, n_overdue in units
    ]
    totals = issues.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        unassigned=Count("pk", filter=Q(status__in=OPEN_STATUSES, lead_unit__isnull=True)),
    )
    return {
        "rows": rows,
        "totals": totals,
        "url": board_url(mapped, status=open_statuses),
        "overdue_url": board_url(mapped, overdue="on"),
    }


def missing_reports(projects, today: datetime.date) -> dict:
    """Reports of this period still with their owners (never submitted, or returned), per round
    and responsible unit. This period is that of the latest round ended by today holding a report
    of the projects; every area's round of that period counts. One aggregate query."""
    reports = Report.objects.filter(project__in=projects.values("pk"))
    # The rounds newest first, each asked whether it holds one of the reports: the first that does
    # ends the search (sorting every report of a province by its round's end took 0.27 s).
    latest = (
        ReportingRound.objects.filter(period_end__lte=today)
        .filter(Exists(reports.filter(round=OuterRef("pk"))))
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    missing = Q(status__in=OPEN_FOR_FILLING, accepted__isnull=True)
    rows = list(
        reports.filter(round__period_end=Subquery(latest))
        .order_by()
        .values(
            "round",
            "round__period_end",
            "round__area__name",
            "round__area__name_en",
            "project__responsible_unit",
            "project__responsible_unit__name",
            "project__responsible_unit__name_en",
        )
        .annotate(expected=Count("pk"), missing=Count("pk", filter=missing))
        .order_by("-missing", "round__area__path", "project__responsible_unit__name")
    )
    shown = []
    for row in rows:
        if not row["missing"]:
            continue
        unit = row["project__responsible_unit"]
        query = {"unit": unit, "missing": "on"} if unit else {"missing": "on"}
        row["label"] = (
            localized(row["project__responsible_unit__name"], row["project__responsible_unit__name_en"])
            if unit
            else str(_("no responsible unit"))
        )
        row["area"] = localized(row["round__area__name"], row["round__area__name_en"])
        row["url"] = f"{reverse('reporting:round-detail', args=[row['round']])}?{urlencode(query)}#reports"
        shown.append(row)
    return {
        "period_end": rows[0]["round__period_end"] if rows else None,
        "expected": sum(row["expected"] for row in rows),
        "missing": sum(row["missing"] for row in rows),
        "rows": shown[:UNITS_SHOWN],
    }


def dashboard(user, projects, base_filters: dict, today: datetime.date, settings) -> dict:
    """Every figure of the dashboard for `projects` (the user's, filtered as `base_filters` say):
    plain values and rows, ready to be kept (insight.kept_figures) and rendered."""
    overdue_count, overdue = overdue_milestones(projects, today)
    lights_rows = lights(projects, base_filters)
    ranking = area_ranking(user, projects, base_filters, today, settings)
    invested = investment(projects, base_filters, today, settings)
    invested["by_area"] = [row | {"label": str(row["area"])} for row in ranking if row["planned"]]
    issues, issue_filters = dashboard_issues(user, projects, base_filters, today)
    return {
        "pipeline": pipeline(projects, base_filters, today),
        "lights": lights_rows,
        "total": sum(row["count"] for row in lights_rows),
        "overdue_count": overdue_count,
        "overdue": overdue,
        "ranking": ranking,
        "investment": invested,
        "issues": issues_by_unit(issues, issue_filters, today),
        "missing": missing_reports(projects, today),
    }
