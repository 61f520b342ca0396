from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.core.pagination import paginate
from groundbreak.insight import kept_figures, queries
from groundbreak.insight import leaders as leader_queries
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.models import LightSettings
from groundbreak.portfolio.queries import visible_projects


def _filtered(request, today, settings):
    """The user's projects filtered like the project list, and the filters to carry into links."""
    base = visible_projects(request.user, today=today, settings=settings)
    project_filter = ProjectFilter(request.GET or None, queryset=base, user=request.user)
    if project_filter.is_bound and project_filter.is_valid():
        carried = {k: v for k, v in request.GET.lists() if k in project_filter.filters and any(v)}
        carried = {k: (v if len(v) > 1 else v[0]) for k, v in carried.items()}
        return project_filter, project_filter.qs, carried
    return project_filter, base, {}


def _bar(rows, name="label") -> list[dict]:
    """Rows of investment figures as a chart's data: plan and completed, in 万元 for the axis."""
    return [
        {
            "name": row[name],
            "plan": float(row["plan"] or 0),
            "ytd": float(row["ytd"] or 0),
            "rate": float(row["investment_rate"]) if row["investment_rate"] is not None else None,
            "url": row["url"],
        }
        for row in rows
    ]


@login_required
def dashboard(request):
    today = timezone.localdate()
    # Read once: every light and threshold of the page comes from these settings.
    settings = LightSettings.current()
    project_filter, projects, carried = _filtered(request, today, settings)
    refresh = bool(request.GET.get("refresh"))
    kept = kept_figures.dashboard_figures(
        request.user,
        carried,
        today,
        lambda: queries.dashboard(request.user, projects, carried, today, settings),
        refresh=refresh,
    )
    if refresh:
        # Recomputed and kept: back to the page's own address, without the refresh.
        query = request.GET.copy()
        del query["refresh"]
        return redirect(request.path + (f"?{query.urlencode()}" if query else ""))
    figures = kept.figures
    investment, by_unit, missing = figures["investment"], figures["issues"], figures["missing"]
    refresh_query = request.GET.copy()
    refresh_query["refresh"] = "1"
    context = figures | {
        "filter": project_filter,
        "today": today,
        "kept": kept,
        "refresh_url": f"{request.path}?{refresh_query.urlencode()}",
        "investment_groups": [
            ("area", _("By area"), investment["by_area"]),
            ("category", _("By category"), investment["by_category"]),
            ("key_list", _("By key list"), investment["by_key_list"]),
        ],
        "chart_data": {
            "labels": {
                "wan": _("10k yuan"),
                "target": _("target"),
                "overdue": _("overdue"),
                "open": _("open, not overdue"),
            },
            "pipeline": [
                {"name": r["label"], "value": r["count"], "moved": r["this_year"], "url": r["url"]}
                for r in figures["pipeline"]
            ],
            "lights": [
                {"name": r["label"], "value": r["count"], "light": r["light"], "url": r["url"]}
                for r in figures["lights"]
            ],
            "investment": {
                "time_progress": float(investment["total"]["time_progress"] or 0),
                "area": _bar(investment["by_area"]),
                "category": _bar(investment["by_category"]),
                "key_list": _bar(investment["by_key_list"]),
            },
            "issues": [
                {
                    "name": r["label"],
                    "open": r["open"],
                    "overdue": r["overdue"],
                    "url": r["url"],
                    "overdue_url": r["overdue_url"],
                }
                for r in by_unit["rows"]
            ],
            "missing": [
                {
                    "name": f"{r['label']} · {r['area']}",
                    "value": r["missing"],
                    "expected": r["expected"],
                    "url": r["url"],
                }
                for r in missing["rows"]
            ],
        },
    }
    return render(request, "insight/dashboard.html", context)


@login_required
def battle_map(request):
    project_filter, projects, _carried = _filtered(request, timezone.localdate(), LightSettings.current())
    context = {
        "filter": project_filter,
        "with_coordinates": projects.filter(latitude__isnull=False, longitude__isnull=False).count(),
        "total": projects.count(),
        "map_config": {
            "tiles": django_settings.GROUNDBREAK_MAP_TILES,
            "attribution": django_settings.GROUNDBREAK_MAP_ATTRIBUTION,
        },
    }
    return render(request, "insight/map.html", context)


@login_required
def leaders(request):
    today = timezone.localdate()
    settings = LightSettings.current()
    project_filter, projects, carried = _filtered(request, today, settings)
    leaders = leader_queries.leader_statistics(projects, today, settings, carried)
    return render(request, "insight/leaders.html", {"filter": project_filter, "leaders": leaders})


@login_required
def leader_detail(request, pk):
    """A leader's projects (包联) with their lights, latest reports and investment, the issues of
    those projects, the engagements they chaired or attended, and their statistics beside the
    other leaders', as far as the user's scope reaches."""
    today = timezone.localdate()
    settings = LightSettings.current()
    projects = visible_projects(request.user, today=today, settings=settings)
    context = leader_queries.leader_page(request.user, pk, projects, today, settings)
    context["engagements"] = paginate(request, context["engagements"], 20, param="engagements")
    context["today"] = today
    return render(request, "insight/leader_detail.html", context)
