"""Monthly reports in the API: the reports of visible projects with their figures, and the owner's
two writes — filling in the figures and submitting the report for review.

Reports are opened by reporting rounds, never created one by one; reads use `visible_reports`
(the project's scope) and the report list's filters; writes call `reporting.actions`, which check
the role (`report.fill`) and the report's state.
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from groundbreak.api.pagination import Page, PageParams, paginate
from groundbreak.api.schemas import InputSchema
from groundbreak.reporting import actions
from groundbreak.reporting.choices import ReportStatus
from groundbreak.reporting.filters import ReportFilter
from groundbreak.reporting.models import Report
from groundbreak.reporting.queries import get_visible_report, visible_reports

router = Router()


class RoundRef(Schema):
    id: int
    period_start: datetime.date
    period_end: datetime.date
    due_on: datetime.date
    status: str


class FiguresOut(Schema):
    number: int
    investment: Decimal | None
    physical_progress: Decimal | None
    workers_on_site: int | None
    progress: str
    next_steps: str
    difficulties: str


class ReportOut(Schema):
    id: int
    project: str = Field(description="The project's code.")
    round: RoundRef
    status: str
    awaiting: str
    first_submitted_on: datetime.date | None
    submitted_on: datetime.date | None
    late: bool = Field(description="First submitted after the round's due date.")

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_late(obj) -> bool:
        return obj.is_late


class ReportDetailOut(ReportOut):
    return_reason: str
    working: FiguresOut | None = Field(description="The figures being filled in or corrected.")
    accepted: FiguresOut | None = Field(description="The figures as last accepted.")


class ReportQuery(InputSchema):
    q: str | None = Field(None, max_length=200, description="Text in the project's code or name.")
    status: ReportStatus | None = None
    round: int | None = Field(None, description="A reporting round's id.")
    project: str | None = Field(None, max_length=40, description="A project's code.")
    late: Literal["late", "on_time"] | None = None
    missing: bool | None = Field(None, description="Only reports still with their owners (never accepted).")


class FiguresIn(InputSchema):
    """The figures to set; those left out keep their value."""

    investment: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="Yuan, this period.")
    physical_progress: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    workers_on_site: int | None = Field(None, ge=0, le=2_000_000)
    progress: str | None = Field(None, max_length=20_000)
    next_steps: str | None = Field(None, max_length=20_000)
    difficulties: str | None = Field(None, max_length=20_000)


def _reports(queryset):
    return queryset.select_related("project", "round", "working", "accepted")


@router.get("/reports", response=Page[ReportOut], tags=["reports"])
def list_reports(request, filters: Query[ReportQuery], page: Query[PageParams]):
    """Reports of the projects you can see, newest period first, each round's by project code;
    the report list's filters."""
    reports = visible_reports(request.auth)
    if filters.round:
        reports = reports.filter(round=filters.round)
    if filters.project:
        reports = reports.filter(project__code=filters.project)
    data = filters.model_dump(exclude_none=True, include={"q", "status", "late"})
    if filters.missing:
        data["missing"] = "on"
    listed = ReportFilter(data, queryset=reports)
    if not listed.is_valid():
        raise ValidationError({field: list(errors) for field, errors in listed.errors.items()})
    # Round before project code: an index walks rounds newest first into their reports, so the
    # first page sorts one round's reports, not all of them (5.4 s → 0.15 s on the province bench).
    return paginate(_reports(listed.qs).order_by("-round__period_start", "round_id", "project__code"), page)


def _detail(user, pk: int) -> Report:
    get_visible_report(user, pk)
    return _reports(Report.objects.filter(pk=pk)).get()


@router.get("/reports/{report_id}", response=ReportDetailOut, tags=["reports"])
def get_report(request, report_id: int):
    """One report with the figures being filled in and those last accepted."""
    return _detail(request.auth, report_id)


@router.patch("/reports/{report_id}/figures", response=ReportDetailOut, tags=["reports"])
def fill_report(request, report_id: int, payload: FiguresIn):
    """Fill in or change the figures of a draft or returned report (the others are left as they are)."""
    user = request.auth
    report = get_visible_report(user, report_id)
    values = payload.model_dump(exclude_unset=True)
    for name in ("progress", "next_steps", "difficulties"):
        if name in values and values[name] is None:
            raise ValidationError({name: _("Send text, or leave the field out.")})
    actions.save_report(report=report, by=user, values=values)
    return _detail(user, report_id)


@router.post("/reports/{report_id}/submit", response=ReportDetailOut, tags=["reports"])
def submit_report(request, report_id: int):
    """Send the report up to its first level of review; it needs the investment and the progress."""
    user = request.auth
    report = get_visible_report(user, report_id)
    actions.submit_report(report=report, by=user)
    return _detail(user, report_id)
