"""Engagements in the API: the leaders' site visits, on-site office meetings, dispatch meetings and
inspections — the engagement list's reads and recording a new one.

Reads use the pages' scoped query (`visible_engagements`: engagements that covered a visible
project, or that the caller's area, unit or the caller attended) and the list page's filters; the
write calls `coordination.engagement_actions.create_engagement`, as the "Record engagement" page
does. Recording accepts an Idempotency-Key.
"""

import datetime
from typing import Literal

import ninja
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from groundbreak.api.idempotency import idempotent
from groundbreak.api.pagination import Page, PageParams, paginate
from groundbreak.api.schemas import InputSchema
from groundbreak.coordination import engagement_actions
from groundbreak.coordination.choices import EngagementKind
from groundbreak.coordination.filters import EngagementFilter
from groundbreak.coordination.forms import UNIT_ERRORS
from groundbreak.coordination.models import Decision, Engagement
from groundbreak.coordination.queries import visible_engagements, visible_issues
from groundbreak.org.api import AreaRef, PersonRef, UnitRef
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.permissions import require_perm, sees_everything
from groundbreak.org.queries import unit_choices_for_user
from groundbreak.portfolio.api import ProjectRef
from groundbreak.portfolio.models import Project

router = Router()

# The list page's sorts (coordination.views_engagements.SORTS), with the same tie-breakers.
ENGAGEMENT_SORTS = {"date": ("date", "id"), "kind": ("kind", "-date"), "title": ("title", "-date")}
EngagementSort = Literal[tuple(key for name in ENGAGEMENT_SORTS for key in (name, f"-{name}"))]
_PROJECT_FIELDS = ("pk", "code", "name", "name_en", "stage", "status")
MAX_RELATED = 50
MAX_ID = 2**63 - 1


class EngagementOut(Schema):
    id: int
    kind: str
    title: str
    date: datetime.date
    place: str
    area: AreaRef | None = Field(description="The district or zone where it took place.")
    chair: PersonRef | None
    leaders: list[PersonRef] = Field(description="The leaders present.")
    projects: list[ProjectRef] = Field(description="The projects covered.")
    issue_count: int = Field(description="How many issues were raised at it.")

    @staticmethod
    def resolve_leaders(obj) -> list:
        return list(obj.leaders.all())

    @staticmethod
    def resolve_projects(obj) -> list:
        return list(obj.projects.all())

    @staticmethod
    def resolve_issue_count(obj) -> int:
        return obj.n_issues


class RaisedIssueOut(Schema):
    id: int
    project: str = Field(description="The project's code.")
    title: str
    status: str
    deadline: datetime.date | None
    lead_unit: UnitRef | None

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code


class DecisionOut(Schema):
    id: int
    text: str
    project: str | None = Field(description="The covered project it concerns, by code.")
    issue: int | None = Field(description="The issue it became, if any.")
    milestone: int | None = Field(description="The time node it became, if any.")

    @staticmethod
    def resolve_project(obj) -> str | None:
        return obj.project.code if obj.project_id else None

    @staticmethod
    def resolve_issue(obj) -> int | None:
        return obj.issue_id

    @staticmethod
    def resolve_milestone(obj) -> int | None:
        return obj.milestone_id


class EngagementDetailOut(EngagementOut):
    minutes: str
    units: list[UnitRef] = Field(description="The units present.")
    issues: list[RaisedIssueOut] = Field(description="The issues raised at it, as far as your scope goes.")
    decisions: list[DecisionOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.units.all())

    @staticmethod
    def resolve_issues(obj) -> list:
        return obj.raised_issues

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())


class EngagementQuery(InputSchema):
    """The filters of the engagement list, with the same meaning."""

    q: str | None = Field(None, max_length=200, description="Text in the subject, place or minutes.")
    kind: EngagementKind | None = None
    leader: int | None = Field(None, description="A leader's person id: engagements they chaired or attended.")
    area: int | None = Field(
        None, description="An area id: engagements held in it or below it, or covering its projects."
    )
    project: str | None = Field(None, max_length=40, description="A project's code: engagements that covered it.")
    date_from: datetime.date | None = Field(None, description="On or after this day.")
    date_to: datetime.date | None = Field(None, description="On or before this day.")
    sort: EngagementSort = Field("-date", description="A column, '-' first for descending.")


class EngagementIn(InputSchema):
    kind: EngagementKind
    title: str = Field(min_length=1, max_length=200, description="The subject.")
    date: datetime.date = Field(description="When it took place; a future date plans it.")
    place: str = Field("", max_length=200)
    area: int | None = Field(None, description="An area id in your scope: the district or zone where it took place.")
    chair: int | None = Field(None, description="A leader's person id.")
    leaders: list[int] = Field(default_factory=list, max_length=MAX_RELATED, description="Leaders present (ids).")
    units: list[int] = Field(default_factory=list, max_length=MAX_RELATED, description="Units present (ids).")
    projects: list[str] = Field(
        min_length=1, max_length=MAX_RELATED, description="The codes of the projects covered, in your scope."
    )
    minutes: str = Field("", max_length=20_000, description="Plain text.")


def _engagements(queryset):
    """Related names fetched and children prefetched: the same few queries for any number of rows."""
    return (
        queryset.select_related("chair", "area")
        .annotate(n_issues=Count("issues"))
        .prefetch_related(
            Prefetch("projects", queryset=Project.objects.only(*_PROJECT_FIELDS).order_by("code")),
            Prefetch("leaders", queryset=Person.objects.order_by("name", "pk")),
        )
    )


def _filter_data(filters: EngagementQuery) -> dict:
    data = filters.model_dump(exclude_none=True, exclude={"project", "sort"})
    for name in ("date_from", "date_to"):
        if name in data:
            data[name] = data[name].isoformat()
    if "kind" in data:
        data["kind"] = str(data["kind"])
    return data


@router.get("/engagements", response=Page[EngagementOut], tags=["engagements"])
def list_engagements(request, filters: Query[EngagementQuery], page: Query[PageParams]):
    """Engagements you can see — covering your projects, in your area, or attended by you or your
    unit — with the engagement list's filters."""
    user = request.auth
    engagements = visible_engagements(user)
    if filters.project:
        covered = Engagement.projects.through.objects.filter(project__code=filters.project)
        engagements = engagements.filter(pk__in=covered.values("engagement"))
    listed = EngagementFilter(_filter_data(filters), queryset=engagements, user=user)
    if not listed.is_valid():
        raise ValidationError({field: list(errors) for field, errors in listed.errors.items()})
    descending = filters.sort.startswith("-")
    columns = ENGAGEMENT_SORTS[filters.sort.lstrip("-")]
    if descending:
        columns = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in columns)
    return paginate(_engagements(listed.qs).order_by(*columns), page)


def _detail(user, pk: int) -> Engagement:
    engagement = (
        _engagements(visible_engagements(user).filter(pk=pk))
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.order_by("name", "pk")),
            Prefetch("decisions", queryset=Decision.objects.select_related("project").order_by("order", "id")),
        )
        .first()
    )
    if engagement is None:
        # Missing and out of scope alike.
        raise Http404
    # Someone who was in the room sees the meeting, but each issue only as far as their scope goes.
    engagement.raised_issues = list(
        visible_issues(user).filter(engagement=engagement).select_related("project", "lead_unit").order_by("id")
    )
    return engagement


@router.get("/engagements/{engagement_id}", response=EngagementDetailOut, tags=["engagements"])
def get_engagement(request, engagement_id: int):
    """One engagement with who was there, the issues raised and the decisions taken."""
    return _detail(request.auth, engagement_id)


def _projects(user, codes: list[str]) -> list[Project]:
    wanted = list(dict.fromkeys(codes))
    found = {p.code: p for p in Project.objects.for_user(user).filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        # Missing and outside the caller's scope alike: the page's drop-down never offered either.
        raise ValidationError(
            {"projects": [_("No project in your scope has the code %(code)s.") % {"code": code} for code in missing]}
        )
    return [found[code] for code in wanted]


def _area(user, pk: int | None) -> Area | None:
    if pk is None:
        return None
    areas = Area.objects.all()
    if not sees_everything(user):
        # As the page's form: the caller's own area and below it.
        areas = Area.objects.subtree(user.scope_area) if user.scope_area_id else Area.objects.none()
    area = areas.filter(pk=pk).first()
    if area is None:
        raise ValidationError({"area": _("No such area in your scope.")})
    return area


def _all_found(queryset, ids: list[int], field: str, message: str) -> list:
    wanted = set(ids)
    # An id beyond any database integer names nothing (and SQLite cannot even bind it in an IN list).
    found = list(queryset.filter(pk__in=wanted)) if all(0 < pk <= MAX_ID for pk in wanted) else []
    if len(found) != len(wanted):
        raise ValidationError({field: message})
    return found


@router.post("/engagements", response={201: EngagementDetailOut}, tags=["engagements"])
@idempotent
def record_engagement(request, payload: EngagementIn, response: HttpResponse):
    """Record a site visit, on-site office meeting, dispatch meeting or inspection of projects in your
    scope (a future date plans it); then record what came out of it on its page."""
    user = request.auth
    # As the page: the role is checked before anything about the input is said.
    require_perm(user, "engagement.change")
    leaders = Person.objects.filter(is_leader=True)
    chair = None
    if payload.chair is not None:
        chair = _all_found(leaders, [payload.chair], "chair", _("No leader has this id."))[0]
    projects = _projects(user, payload.projects)
    _all_found(Unit.objects.all(), payload.units, "units", _("No unit has one of these ids."))
    # Present: the units the page's form offers, the government units of the caller's territory
    # and the projects' own units, not any enterprise.
    offered = unit_choices_for_user(
        user, also=[unit for p in projects for unit in (p.owner_unit_id, p.responsible_unit_id)]
    )
    engagement = engagement_actions.create_engagement(
        by=user,
        projects=projects,
        leaders=_all_found(leaders, payload.leaders, "leaders", _("No leader has one of these ids.")),
        units=_all_found(offered, payload.units, "units", UNIT_ERRORS["invalid_choice"]),
        kind=payload.kind,
        title=payload.title,
        date=payload.date,
        place=payload.place,
        area=_area(user, payload.area),
        chair=chair,
        minutes=payload.minutes,
    )
    response["Location"] = f"/api/v1/engagements/{engagement.pk}"
    return ninja.Status(201, _detail(user, engagement.pk))
