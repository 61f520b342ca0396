"""The schedule part of the API: time nodes with their lights and re-plan history, and the re-plan queue.

A node is always fetched through its project (`/projects/{code}/milestones/{id}`), so a node of a
project outside the caller's scope is "not found" like the project. Writes call `schedule.actions`.
"""

import datetime

import ninja
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from groundbreak.api.concurrency import accepts_if_match, etag, guarded, sends_etag
from groundbreak.api.idempotency import idempotent
from groundbreak.api.pagination import Page, PageParams, paginate
from groundbreak.api.schemas import InputSchema
from groundbreak.org.api import UnitRef
from groundbreak.org.models import Unit
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.choices import Light
from groundbreak.portfolio.models import LightSettings, Project
from groundbreak.portfolio.queries import get_visible_project
from groundbreak.schedule import actions
from groundbreak.schedule.forms import NODE_UNIT_ERROR, CompleteForm
from groundbreak.schedule.lights import milestone_light
from groundbreak.schedule.models import Milestone, MilestoneKind, Replan, ReplanReason
from groundbreak.schedule.queries import node_unit_choices, pending_replans, visible_milestones

router = Router()


# ---- output -----------------------------------------------------------------------------------


class MilestoneKindOut(Schema):
    code: str
    name: str
    name_en: str
    evidence: str = Field(
        description="What completing a node of this kind needs: '', document, photo, approval_number."
    )
    is_approval: bool


class ReplanReasonOut(Schema):
    code: str
    name: str
    name_en: str


class ReplanOut(Schema):
    id: int
    milestone_id: int
    old_date: datetime.date
    new_date: datetime.date
    reason: ReplanReasonOut
    note: str
    status: str
    requested_by: str | None
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_requested_by(obj) -> str | None:
        return str(obj.requested_by) if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class MilestoneOut(Schema):
    id: int
    project: str = Field(description="The project's code.")
    kind: MilestoneKindOut
    name: str
    name_en: str
    baseline_date: datetime.date
    planned_date: datetime.date
    actual_date: datetime.date | None
    responsible_unit: UnitRef | None
    document_number: str
    has_evidence: bool
    completion_note: str
    replan_count: int
    slip_days: int = Field(description="Days moved from the baseline (positive: later).")
    order: int
    light: str
    version: int

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class MilestoneDetailOut(MilestoneOut):
    replans: list[ReplanOut]


class ReplanCreatedOut(ReplanOut):
    milestone: MilestoneDetailOut = Field(alias="api_milestone", description="The node after the re-plan.")


class QueuedMilestoneOut(Schema):
    id: int
    project: str
    name: str
    kind: str
    planned_date: datetime.date

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code


class QueuedReplanOut(ReplanOut):
    milestone: QueuedMilestoneOut


# ---- input ------------------------------------------------------------------------------------


class MilestoneQuery(InputSchema):
    project: str | None = Field(None, max_length=40, description="A project code.")
    light: Light | None = None
    open: bool | None = Field(None, description="true: not met yet; false: met.")
    due_before: datetime.date | None = Field(None, description="Planned on or before this date.")
    kind: str | None = Field(None, max_length=40, description="A node kind code.")


class MilestoneCreateIn(InputSchema):
    kind: str = Field(max_length=40, description="A node kind code (see /milestone-kinds).")
    planned_date: datetime.date
    name: str = Field("", max_length=200, description="Only if it differs from the kind's name.")
    name_en: str = Field("", max_length=200)
    responsible_unit: int | None = Field(None, description="A unit id.")
    order: int = Field(0, ge=0, le=32767)


class CompleteIn(InputSchema):
    actual_date: datetime.date
    document_number: str = Field("", max_length=100)
    note: str = ""
    keep_location: bool = Field(False, description="Keep a photo's GPS position (it is removed otherwise).")


class ReplanIn(InputSchema):
    new_date: datetime.date
    reason: str = Field(max_length=40, description="A re-plan reason code (see /replan-reasons).")
    note: str = ""


class DecisionIn(InputSchema):
    approve: bool
    note: str = Field("", description="Required when rejecting.")


# ---- helpers ----------------------------------------------------------------------------------


def _with_light(queryset):
    return queryset.annotate(light=milestone_light(timezone.localdate(), LightSettings.current()))


def _replans():
    return Replan.objects.select_related("reason", "requested_by__person", "decided_by__person")


def _get_milestone(user, code: str, milestone_id: int) -> Milestone:
    """A node fetched through its visible project, with its light and re-plan history."""
    project = get_visible_project(user, code)
    return get_object_or_404(
        _with_light(project.milestones.select_related("kind", "responsible_unit")).prefetch_related(
            Prefetch("replans", queryset=_replans())
        ),
        pk=milestone_id,
    )


def _milestone_out(user, code: str, milestone_id: int, response: HttpResponse | None = None) -> Milestone:
    milestone = _get_milestone(user, code, milestone_id)
    if response is not None:
        response["ETag"] = etag(milestone.version)
    return milestone


def _by_code(model, field: str, code: str, message: str):
    """The configured record (node kind, re-plan reason) with this code, or a field error."""
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: message})
    return found


# ---- reference data ---------------------------------------------------------------------------


@router.get("/milestone-kinds", response=list[MilestoneKindOut], tags=["milestones"])
def list_milestone_kinds(request):
    """The configured node kinds (a short list, not paginated)."""
    return MilestoneKind.objects.order_by("order", "code")


@router.get("/replan-reasons", response=list[ReplanReasonOut], tags=["milestones"])
def list_replan_reasons(request):
    """The configured re-plan reasons (a short list, not paginated)."""
    return ReplanReason.objects.order_by("order", "code")


# ---- milestones -------------------------------------------------------------------------------


@router.get("/milestones", response=Page[MilestoneOut], tags=["milestones"])
def list_milestones(request, filters: Query[MilestoneQuery], page: Query[PageParams]):
    """Nodes of all projects you can see, earliest planned first: e.g. `?open=true&light=red`."""
    nodes = _with_light(visible_milestones(request.auth)).select_related("project", "kind", "responsible_unit")
    if filters.project:
        nodes = nodes.filter(project__code=filters.project)
    if filters.light:
        nodes = nodes.filter(light=filters.light)
    if filters.open is not None:
        nodes = nodes.filter(actual_date__isnull=filters.open)
    if filters.due_before:
        nodes = nodes.filter(planned_date__lte=filters.due_before)
    if filters.kind:
        nodes = nodes.filter(kind__code=filters.kind)
    return paginate(nodes.order_by("planned_date", "order", "id"), page)


@router.get("/projects/{code}/milestones", response=Page[MilestoneOut], tags=["milestones"])
def list_project_milestones(request, code: str, page: Query[PageParams]):
    """A project's nodes in date order, with their lights."""
    project = get_visible_project(request.auth, code)
    nodes = _with_light(project.milestones.select_related("kind", "responsible_unit"))
    return paginate(nodes.order_by("planned_date", "order", "id"), page)


@router.post("/projects/{code}/milestones", response={201: MilestoneDetailOut}, tags=["milestones"])
@sends_etag
@idempotent
def add_milestone(request, code: str, payload: MilestoneCreateIn, response: HttpResponse):
    """Add a time node; its baseline is the first planned date."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "milestone.create")
    kind = _by_code(MilestoneKind, "kind", payload.kind, _("There is no node kind with this code."))
    unit = None
    if payload.responsible_unit is not None:
        if not Unit.objects.filter(pk=payload.responsible_unit).exists():
            raise ValidationError({"responsible_unit": _("There is no such unit.")})
        # What the page's node form offers, not any enterprise of the territory.
        unit = node_unit_choices(project).filter(pk=payload.responsible_unit).first()
        if unit is None:
            raise ValidationError({"responsible_unit": NODE_UNIT_ERROR})
    milestone = actions.add_milestone(
        project=project,
        kind=kind,
        planned_date=payload.planned_date,
        name=payload.name,
        name_en=payload.name_en,
        responsible_unit=unit,
        order=payload.order,
        by=user,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{milestone.pk}"
    return ninja.Status(201, _milestone_out(user, code, milestone.pk, response))


@router.get("/projects/{code}/milestones/{milestone_id}", response=MilestoneDetailOut, tags=["milestones"])
@sends_etag
def get_milestone(request, code: str, milestone_id: int, response: HttpResponse):
    """One node with its light and every re-plan (old date, new date, reason, decision)."""
    return _milestone_out(request.auth, code, milestone_id, response)


@router.post("/projects/{code}/milestones/{milestone_id}/complete", response=MilestoneDetailOut, tags=["milestones"])
@sends_etag
@accepts_if_match
def complete_milestone(
    request,
    code: str,
    milestone_id: int,
    payload: Form[CompleteIn],
    response: HttpResponse,
    evidence: File[UploadedFile] = None,
):
    """Record that a node was met (multipart form: the evidence file goes with it where its kind
    needs a document or photo)."""
    user = request.auth
    milestone = _get_milestone(user, code, milestone_id)
    require_perm(user, "milestone.complete")
    # The page's form: the same checks of the evidence file's size and type.
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    data = form.cleaned_data
    with guarded(request, Milestone, milestone.pk) as current:
        actions.complete_milestone(
            milestone=current,
            actual_date=data["actual_date"],
            document_number=data["document_number"],
            evidence=data["evidence"],
            note=data["note"],
            by=user,
        )
    return _milestone_out(user, code, milestone_id, response)


@router.post(
    "/projects/{code}/milestones/{milestone_id}/replans", response={201: ReplanCreatedOut}, tags=["milestones"]
)
@accepts_if_match
@idempotent
def replan_milestone(request, code: str, milestone_id: int, payload: ReplanIn):
    """Move a node's planned date with a reason. Where re-plans need approval the answer's status is
    `pending` and the date moves only when a coordinator approves."""
    user = request.auth
    milestone = _get_milestone(user, code, milestone_id)
    require_perm(user, "milestone.replan")
    reason = _by_code(ReplanReason, "reason", payload.reason, _("There is no re-plan reason with this code."))
    with guarded(request, Milestone, milestone.pk) as current:
        replan = actions.replan_milestone(
            milestone=current, new_date=payload.new_date, reason=reason, note=payload.note, by=user
        )
    replan = _replans().get(pk=replan.pk)
    replan.api_milestone = _milestone_out(user, code, milestone_id)
    return ninja.Status(201, replan)


# ---- re-plan queue ----------------------------------------------------------------------------


@router.get("/replans", response=Page[QueuedReplanOut], tags=["milestones"])
def list_pending_replans(request, page: Query[PageParams]):
    """Re-plan requests awaiting a decision in your scope, oldest first (for those who decide them)."""
    require_perm(request.auth, "milestone.decide_replan")
    return paginate(pending_replans(request.auth).select_related("decided_by__person"), page)


@router.post("/replans/{replan_id}/decision", response=QueuedReplanOut, tags=["milestones"])
def decide_replan(request, replan_id: int, payload: DecisionIn):
    """Approve (the node's date moves) or reject (it stays; say why) a pending re-plan."""
    user = request.auth
    require_perm(user, "milestone.decide_replan")
    visible = Replan.objects.filter(milestone__project__in=Project.objects.for_user(user))
    replan = get_object_or_404(visible.select_related("milestone__project"), pk=replan_id)
    actions.decide_replan(replan=replan, approve=payload.approve, note=payload.note, by=user)
    return _replans().select_related("milestone__project", "milestone__kind").get(pk=replan.pk)
