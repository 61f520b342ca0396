"""Issues (difficulties) and their responses in the API: the issue board's reads and the two writes
a program needs most — raising an issue on a project and recording what a unit did about it.

Reads use the board's scoped query (`visible_issues`: issues of visible projects, and those
assigned to the caller's unit) and its filters; writes call `coordination.actions`. Both
creating POSTs accept an Idempotency-Key.
"""

import datetime
from typing import Literal

import ninja
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from groundbreak.api.idempotency import idempotent
from groundbreak.api.pagination import Page, PageParams, paginate
from groundbreak.api.schemas import InputSchema, RecordId
from groundbreak.coordination import actions
from groundbreak.coordination.choices import OPEN_STATUSES, IssueSource, IssueStatus, Severity
from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.forms import UNIT_ERRORS
from groundbreak.coordination.models import Issue, IssueCategory, IssueResponse
from groundbreak.coordination.queries import get_visible_issue, visible_issues
from groundbreak.org.api import PersonRef, UnitRef
from groundbreak.org.models import Person, Unit
from groundbreak.org.queries import unit_choices_for_user
from groundbreak.portfolio.queries import get_visible_project

router = Router()

ISSUE_SORTS = {
    "raised_on": ("raised_on", "pk"),
    "deadline": ("deadline", "pk"),
    "severity": ("severity", "pk"),
}
IssueSort = Literal[tuple(key for name in ISSUE_SORTS for key in (name, f"-{name}"))]


class IssueCategoryOut(Schema):
    code: str
    name: str
    name_en: str


class ResponseOut(Schema):
    id: int
    on: datetime.date
    text: str
    unit: UnitRef | None
    created_at: datetime.datetime


class IssueOut(Schema):
    id: int
    project: str = Field(description="The project's code.")
    title: str
    category: IssueCategoryOut
    severity: int
    source: str
    status: str
    raised_on: datetime.date
    deadline: datetime.date | None
    lead_unit: UnitRef | None
    responsible_person: PersonRef | None
    resolved_on: datetime.date | None
    closed_on: datetime.date | None
    overdue: bool

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue


class IssueDetailOut(IssueOut):
    description: str
    resolution: str
    evidence_required: bool
    co_units: list[UnitRef]
    responses: list[ResponseOut]

    @staticmethod
    def resolve_co_units(obj) -> list:
        return list(obj.co_units.all())

    @staticmethod
    def resolve_responses(obj) -> list:
        return list(obj.responses.all())


class IssueQuery(InputSchema):
    """The filters of the issue board, with the same meaning."""

    q: str | None = Field(None, max_length=200, description="Text in the summary, details or project.")
    status: list[IssueStatus] | None = Field(None, description="One or more statuses (repeat the parameter).")
    overdue: bool | None = Field(None, description="Only issues past their deadline and still with their unit.")
    category: str | None = Field(None, max_length=40, description="An issue category's code.")
    severity: Severity | None = None
    unit: int | None = Field(None, description="A unit id: issues it leads or helps with.")
    area: int | None = Field(None, description="An area id: issues of projects in it or below it.")
    project: str | None = Field(None, max_length=40, description="A project's code.")
    sort: IssueSort = Field("-raised_on", description="A column, '-' first for descending.")


class IssueIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    category: str = Field(max_length=40, description="An issue category's code.")
    description: str = Field("", max_length=20_000)
    severity: Severity = Severity.NORMAL
    source: IssueSource = IssueSource.UNIT
    raised_on: datetime.date | None = Field(None, description="Today when not given.")
    lead_unit: RecordId | None = Field(None, description="A unit id; with a deadline, assigns the issue at once.")
    co_units: list[RecordId] = Field(default_factory=list, max_length=50)
    responsible_person: RecordId | None = None
    deadline: datetime.date | None = None


class ResponseIn(InputSchema):
    text: str = Field(min_length=1, max_length=20_000)
    on: datetime.date | None = Field(None, description="When it was done; today when not given.")


def _issues(queryset):
    return queryset.select_related("project", "category", "lead_unit", "responsible_person")


def _for_output(issue: Issue, today: datetime.date) -> Issue:
    # The board's rule (coordination.queries.overdue_q): still with the unit and past its deadline.
    issue.is_overdue = bool(issue.deadline and issue.deadline < today and issue.status in OPEN_STATUSES)
    return issue


def _filter_data(filters: IssueQuery) -> dict:
    data = filters.model_dump(exclude_none=True, exclude={"project", "category", "sort"})
    if "status" in data:
        data["status"] = [str(s) for s in data["status"]]
    if not data.pop("overdue", False):
        return data
    data["overdue"] = "on"
    return data


@router.get("/issues", response=Page[IssueOut], tags=["issues"])
def list_issues(request, filters: Query[IssueQuery], page: Query[PageParams]):
    """Issues you can see — of your projects, or assigned to your unit — with the board's filters."""
    user = request.auth
    today = timezone.localdate()
    issues = visible_issues(user)
    if filters.project:
        issues = issues.filter(project__code=filters.project)
    if filters.category:
        issues = issues.filter(category__code=filters.category)
    board = IssueFilter(_filter_data(filters), queryset=issues, user=user, today=today)
    if not board.is_valid():
        raise ValidationError({field: list(errors) for field, errors in board.errors.items()})
    descending = filters.sort.startswith("-")
    columns = ISSUE_SORTS[filters.sort.lstrip("-")]
    ordered = _issues(board.qs).order_by(*(f"-{c}" if descending else c for c in columns))
    result = paginate(ordered, page)
    for issue in result["results"]:
        _for_output(issue, today)
    return result


def _detail(user, pk: int) -> Issue:
    get_visible_issue(user, pk)
    issue = (
        _issues(Issue.objects.filter(pk=pk))
        .prefetch_related(
            "co_units",
            Prefetch("responses", queryset=IssueResponse.objects.select_related("unit").order_by("on", "id")),
        )
        .get()
    )
    return _for_output(issue, timezone.localdate())


@router.get("/issues/{issue_id}", response=IssueDetailOut, tags=["issues"])
def get_issue(request, issue_id: int):
    """One issue with its co-units and every response."""
    return _detail(request.auth, issue_id)


def _found(model, pk, field: str, queryset=None):
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No such record.")})
    return found


@router.post("/projects/{code}/issues", response={201: IssueDetailOut}, tags=["issues"])
@idempotent
def raise_project_issue(request, code: str, payload: IssueIn, response: HttpResponse):
    """Raise a difficulty of the project; with a lead unit and a deadline it is assigned at once."""
    user = request.auth
    project = get_visible_project(user, code)
    category = IssueCategory.objects.filter(code=payload.category).first()
    if category is None:
        raise ValidationError({"category": _("No issue category has this code.")})
    # The units the issue form offers: the government units of the caller's area chain, the
    # caller's own unit and the project's owner and responsible units, not any enterprise.
    offered = unit_choices_for_user(user, also=(project.owner_unit_id, project.responsible_unit_id))
    co_units = list(offered.filter(pk__in=payload.co_units))
    if len(co_units) != len(set(payload.co_units)):
        raise ValidationError({"co_units": UNIT_ERRORS["invalid_choice"]})
    lead_unit = _found(Unit, payload.lead_unit, "lead_unit")
    if lead_unit is not None and not offered.filter(pk=lead_unit.pk).exists():
        raise ValidationError({"lead_unit": UNIT_ERRORS["invalid_choice"]})
    issue = actions.raise_issue(
        project=project,
        by=user,
        title=payload.title,
        category=category,
        description=payload.description,
        severity=payload.severity,
        source=payload.source,
        raised_on=payload.raised_on,
        lead_unit=lead_unit,
        co_units=co_units,
        responsible_person=_found(Person, payload.responsible_person, "responsible_person"),
        deadline=payload.deadline,
    )
    response["Location"] = f"/api/v1/issues/{issue.pk}"
    return ninja.Status(201, _detail(user, issue.pk))


@router.post("/issues/{issue_id}/responses", response={201: IssueDetailOut}, tags=["issues"])
@idempotent
def respond_to_issue(request, issue_id: int, payload: ResponseIn, response: HttpResponse):
    """Record what the assigned unit did; the first response puts the issue in progress."""
    user = request.auth
    issue = get_visible_issue(user, issue_id)
    actions.respond_to_issue(issue=issue, by=user, text=payload.text, on=payload.on)
    response["Location"] = f"/api/v1/issues/{issue.pk}"
    return ninja.Status(201, _detail(user, issue.pk))
