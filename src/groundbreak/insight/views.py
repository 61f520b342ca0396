from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from groundbreak.insight import queries
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.queries import visible_projects


def _filtered(request):
    """The user's projects filtered like the project list, and the filters to carry into links."""
    base = visible_projects(request.user)
    project_filter = ProjectFilter(request.GET or None, queryset=base, user=request.user)
    if project_filter.is_bound and project_filter.is_valid():
        carried = {k: v for k, v in request.GET.lists() if k in project_filter.filters and any(v)}
        carried = {k: (v if len(v) > 1 else v[0]) for k, v in carried.items()}
        return project_filter, project_filter.qs, carried
    return project_filter, base, {}


@login_required
def dashboard(request):
    today = timezone.localdate()
    project_filter, projects, carried = _filtered(request)
    overdue_count, overdue = queries.overdue_milestones(projects, today)
    pipeline = queries.pipeline(projects, carried, today)
    lights = queries.lights(projects, carried)
    context = {
        "filter": project_filter,
        "today": today,
        "pipeline": pipeline,
        "lights": lights,
        "total": sum(row["count"] for row in lights),
        "overdue_count": overdue_count,
        "overdue": overdue,
        "ranking": queries.area_ranking(request.user, projects, today),
        "chart_data": {
            "pipeline": [
                {"name": r["label"], "value": r["count"], "moved": r["this_year"], "url": r["url"]} for r in pipeline
            ],
            "lights": [{"name": r["label"], "value": r["count"], "light": r["light"], "url": r["url"]} for r in lights],
        },
    }
    return render(request, "insight/dashboard.html", context)


@login_required
def battle_map(request):
    project_filter, projects, _carried = _filtered(request)
    context = {
        "filter": project_filter,
        "with_coordinates": projects.filter(latitude__isnull=False, longitude__isnull=False).count(),
        "total": projects.count(),
        "map_config": {
            "tiles": settings.GROUNDBREAK_MAP_TILES,
            "attribution": settings.GROUNDBREAK_MAP_ATTRIBUTION,
        },
    }
    return render(request, "insight/map.html", context)


@login_required
def leaders(request):
    today = timezone.localdate()
    _project_filter, projects, _carried = _filtered(request)
    return render(request, "insight/leaders.html", {"leaders": queries.leader_statistics(projects, today)})
