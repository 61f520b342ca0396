"""The figures leaders read: pipeline, lights, overdue nodes, rankings — all aggregated in the database.

Every figure is computed on the same scoped and filtered queryset as the project list, so a
chart segment and the list it links to always agree.
"""

import datetime

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from groundbreak.org.models import Area, Person
from groundbreak.portfolio.choices import STAGE_ORDER, Light, Stage
from groundbreak.portfolio.models import Project, StageChange
from groundbreak.portfolio.queries import light_counts, stage_counts
from groundbreak.schedule.models import Milestone

STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSTRUCTION) :]


def list_url(**filters) -> str:
    """The project list filtered as a chart segment says."""
    query = {k: v for k, v in filters.items() if v not in (None, "")}
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
            "url": list_url(**base_filters, stage=stage),
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
            "url": list_url(**base_filters, light=light),
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


def area_ranking(user, projects, today: datetime.date) -> list[dict]:
    """Per area: projects, red lights, start rate (started ÷ due to have started) and projects
    started on time (groundbreaking met no later than its baseline) — in one aggregate query."""
    areas = list(ranking_areas(user, projects))
    if not areas:
        return []
    families = {
        "n": projects,
        "red": projects.filter(light=Light.RED),
        "due": projects.filter(planned_start__lte=today),
        "started": projects.filter(planned_start__lte=today, stage__in=STARTED_STAGES),
        "ontime": projects.filter(
            pk__in=Milestone.objects.filter(
                kind__code="groundbreaking", actual_date__isnull=False, actual_date__lte=F("baseline_date")
            ).values("project")
        ),
    }
    aggregates = {}
    for area in areas:
        in_area = Q(area__path__startswith=area.path) | Q(zone__path__startswith=area.path)
        for name, family in families.items():
            aggregates[f"{name}_{area.pk}"] = Count("pk", filter=in_area & Q(pk__in=family.values("pk")))
    totals = Project.objects.aggregate(**aggregates)
    result = []
    for area in areas:
        n = totals[f"n_{area.pk}"]
        if not n:
            continue
        due, started = totals[f"due_{area.pk}"], totals[f"started_{area.pk}"]
        result.append(
            {
                "area": area,
                "projects": n,
                "red": totals[f"red_{area.pk}"],
                "due": due,
                "started": started,
                "start_rate": round(100 * started / due) if due else None,
                "on_time": totals[f"ontime_{area.pk}"],
                "url": list_url(area=area.pk),
            }
        )
    # Highest start rate first, then fewer red lights.
    result.sort(key=lambda r: (-(r["start_rate"] or 0), r["red"], r["area"].path))
    return result


def leader_statistics(projects, today: datetime.date):
    """Per lead leader: projects, lights, start rate — the same figures for every leader, side by side."""
    due = Q(planned_start__lte=today)
    return (
        Person.objects.filter(led_projects__in=projects.values("pk"))
        .annotate(
            n=Count("led_projects", filter=Q(led_projects__in=projects.values("pk")), distinct=True),
            red=Count(
                "led_projects", filter=Q(led_projects__in=projects.filter(light=Light.RED).values("pk")), distinct=True
            ),
            yellow=Count(
                "led_projects",
                filter=Q(led_projects__in=projects.filter(light=Light.YELLOW).values("pk")),
                distinct=True,
            ),
            green=Count(
                "led_projects",
                filter=Q(led_projects__in=projects.filter(light=Light.GREEN).values("pk")),
                distinct=True,
            ),
            due=Count("led_projects", filter=Q(led_projects__in=projects.filter(due).values("pk")), distinct=True),
            started=Count(
                "led_projects",
                filter=Q(led_projects__in=projects.filter(due, stage__in=STARTED_STAGES).values("pk")),
                distinct=True,
            ),
            start_rate=Case(
                When(due=0, then=Value(None)),
                default=100 * F("started") / F("due"),
                output_field=IntegerField(),
            ),
        )
        .select_related("unit")
        .order_by("-red", "-n", "name")
    )
