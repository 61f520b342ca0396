"""Scoped reads of inspections and snaps, and the projects nearest to where a photo was taken.

Inspections and snaps follow their project: a user sees those of the projects they see (a
sender also sees their own snaps). Missing and out-of-scope answer alike: 404.
"""

import math
from decimal import Decimal

from django.db.models import F, FloatField, Q
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.http import Http404

from groundbreak.coordination.choices import IssueSource, IssueStatus
from groundbreak.fieldwork.models import Inspection, SnapReport
from groundbreak.portfolio.models import Project

EARTH_RADIUS_M = 6_371_000
# Projects further than this from the phone are not suggested: a snap is taken at the site.
SUGGEST_RADIUS_M = 5_000
SUGGEST_LIMIT = 5
_METRES_PER_DEGREE = 111_320


def _anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def visible_inspections(user):
    if _anonymous(user):
        return Inspection.objects.none()
    return Inspection.objects.filter(project__in=Project.objects.for_user(user).values("pk"))


def get_visible_inspection(user, pk: int) -> Inspection:
    try:
        return visible_inspections(user).select_related("engagement", "project", "checklist", "lead_unit").get(pk=pk)
    except Inspection.DoesNotExist:
        raise Http404 from None


def visible_snaps(user):
    if _anonymous(user):
        return SnapReport.objects.none()
    return SnapReport.objects.filter(
        Q(issue__project__in=Project.objects.for_user(user).values("pk")) | Q(reported_by=user)
    )


def get_visible_snap(user, pk: int) -> SnapReport:
    try:
        return visible_snaps(user).select_related("issue__project", "issue__category", "issue__lead_unit").get(pk=pk)
    except SnapReport.DoesNotExist:
        raise Http404 from None


def untriaged_q() -> Q:
    """A snap still waiting for a coordinator: its issue open and not yet given to a unit."""
    return Q(issue__source=IssueSource.SNAP, issue__lead_unit__isnull=True, issue__status=IssueStatus.OPEN)


def triage_queue(user):
    """The snaps of projects in the user's scope that wait for triage, oldest first, ready for a list."""
    if _anonymous(user):
        return SnapReport.objects.none()
    return (
        SnapReport.objects.filter(untriaged_q(), issue__project__in=Project.objects.for_user(user).values("pk"))
        .select_related("issue__project", "issue__category", "reported_by__person")
        .order_by("reported_at", "id")
    )


def distance_expression(latitude: float, longitude: float):
    """Metres from the point to a project's coordinates (haversine), computed by the database."""
    lat = Radians(Cast("latitude", FloatField()))
    lon = Radians(Cast("longitude", FloatField()))
    here_lat, here_lon = math.radians(latitude), math.radians(longitude)
    half_dlat = Sin((lat - here_lat) / 2.0)
    half_dlon = Sin((lon - here_lon) / 2.0)
    a = Power(half_dlat, 2) + math.cos(here_lat) * Cos(lat) * Power(half_dlon, 2)
    return 2.0 * EARTH_RADIUS_M * ASin(Sqrt(a))


def nearest_projects(user, latitude: float, longitude: float, *, radius_m: int = SUGGEST_RADIUS_M, limit=SUGGEST_LIMIT):
    """The projects in the user's scope with coordinates within `radius_m`, nearest first, each
    annotated with `distance` in metres. One query; a bounding box narrows the rows before the
    distance is computed."""
    dlat = radius_m / _METRES_PER_DEGREE
    dlon = radius_m / (_METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    box = {
        "latitude__gte": Decimal(str(round(latitude - dlat, 6))),
        "latitude__lte": Decimal(str(round(latitude + dlat, 6))),
        "longitude__gte": Decimal(str(round(longitude - dlon, 6))),
        "longitude__lte": Decimal(str(round(longitude + dlon, 6))),
    }
    return list(
        Project.objects.for_user(user)
        .filter(**box)
        .annotate(distance=distance_expression(latitude, longitude))
        .filter(distance__lte=radius_m)
        .order_by(F("distance").asc(), "code")[:limit]
    )
