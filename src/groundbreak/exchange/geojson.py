"""Projects as an RFC 7946 GeoJSON FeatureCollection: the battle map's data and an open download."""

import json
from collections.abc import Callable
from pathlib import Path

from django.db.models import QuerySet
from django.urls import reverse

from groundbreak.exchange.oc4ids import public_base_url, public_projects
from groundbreak.portfolio.models import Project

MEDIA_TYPE = "application/geo+json"


def _has_point(project: Project) -> bool:
    return project.latitude is not None and project.longitude is not None


def feature(project: Project, *, url: Callable[[Project], str] | None = None) -> dict:
    """One project as a Point feature; `light` only when the project was annotated with it."""
    properties = {
        "code": project.code,
        "name": project.name,
        "name_en": project.name_en,
        "stage": project.stage,
        "status": project.status,
        "category": project.category,
        # Both names, like the project's, so a file reads the same whatever language wrote it.
        "area": project.area.name,
        "area_en": project.area.name_en,
    }
    light = getattr(project, "light", None)
    if light is not None:
        properties["light"] = light
    properties["url"] = url(project) if url else project.get_absolute_url()
    return {
        "type": "Feature",
        "id": project.code,
        # RFC 7946 positions are [longitude, latitude] in WGS 84, the order people get wrong.
        "geometry": {"type": "Point", "coordinates": [float(project.longitude), float(project.latitude)]},
        "properties": properties,
    }


def feature_collection(projects, *, url: Callable[[Project], str] | None = None) -> dict:
    """A FeatureCollection of the `projects` that have coordinates (the others are left out).

    `projects` is a queryset (filtered and loaded here in one query) or a list of projects with
    their area loaded. `url(project)` gives each feature's link; by default the project's page.
    """
    if isinstance(projects, QuerySet):
        projects = projects.filter(latitude__isnull=False, longitude__isnull=False).select_related("area")
    return {"type": "FeatureCollection", "features": [feature(p, url=url) for p in projects if _has_point(p)]}


def write_geojson(path, *, public_only: bool = False) -> int:
    """Write every project with coordinates to `path` as GeoJSON; returns how many were written.

    The command line serves operators and is not scoped, so it writes all projects, linked to
    their pages; `public_only` writes just the published ones, linked to their public pages, for
    a file that may leave the building.
    """
    base = public_base_url()

    def url(project: Project) -> str:
        if public_only:
            return base + reverse("exchange:opendata-detail", args=[project.code])
        return base + project.get_absolute_url()

    projects = public_projects() if public_only else Project.objects.all()
    collection = feature_collection(projects.order_by("code"), url=url)
    Path(path).write_text(json.dumps(collection, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(collection["features"])
