"""The portfolio part of the API: projects (with figures, stage history and light), key lists, and the
directory of areas, units and people (whose visibility, like their pages', follows the projects).

Reads use the same scoped queries as the pages; writes call `portfolio.actions`.
"""

import datetime
from decimal import Decimal
from typing import Literal

import ninja
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from groundbreak.api.concurrency import accepts_if_match, etag, expected_version, guarded, sends_etag
from groundbreak.api.idempotency import idempotent
from groundbreak.api.pagination import Page, PageParams, paginate
from groundbreak.api.schemas import InputSchema
from groundbreak.core.sorting import sort_by
from groundbreak.core.subqueries import count_of
from groundbreak.org.api import AreaOut, AreaRef, PersonOut, PersonRef, UnitOut, UnitRef
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.permissions import require_perm, sees_everything
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Category, KeyListLevel, Light, Stage, Status
from groundbreak.portfolio.directory_views import _visible_areas, _visible_people, _visible_units
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.lights import light_rules
from groundbreak.portfolio.models import KeyList, KeyListMembership, Project
from groundbreak.portfolio.queries import (
    get_visible_project,
    light_counts,
    manages_key_list,
    project_detail,
    visible_projects,
)
from groundbreak.portfolio.views import PROJECT_SORTS

router = Router()

CENTS = Decimal("0.01")

ProjectSort = Literal[tuple(key for name in PROJECT_SORTS for key in (name, f"-{name}"))]


# ---- output -----------------------------------------------------------------------------------


class LightCounts(Schema):
    green: int
    yellow: int
    red: int


class KeyListRef(Schema):
    id: int
    name: str
    name_en: str
    year: int
    level: str


class ProjectRef(Schema):
    code: str
    name: str
    name_en: str
    stage: str
    status: str


class ProjectLightRef(ProjectRef):
    light: str


class ProjectListOut(ProjectLightRef):
    category: str
    industry: str
    area: AreaRef
    zone: AreaRef | None
    lead_leader: PersonRef | None
    responsible_unit: UnitRef | None
    owner_unit: UnitRef | None
    total_investment: Decimal | None
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    is_public: bool
    version: int


class KeyFigureOut(Schema):
    kind: str
    label: str
    label_en: str
    value: Decimal
    unit: str


class StageChangeOut(Schema):
    kind: str
    from_stage: str
    to_stage: str
    on: datetime.date
    note: str
    by: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_by(obj) -> str | None:
        return str(obj.by) if obj.by_id else None


class MembershipOut(Schema):
    key_list: KeyListRef
    annual_investment_plan: Decimal | None
    target_stage: str
    note: str


class LightReasonOut(Schema):
    rule: str
    light: str
    label: str


class LightOverrideOut(Schema):
    light: str
    reason: str
    expires_on: datetime.date
    by: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_by(obj) -> str | None:
        return str(obj.by) if obj.by_id else None


class PipelineStepOut(Schema):
    stage: str
    label: str
    on: datetime.date | None
    done: bool
    current: bool


class ProjectOut(ProjectListOut):
    investment_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    parent: ProjectRef | None
    phases: list[ProjectLightRef]
    responsible_person: PersonRef | None
    pause_reason: str
    expected_resume_on: datetime.date | None
    key_figures: list[KeyFigureOut] = Field(alias="figures")
    stage_history: list[StageChangeOut] = Field(alias="stage_changes")
    memberships: list[MembershipOut]
    light_reasons: list[LightReasonOut]
    light_override: LightOverrideOut | None
    pipeline: list[PipelineStepOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class KeyListOut(KeyListRef):
    area: AreaRef
    description: str
    project_count: int = Field(description="Projects of the list that you can see.")


class KeyListTotals(Schema):
    annual_investment_plan: Decimal | None
    total_investment: Decimal | None


class KeyListDetailOut(KeyListOut):
    totals: KeyListTotals


class MemberOut(Schema):
    project: ProjectLightRef
    annual_investment_plan: Decimal | None
    target_stage: str
    note: str


class AreaListOut(AreaOut):
    project_count: int = Field(
        description="Projects you can see whose district is this area (the detail counts the subtree and zones too)."
    )


class AreaDetailOut(AreaListOut):
    ancestors: list[AreaRef] = Field(alias="api_ancestors")
    children: list[AreaRef] = Field(alias="api_children")
    light_counts: LightCounts = Field(alias="api_light_counts")


class UnitDetailOut(UnitOut):
    people: list[PersonRef] = Field(alias="api_people")
    project_count: int = Field(alias="api_project_count")
    light_counts: LightCounts = Field(alias="api_light_counts")


class PersonDetailOut(PersonOut):
    # Aliased: the model's reverse relations have these names and cannot be assigned to.
    led_projects: list[ProjectLightRef] = Field(alias="api_led")
    responsible_projects: list[ProjectLightRef] = Field(alias="api_responsible")


# ---- input ------------------------------------------------------------------------------------


class ProjectQuery(InputSchema):
    """The filters of the project list page, with the same meaning."""

    q: str | None = Field(None, max_length=200, description="Text in the name, English name, code or national code.")
    area: int | None = Field(None, description="An area id: projects in it or below it, by district or zone.")
    key_list: int | None = None
    stage: list[Stage] | None = Field(None, description="One or more stages (repeat the parameter).")
    status: Status | None = None
    category: Category | None = None
    industry: str | None = Field(None, max_length=100)
    lead_leader: int | None = Field(None, description="A person id.")
    responsible_unit: int | None = Field(None, description="A unit id.")
    light: Light | None = None
    sort: ProjectSort = Field("code", description="A column, '-' first for descending.")


class ProjectFields(InputSchema):
    """The editable facts of a project; areas, units and people by id, the parent by code."""

    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    category: Category
    industry: str = Field("", max_length=100)
    investment_code: str = Field("", max_length=24)
    area: int
    zone: int | None = None
    address: str = Field("", max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    owner_unit: int | None = None
    lead_leader: int | None = None
    responsible_unit: int | None = None
    responsible_person: int | None = None
    total_investment: Decimal | None = None
    planned_start: datetime.date | None = None
    planned_end: datetime.date | None = None
    description: str = ""
    parent: str | None = Field(None, description="The code of the project this is a phase of.")


class ProjectCreateIn(ProjectFields):
    stage: Stage = Stage.RESERVE
    stage_on: datetime.date | None = Field(None, description="When a project entered at a later stage reached it.")


class ProjectPatchIn(InputSchema):
    """Any subset of the editable facts; null clears an optional one."""

    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    category: Category | None = None
    industry: str | None = Field(None, max_length=100)
    investment_code: str | None = Field(None, max_length=24)
    area: int | None = None
    zone: int | None = None
    address: str | None = Field(None, max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    owner_unit: int | None = None
    lead_leader: int | None = None
    responsible_unit: int | None = None
    responsible_person: int | None = None
    total_investment: Decimal | None = None
    planned_start: datetime.date | None = None
    planned_end: datetime.date | None = None
    description: str | None = None
    parent: str | None = None


class StageChangeIn(InputSchema):
    to_stage: Stage
    on: datetime.date | None = Field(None, description="When it happened; today if left out.")
    note: str = Field("", description="Required for a correction one step back.")


class PauseIn(InputSchema):
    reason: str
    expected_resume_on: datetime.date
    on: datetime.date | None = None


class ResumeIn(InputSchema):
    note: str = ""
    on: datetime.date | None = None


class KeyListQuery(InputSchema):
    q: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=1900, le=2200)
    level: KeyListLevel | None = None


class DirectoryQuery(InputSchema):
    q: str | None = Field(None, max_length=200)


class UnitQuery(DirectoryQuery):
    kind: str | None = Field(None, max_length=30)


class PersonQuery(DirectoryQuery):
    leaders: bool | None = Field(None, description="Only leaders.")


# ---- helpers ----------------------------------------------------------------------------------


def _project_out(user, code: str, response: HttpResponse):
    """The project as its detail endpoint shows it, with its ETag on `response`."""
    context = project_detail(user, code)
    project = context["project"]
    project.light_reasons = [
        {"rule": rule.code, "light": colour, "label": str(rule.label)}
        for rule in light_rules()
        for colour in ("red", "yellow")
        if getattr(project, f"rule_{rule.code}_{colour}", False)
    ]
    project.light_override = context["override"]
    project.pipeline = [{**step, "label": str(step["label"])} for step in context["pipeline"]]
    response["ETag"] = etag(project.version)
    return project


def _area_choices(user):
    """The areas a user may put a project in: like the project form, their subtree unless they see all."""
    if not sees_everything(user) and user.scope_area_id:
        return Area.objects.subtree(user.scope_area)
    return Area.objects.all()


def _resolve(user, data: dict) -> dict:
    """Turn ids and codes of the input into records, refusing what the project form would not offer."""
    lookups = {
        "area": (_area_choices(user), "pk", _("Choose an area in your scope.")),
        "zone": (_area_choices(user), "pk", _("Choose a zone in your scope.")),
        "owner_unit": (Unit.objects.all(), "pk", _("There is no such unit.")),
        "responsible_unit": (Unit.objects.all(), "pk", _("There is no such unit.")),
        "lead_leader": (Person.objects.filter(is_leader=True), "pk", _("Choose a person who is a leader.")),
        "responsible_person": (Person.objects.all(), "pk", _("There is no such person.")),
        "parent": (Project.objects.for_user(user), "code", _("There is no such project in your scope.")),
    }
    resolved, errors = dict(data), {}
    for name, (queryset, field, message) in lookups.items():
        value = data.get(name)
        if value is None:
            continue
        found = queryset.filter(**{field: value}).first()
        if found is None:
            errors[name] = [message]
        resolved[name] = found
    if errors:
        raise ValidationError(errors)
    return resolved


def _outside_area() -> ValidationError:
    return ValidationError({"area": _("You can only put projects in your own area.")})


# ---- projects ---------------------------------------------------------------------------------


@router.get("/projects", response=Page[ProjectListOut], tags=["projects"])
def list_projects(request, filters: Query[ProjectQuery], page: Query[PageParams]):
    """Projects you can see, with their light; the same filters and sorting as the project list page."""
    project_filter = ProjectFilter(request.GET, queryset=visible_projects(request.auth), user=request.auth)
    if not project_filter.is_valid():
        raise ValidationError({field: list(errors) for field, errors in project_filter.errors.items()})
    ordered, _sort = sort_by(request, project_filter.qs, PROJECT_SORTS, "code")
    return paginate(ordered, page)


@router.post("/projects", response={201: ProjectOut}, tags=["projects"])
@sends_etag
@idempotent
def create_project(request, payload: ProjectCreateIn, response: HttpResponse):
    """Create a project (in the reserve pool unless `stage` says otherwise)."""
    user = request.auth
    require_perm(user, "project.create")
    data = _resolve(user, payload.model_dump())
    try:
        project = actions.create_project(by=user, **data)
    except ObjectDoesNotExist:
        raise _outside_area() from None
    response["Location"] = f"{request.path.rstrip('/')}/{project.code}"
    return ninja.Status(201, _project_out(user, project.code, response))


@router.get("/projects/{code}", response=ProjectOut, tags=["projects"])
@sends_etag
def get_project(request, code: str, response: HttpResponse):
    """One project with its figures, stage history, key lists, phases and the reasons for its light."""
    return _project_out(request.auth, code, response)


@router.patch("/projects/{code}", response=ProjectOut, tags=["projects"])
@sends_etag
@accepts_if_match
def update_project(request, code: str, payload: ProjectPatchIn, response: HttpResponse):
    """Change some facts of a project. Send `If-Match` with its ETag to be sure not to overwrite
    somebody else's change."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.change")
    changes = _resolve(user, payload.model_dump(exclude_unset=True))
    try:
        updated = actions.update_project(
            project=project, by=user, changes=changes, expected_version=expected_version(request, project.version)
        )
    except ObjectDoesNotExist:
        raise _outside_area() from None
    return _project_out(user, updated.code, response)


@router.post("/projects/{code}/stage", response=ProjectOut, tags=["projects"])
@sends_etag
@accepts_if_match
@idempotent
def change_project_stage(request, code: str, payload: StageChangeIn, response: HttpResponse):
    """Move the project to a later stage (or one step back with a note); recorded in its stage history."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.change_stage")
    with guarded(request, Project, project.pk) as current:
        actions.change_stage(
            project=current,
            to_stage=payload.to_stage,
            on=payload.on or timezone.localdate(),
            note=payload.note,
            by=user,
        )
    return _project_out(user, code, response)


@router.post("/projects/{code}/pause", response=ProjectOut, tags=["projects"])
@sends_etag
@accepts_if_match
def pause_project(request, code: str, payload: PauseIn, response: HttpResponse):
    """Pause an active project with a reason and the date it should resume."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.pause")
    with guarded(request, Project, project.pk) as current:
        actions.pause_project(
            project=current,
            reason=payload.reason,
            expected_resume_on=payload.expected_resume_on,
            on=payload.on,
            by=user,
        )
    return _project_out(user, code, response)


@router.post("/projects/{code}/resume", response=ProjectOut, tags=["projects"])
@sends_etag
@accepts_if_match
def resume_project(request, code: str, payload: ResumeIn, response: HttpResponse):
    """Resume a paused project; the pause stays in its history."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.pause")
    with guarded(request, Project, project.pk) as current:
        actions.resume_project(project=current, note=payload.note, on=payload.on, by=user)
    return _project_out(user, code, response)


# ---- key lists --------------------------------------------------------------------------------


def _visible_members(user):
    """Memberships of the key list of the outer query whose projects `user` can see."""
    return KeyListMembership.objects.filter(key_list=OuterRef("pk"), project__in=Project.objects.for_user(user))


def _visible_key_lists(user):
    # One grouped count: a count per list would check the scope of every membership row by row.
    visible = Project.objects.for_user(user)
    return KeyList.objects.select_related("area").annotate(
        project_count=Count("memberships", filter=Q(memberships__project__in=visible))
    )


@router.get("/key-lists", response=Page[KeyListOut], tags=["key lists"])
def list_key_lists(request, filters: Query[KeyListQuery], page: Query[PageParams]):
    """Key lists with at least one project you can see, newest year first."""
    # EXISTS, not the count, decides: counting the lists then needs no GROUP BY.
    lists = _visible_key_lists(request.auth).filter(Exists(_visible_members(request.auth)))
    if filters.q:
        lists = lists.filter(Q(name__icontains=filters.q) | Q(name_en__icontains=filters.q))
    if filters.year:
        lists = lists.filter(year=filters.year)
    if filters.level:
        lists = lists.filter(level=filters.level)
    return paginate(lists.order_by("-year", "name", "pk"), page)


def _get_key_list(user, pk: int) -> KeyList:
    key_list = get_object_or_404(_visible_key_lists(user), pk=pk)
    # Like its page: a list none of whose projects you see exists for you only if you manage lists.
    if key_list.project_count == 0 and not manages_key_list(user, key_list):
        raise Http404
    return key_list


@router.get("/key-lists/{key_list_id}", response=KeyListDetailOut, tags=["key lists"])
def get_key_list(request, key_list_id: int):
    """A key list with the totals of its projects that you can see."""
    user = request.auth
    key_list = _get_key_list(user, key_list_id)
    members = KeyListMembership.objects.filter(key_list=key_list, project__in=Project.objects.for_user(user))
    totals = members.aggregate(
        annual_investment_plan=Sum("annual_investment_plan"), total_investment=Sum("project__total_investment")
    )
    # SQLite sums decimals without their scale; yuan are always shown with two places.
    key_list.totals = {name: None if value is None else value.quantize(CENTS) for name, value in totals.items()}
    return key_list


@router.get("/key-lists/{key_list_id}/memberships", response=Page[MemberOut], tags=["key lists"])
def list_key_list_memberships(request, key_list_id: int, page: Query[PageParams]):
    """The projects of a key list that you can see, with this year's targets and their lights."""
    user = request.auth
    key_list = _get_key_list(user, key_list_id)
    members = (
        KeyListMembership.objects.filter(key_list=key_list, project__in=Project.objects.for_user(user))
        .select_related("project")
        .order_by("project__code")
    )
    result = paginate(members, page)
    lights = dict(
        visible_projects(user).filter(pk__in=[m.project_id for m in result["results"]]).values_list("pk", "light")
    )
    for member in result["results"]:
        member.project.light = lights.get(member.project_id, Light.GREEN)
    return result


# ---- areas, units, people ---------------------------------------------------------------------


def _search(queryset, text: str | None, *fields: str):
    if not text or not text.strip():
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{field: text.strip()})
    return queryset.filter(condition)


@router.get("/areas", response=Page[AreaListOut], tags=["directory"])
def list_areas(request, filters: Query[DirectoryQuery], page: Query[PageParams]):
    """Areas you can see, in tree order, with how many of your projects each holds."""
    user = request.auth
    areas = _visible_areas(user).annotate(
        project_count=count_of(Project.objects.for_user(user).filter(area=OuterRef("pk")))
    )
    areas = _search(areas, filters.q, "name__icontains", "name_en__icontains", "gb_code__startswith")
    return paginate(areas.order_by("path", "pk"), page)


@router.get("/areas/{area_id}", response=AreaDetailOut, tags=["directory"])
def get_area(request, area_id: int):
    """An area with where it sits in the tree and the lights of your projects in it."""
    user = request.auth
    area = get_object_or_404(_visible_areas(user), pk=area_id)
    projects = visible_projects(user).filter(Q(area__path__startswith=area.path) | Q(zone__path__startswith=area.path))
    area.api_ancestors = [a for a in area.ancestors() if a.pk != area.pk]
    area.api_children = list(_visible_areas(user).filter(parent=area).order_by("path"))
    area.project_count = projects.count()
    area.api_light_counts = light_counts(projects)
    return area


@router.get("/units", response=Page[UnitOut], tags=["directory"])
def list_units(request, filters: Query[UnitQuery], page: Query[PageParams]):
    """Units you can see: yours, those in your area, and those of your projects."""
    units = _visible_units(request.auth).select_related("area")
    units = _search(units, filters.q, "name__icontains", "name_en__icontains", "short_name__icontains")
    if filters.kind:
        units = units.filter(kind=filters.kind)
    return paginate(units.order_by("area__path", "name", "pk"), page)


@router.get("/units/{unit_id}", response=UnitDetailOut, tags=["directory"])
def get_unit(request, unit_id: int):
    """A unit with its people and the lights of the projects it owns or is responsible for."""
    user = request.auth
    unit = get_object_or_404(_visible_units(user).select_related("area"), pk=unit_id)
    projects = visible_projects(user).filter(Q(responsible_unit=unit) | Q(owner_unit=unit))
    unit.api_people = list(unit.people.order_by("name", "pk"))
    unit.api_project_count = projects.count()
    unit.api_light_counts = light_counts(projects)
    return unit


@router.get("/people", response=Page[PersonOut], tags=["directory"])
def list_people(request, filters: Query[PersonQuery], page: Query[PageParams]):
    """People you can see: of your units, and the leaders and contacts of your projects."""
    people = _visible_people(request.auth).select_related("unit")
    people = _search(
        people, filters.q, "name__icontains", "name_en__icontains", "title__icontains", "unit__name__icontains"
    )
    if filters.leaders:
        people = people.filter(is_leader=True)
    return paginate(people.order_by("name", "pk"), page)


@router.get("/people/{person_id}", response=PersonDetailOut, tags=["directory"])
def get_person(request, person_id: int):
    """A person with the projects they lead and those they are the contact for."""
    user = request.auth
    person = get_object_or_404(_visible_people(user).select_related("unit"), pk=person_id)
    person.api_led = list(visible_projects(user).filter(lead_leader=person).order_by("code"))
    person.api_responsible = list(visible_projects(user).filter(responsible_person=person).order_by("code"))
    return person
