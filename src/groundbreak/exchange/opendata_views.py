"""The open-data side: public pages and downloads without login, the logged-in GeoJSON of the
user's projects, and the publish toggle of the project page."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.exchange.geojson import MEDIA_TYPE, feature_collection
from groundbreak.exchange.oc4ids import build_package, milestone_status, public_projects
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.publishing import publish_project
from groundbreak.portfolio.queries import get_visible_project, visible_projects


def _open(response: HttpResponse) -> HttpResponse:
    # Open data is meant to be read by other sites' scripts; it carries no cookies or secrets.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data: dict, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type=f"{content_type}; charset=utf-8")


@require_GET
def opendata_list(request):
    """The published projects, searchable, one page at a time."""
    projects = public_projects().select_related("area", "zone")
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    if q:
        projects = projects.search(q)
    if stage in Stage.values:
        projects = projects.filter(stage=stage)
    page = paginate(request, projects.order_by("code"))
    context = {
        "page": page,
        "q": q,
        "stage": stage,
        "stages": Stage.choices,
        "has_projects": public_projects().exists(),
    }
    return render(request, "exchange/opendata/project_list.html", context)


@require_GET
def opendata_detail(request, code):
    """One published project; an unpublished one does not exist here."""
    project = get_object_or_404(
        public_projects().select_related("area", "zone", "owner_unit", "responsible_unit").prefetch_related("figures"),
        code=code,
    )
    today = timezone.localdate()
    milestones = list(project.milestones.select_related("kind").order_by("planned_date", "order", "id"))
    for milestone in milestones:
        milestone.public_status = milestone_status(milestone, today)
    return render(request, "exchange/opendata/project_detail.html", {"project": project, "milestones": milestones})


@require_GET
def opendata_oc4ids(request):
    """The OC4IDS package of every published project."""
    projects = public_projects()
    if not projects.exists():
        raise Http404(_("No project is published yet."))
    return _open(_json(build_package(projects, uri=request.build_absolute_uri(request.path))))


@require_GET
def opendata_geojson(request):
    """The published projects with coordinates, linking to their public pages (no lights)."""
    collection = feature_collection(
        public_projects().order_by("code"),
        url=lambda p: request.build_absolute_uri(reverse("exchange:opendata-detail", args=[p.code])),
    )
    return _open(_json(collection, MEDIA_TYPE))


@login_required
@require_GET
def projects_geojson(request):
    """The user's projects with their lights, filtered like the project list (for the map)."""
    base = visible_projects(request.user)
    project_filter = ProjectFilter(request.GET or None, queryset=base, user=request.user)
    if project_filter.is_bound and not project_filter.is_valid():
        # A filter naming an area or unit outside the user's scope is refused, not ignored.
        return JsonResponse({"errors": project_filter.errors.get_json_data()}, status=400)
    projects = project_filter.qs if project_filter.is_bound else base
    return _json(feature_collection(projects.order_by("code")), MEDIA_TYPE)


class PublishForm(forms.Form):
    public = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


@login_required
@require_POST
def project_publish(request, code):
    """Publish a project as open data, or withdraw it, from its page."""
    project = get_visible_project(request.user, code)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to publish or withdraw the project."))
        return redirect_to(request, project.get_absolute_url())
    public = form.cleaned_data["public"]
    try:
        publish_project(project=project, public=public, by=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None
    if public:
        messages.success(request, _("The project is published as open data."))
    else:
        messages.success(request, _("The project is withdrawn from open data."))
    return redirect_to(request, project.get_absolute_url())
