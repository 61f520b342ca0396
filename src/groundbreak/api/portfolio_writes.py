"""Writes on key lists, publication and light overrides: the portfolio actions behind the pages'
buttons, for integrations.

Each operation finds the project through the caller's scope (404 outside it), checks the role
(403) and calls the one business action — `set_membership` / `remove_membership`,
`publish_project`, `override_light` / `withdraw_override` — which checks again and writes the
change log.
"""

import datetime
from decimal import Decimal

import ninja
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from groundbreak.api.concurrency import accepts_if_match, guarded, sends_etag
from groundbreak.api.idempotency import idempotent
from groundbreak.api.schemas import InputSchema
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio import actions
from groundbreak.portfolio.api import MemberOut, ProjectOut, _project_out
from groundbreak.portfolio.choices import Light, Stage
from groundbreak.portfolio.models import KeyList, KeyListMembership, LightOverride, Project
from groundbreak.portfolio.publishing import publish_project
from groundbreak.portfolio.queries import get_visible_project, manages_key_list, visible_projects

router = Router()


class MembershipIn(InputSchema):
    annual_investment_plan: Decimal | None = Field(
        None, ge=0, max_digits=16, decimal_places=2, description="This year's planned investment, in yuan."
    )
    target_stage: Stage | None = Field(None, description="The stage the project should reach this year.")
    note: str = Field("", max_length=2000)


class PublicationIn(InputSchema):
    public: bool = Field(description="True publishes the project as open data (and in OC4IDS); false withdraws it.")


class LightOverrideIn(InputSchema):
    light: Light
    reason: str = Field(min_length=1, max_length=2000)
    expires_on: datetime.date = Field(description="The last day the override holds; today or later.")


class LightOverrideDetailOut(Schema):
    id: int
    project: str = Field(description="The project's code.")
    light: str
    reason: str
    expires_on: datetime.date
    withdrawn: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code


def _key_list_for_change(user, key_list_id: int) -> KeyList:
    """A key list the caller manages; any other is "not found", like its page."""
    key_list = get_object_or_404(KeyList.objects.select_related("area"), pk=key_list_id)
    require_perm(user, "keylist.change")
    if not manages_key_list(user, key_list):
        raise Http404
    return key_list


def _member_out(user, membership: KeyListMembership) -> KeyListMembership:
    if membership.annual_investment_plan is not None:
        # Yuan always with two places, as the list of memberships gives them.
        membership.annual_investment_plan = Decimal(membership.annual_investment_plan).quantize(Decimal("0.01"))
    membership.project.light = (
        visible_projects(user).filter(pk=membership.project_id).values_list("light", flat=True).first() or Light.GREEN
    )
    return membership


@router.put("/key-lists/{key_list_id}/memberships/{code}", response=MemberOut, tags=["key lists"])
def set_key_list_membership(request, key_list_id: int, code: str, payload: MembershipIn):
    """Put the project on the key list with this year's targets, or change its targets."""
    user = request.auth
    project = get_visible_project(user, code)
    key_list = _key_list_for_change(user, key_list_id)
    membership = actions.set_membership(
        key_list=key_list,
        project=project,
        by=user,
        annual_investment_plan=payload.annual_investment_plan,
        target_stage=payload.target_stage or "",
        note=payload.note,
    )
    return _member_out(user, membership)


@router.delete("/key-lists/{key_list_id}/memberships/{code}", response={204: None}, tags=["key lists"])
def remove_key_list_membership(request, key_list_id: int, code: str):
    """Take the project off the key list (its change history keeps the targets it had)."""
    user = request.auth
    project = get_visible_project(user, code)
    key_list = _key_list_for_change(user, key_list_id)
    membership = get_object_or_404(KeyListMembership, key_list=key_list, project=project)
    actions.remove_membership(membership=membership, by=user)
    return ninja.Status(204, None)


@router.post("/projects/{code}/publication", response=ProjectOut, tags=["projects"])
@sends_etag
@accepts_if_match
def set_project_publication(request, code: str, payload: PublicationIn, response: HttpResponse):
    """Publish the project on the open-data page and in the OC4IDS export, or withdraw it."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.publish")
    with guarded(request, Project, project.pk) as current:
        publish_project(project=current, public=payload.public, by=user)
    return _project_out(user, code, response)


@router.post("/projects/{code}/light-overrides", response={201: LightOverrideDetailOut}, tags=["projects"])
@idempotent
def override_project_light(request, code: str, payload: LightOverrideIn, response: HttpResponse):
    """Set the project's light by hand until `expires_on`, with a reason; shown as an override."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.override_light")
    override = actions.override_light(
        project=project, light=payload.light, reason=payload.reason, expires_on=payload.expires_on, by=user
    )
    response["Location"] = f"{request.path.rstrip('/')}/{override.pk}"
    return ninja.Status(201, override)


@router.post(
    "/projects/{code}/light-overrides/{override_id}/withdraw", response=LightOverrideDetailOut, tags=["projects"]
)
def withdraw_project_light_override(request, code: str, override_id: int):
    """End an override early: the rules decide the light again."""
    user = request.auth
    project = get_visible_project(user, code)
    require_perm(user, "project.override_light")
    override = get_object_or_404(LightOverride.objects.select_related("project"), pk=override_id, project=project)
    return actions.withdraw_override(override=override, by=user)
