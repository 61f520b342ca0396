"""Business actions on time nodes: add, apply a template, complete, reopen, re-plan, decide."""

import datetime
import io

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from groundbreak.portfolio import actions as portfolio_actions
from groundbreak.schedule import actions
from groundbreak.schedule.choices import ReplanStatus
from groundbreak.schedule.models import Milestone, MilestoneTemplate, Replan, ScheduleSettings
from tests.factories import KeyListFactory, MilestoneFactory, kind, reason

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def fresh(milestone):
    return Milestone.objects.get(pk=milestone.pk)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(name="site.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- add ---------------------------------------------------------------------------------------


def test_coordinator_adds_a_node_whose_baseline_is_its_first_date(world):
    date = today() + 30 * DAY
    milestone = actions.add_milestone(
        project=world.sj_project,
        kind=kind("construction_permit"),
        planned_date=date,
        responsible_unit=world.sj_bureau,
        by=world.sj_coordinator,
    )
    stored = fresh(milestone)
    assert (stored.baseline_date, stored.planned_date, stored.actual_date, stored.replan_count) == (date, date, None, 0)
    assert stored.responsible_unit == world.sj_bureau
    assert list(world.sj_project.milestones.all()) == [stored]


def test_add_node_refusals(world):
    with pytest.raises(PermissionDenied):
        actions.add_milestone(project=world.sj_project, kind=kind(), planned_date=today(), by=world.owner)
    with pytest.raises(ObjectDoesNotExist):
        actions.add_milestone(project=world.sj_project, kind=kind(), planned_date=today(), by=world.mh_coordinator)
    with pytest.raises(ValidationError) as excinfo:
        actions.add_milestone(project=world.sj_project, kind=kind(), planned_date=None, by=world.coordinator)
    assert "planned_date" in error_fields(excinfo)
    assert not Milestone.objects.exists()


# --- apply a template --------------------------------------------------------------------------


def test_apply_template_dates_nodes_from_the_planned_start(world):
    project = world.sj_project
    project.planned_start = datetime.date(2025, 3, 1)
    project.save()
    template = MilestoneTemplate.objects.get(category="industrial")
    created = actions.apply_template(project=project, template=template, by=world.sj_coordinator)
    assert len(created) == 12
    dates = {m.kind.code: m.planned_date for m in project.milestones.select_related("kind")}
    assert dates["signing"] == datetime.date(2024, 9, 2)  # 180 days before
    assert dates["construction_permit"] == datetime.date(2025, 2, 14)  # 15 days before
    assert dates["groundbreaking"] == datetime.date(2025, 3, 1)
    assert dates["plus_minus_zero"] == datetime.date(2025, 6, 29)  # 120 days after
    assert dates["full_production"] == datetime.date(2027, 8, 18)  # 900 days after
    for milestone in project.milestones.all():
        assert milestone.baseline_date == milestone.planned_date
        assert milestone.responsible_unit == world.sj_bureau


def test_applying_a_template_twice_adds_nothing(world):
    template = MilestoneTemplate.objects.get(category="livelihood")
    assert len(actions.apply_template(project=world.sj_project, template=template, by=world.coordinator)) == 5
    assert actions.apply_template(project=world.sj_project, template=template, by=world.coordinator) == []
    assert world.sj_project.milestones.count() == 5


def test_apply_template_skips_kinds_the_project_already_has(world):
    MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"), planned_date=datetime.date(2025, 1, 1))
    template = MilestoneTemplate.objects.get(category="livelihood")
    created = actions.apply_template(project=world.sj_project, template=template, by=world.coordinator)
    assert sorted(m.kind.code for m in created) == [
        "completion_acceptance",
        "construction_permit",
        "opening",
        "project_filing",
    ]
    assert world.sj_project.milestones.get(kind__code="groundbreaking").planned_date == datetime.date(2025, 1, 1)


def test_apply_template_refused_without_planned_start(world):
    project = world.sj_project
    project.planned_start = None
    project.save()
    template = MilestoneTemplate.objects.get(category="industrial")
    with pytest.raises(ValidationError):
        actions.apply_template(project=project, template=template, by=world.coordinator)
    assert not project.milestones.exists()


def test_apply_template_permission_and_scope(world):
    template = MilestoneTemplate.objects.get(category="industrial")
    with pytest.raises(PermissionDenied):
        actions.apply_template(project=world.sj_project, template=template, by=world.unit_member)
    with pytest.raises(ObjectDoesNotExist):
        actions.apply_template(project=world.sj_project, template=template, by=world.mh_coordinator)
    assert not world.sj_project.milestones.exists()


# --- complete and reopen -----------------------------------------------------------------------


def test_node_without_evidence_requirement_is_completed_with_a_date(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    actions.complete_milestone(milestone=milestone, actual_date=today() - 3 * DAY, note="已交地", by=world.owner)
    stored = fresh(milestone)
    assert (stored.actual_date, stored.completion_note, stored.version) == (today() - 3 * DAY, "已交地", 2)


def test_approval_node_needs_its_document_number(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("project_filing"))
    with pytest.raises(ValidationError) as excinfo:
        actions.complete_milestone(milestone=milestone, actual_date=today(), document_number="  ", by=world.coordinator)
    assert error_fields(excinfo) == {"document_number"}
    assert fresh(milestone).actual_date is None
    actions.complete_milestone(
        milestone=milestone, actual_date=today(), document_number=" 沪松发改备〔2025〕12号 ", by=world.coordinator
    )
    stored = fresh(milestone)
    assert (stored.actual_date, stored.document_number) == (today(), "沪松发改备〔2025〕12号")


@pytest.mark.parametrize("code", ["groundbreaking", "signing"])  # a photo kind and a document kind
def test_photo_and_document_nodes_need_a_file(world, media, code):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind(code))
    with pytest.raises(ValidationError) as excinfo:
        actions.complete_milestone(milestone=milestone, actual_date=today(), document_number="123", by=world.owner)
    assert error_fields(excinfo) == {"evidence"}
    assert fresh(milestone).actual_date is None

    actions.complete_milestone(milestone=milestone, actual_date=today(), evidence=photo(), by=world.owner)
    stored = fresh(milestone)
    assert stored.actual_date == today()
    assert stored.evidence.name.startswith("evidence/") and stored.evidence.name.endswith(".jpg")
    assert (media / stored.evidence.name).read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_node_cannot_be_met_in_the_future(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    with pytest.raises(ValidationError) as excinfo:
        actions.complete_milestone(milestone=milestone, actual_date=today() + DAY, by=world.coordinator)
    assert error_fields(excinfo) == {"actual_date"}
    with pytest.raises(ValidationError) as excinfo:
        actions.complete_milestone(milestone=milestone, actual_date=None, by=world.coordinator)
    assert error_fields(excinfo) == {"actual_date"}
    assert fresh(milestone).actual_date is None


def test_completing_twice_is_refused_and_keeps_the_first_date(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    actions.complete_milestone(milestone=milestone, actual_date=today() - 5 * DAY, by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.coordinator)
    assert fresh(milestone).actual_date == today() - 5 * DAY


def test_complete_permission_and_scope(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    mh_milestone = MilestoneFactory(project=world.mh_project, kind=kind("land_handover"))
    with pytest.raises(PermissionDenied):
        actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.viewer)
    with pytest.raises(PermissionDenied):
        actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.leader_user)
    with pytest.raises(ObjectDoesNotExist):
        actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.mh_coordinator)
    with pytest.raises(ObjectDoesNotExist):
        actions.complete_milestone(milestone=mh_milestone, actual_date=today(), by=world.unit_member)
    assert fresh(milestone).actual_date is None
    assert fresh(mh_milestone).actual_date is None
    # The responsible unit's member may report the Songjiang node met.
    actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.unit_member)
    assert fresh(milestone).actual_date == today()


def test_reopen_needs_a_reason_and_clears_the_date(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    actions.complete_milestone(milestone=milestone, actual_date=today() - DAY, by=world.coordinator)
    with pytest.raises(ValidationError) as excinfo:
        actions.reopen_milestone(milestone=milestone, reason=" ", by=world.coordinator)
    assert error_fields(excinfo) == {"reason"}
    assert fresh(milestone).actual_date == today() - DAY

    actions.reopen_milestone(milestone=milestone, reason="误报，土地尚未交付", by=world.owner)
    stored = fresh(milestone)
    assert stored.actual_date is None
    assert stored.completion_note == "误报，土地尚未交付"


def test_reopen_refusals(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"))
    with pytest.raises(ValidationError):
        actions.reopen_milestone(milestone=milestone, reason="还没完成", by=world.coordinator)
    actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.coordinator)
    with pytest.raises(PermissionDenied):
        actions.reopen_milestone(milestone=milestone, reason="误报", by=world.viewer)
    with pytest.raises(ObjectDoesNotExist):
        actions.reopen_milestone(milestone=milestone, reason="误报", by=world.mh_coordinator)
    assert fresh(milestone).actual_date == today()


# --- re-plan -----------------------------------------------------------------------------------


def test_replan_moves_the_date_and_keeps_the_old_one(world):
    first = today() + 10 * DAY
    milestone = MilestoneFactory(project=world.sj_project, planned_date=first)
    replan = actions.replan_milestone(
        milestone=milestone, new_date=first + 30 * DAY, reason=reason("approvals"), note="规划许可延迟", by=world.owner
    )
    assert (replan.old_date, replan.new_date, replan.status, replan.requested_by, replan.note) == (
        first,
        first + 30 * DAY,
        ReplanStatus.APPLIED,
        world.owner,
        "规划许可延迟",
    )
    stored = fresh(milestone)
    assert (stored.baseline_date, stored.planned_date, stored.replan_count) == (first, first + 30 * DAY, 1)
    assert stored.slip_days == 30

    actions.replan_milestone(
        milestone=stored, new_date=first + 20 * DAY, reason=reason("weather"), by=world.coordinator
    )
    stored = fresh(milestone)
    assert (stored.baseline_date, stored.planned_date, stored.replan_count) == (first, first + 20 * DAY, 2)
    assert list(stored.replans.order_by("id").values_list("old_date", "new_date")) == [
        (first, first + 30 * DAY),
        (first + 30 * DAY, first + 20 * DAY),
    ]


def test_replan_to_the_same_date_or_without_reason_is_refused(world):
    milestone = MilestoneFactory(project=world.sj_project, planned_date=today() + 10 * DAY)
    with pytest.raises(ValidationError) as excinfo:
        actions.replan_milestone(
            milestone=milestone, new_date=today() + 10 * DAY, reason=reason(), by=world.coordinator
        )
    assert error_fields(excinfo) == {"new_date"}
    with pytest.raises(ValidationError) as excinfo:
        actions.replan_milestone(milestone=milestone, new_date=None, reason=None, by=world.coordinator)
    assert error_fields(excinfo) == {"new_date", "reason"}
    stored = fresh(milestone)
    assert (stored.planned_date, stored.replan_count) == (today() + 10 * DAY, 0)
    assert not Replan.objects.exists()


def test_a_met_node_cannot_be_replanned(world):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"), planned_date=today())
    actions.complete_milestone(milestone=milestone, actual_date=today(), by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.replan_milestone(milestone=milestone, new_date=today() + 9 * DAY, reason=reason(), by=world.coordinator)
    assert (fresh(milestone).planned_date, fresh(milestone).replan_count) == (today(), 0)


def test_replan_permission_and_scope(world):
    milestone = MilestoneFactory(project=world.sj_project, planned_date=today())
    with pytest.raises(PermissionDenied):
        actions.replan_milestone(milestone=milestone, new_date=today() + DAY, reason=reason(), by=world.viewer)
    with pytest.raises(ObjectDoesNotExist):
        actions.replan_milestone(milestone=milestone, new_date=today() + DAY, reason=reason(), by=world.mh_coordinator)
    assert fresh(milestone).planned_date == today()
    assert not Replan.objects.exists()


# --- re-plans that need approval ---------------------------------------------------------------


@pytest.fixture
def approval(world):
    """Approval switched on and the Songjiang project on the municipal key list."""
    ScheduleSettings.objects.create(require_replan_approval=True)
    portfolio_actions.set_membership(key_list=KeyListFactory(area=world.city), project=world.sj_project, by=None)
    return world


def test_owner_replan_of_a_key_list_project_waits_for_approval(approval):
    w = approval
    first = today() + 10 * DAY
    milestone = MilestoneFactory(project=w.sj_project, planned_date=first)
    replan = actions.replan_milestone(milestone=milestone, new_date=first + 30 * DAY, reason=reason(), by=w.owner)
    assert replan.status == ReplanStatus.PENDING
    stored = fresh(milestone)
    assert (stored.planned_date, stored.replan_count) == (first, 0)

    with pytest.raises(ValidationError):
        actions.replan_milestone(milestone=milestone, new_date=first + 40 * DAY, reason=reason(), by=w.unit_member)
    with pytest.raises(ValidationError):
        actions.replan_milestone(milestone=milestone, new_date=first + 40 * DAY, reason=reason(), by=w.coordinator)
    assert Replan.objects.count() == 1
    assert fresh(milestone).planned_date == first


def test_approving_moves_the_date(approval):
    w = approval
    first = today() + 10 * DAY
    milestone = MilestoneFactory(project=w.sj_project, planned_date=first)
    replan = actions.replan_milestone(milestone=milestone, new_date=first + 30 * DAY, reason=reason(), by=w.owner)
    decided = actions.decide_replan(replan=replan, approve=True, by=w.sj_coordinator)
    assert (decided.status, decided.decided_by, decided.old_date) == (ReplanStatus.APPROVED, w.sj_coordinator, first)
    assert decided.decided_at is not None
    stored = fresh(milestone)
    assert (stored.baseline_date, stored.planned_date, stored.replan_count) == (first, first + 30 * DAY, 1)
    with pytest.raises(ValidationError):
        actions.decide_replan(replan=replan, approve=False, note="再议", by=w.coordinator)
    assert Replan.objects.get(pk=replan.pk).status == ReplanStatus.APPROVED


def test_rejecting_needs_a_note_and_keeps_the_date(approval):
    w = approval
    first = today() + 10 * DAY
    milestone = MilestoneFactory(project=w.sj_project, planned_date=first)
    replan = actions.replan_milestone(milestone=milestone, new_date=first + 30 * DAY, reason=reason(), by=w.owner)
    with pytest.raises(ValidationError) as excinfo:
        actions.decide_replan(replan=replan, approve=False, note=" ", by=w.coordinator)
    assert error_fields(excinfo) == {"note"}
    assert Replan.objects.get(pk=replan.pk).status == ReplanStatus.PENDING

    decided = actions.decide_replan(replan=replan, approve=False, note="节点已锁定，不得延期", by=w.coordinator)
    assert (decided.status, decided.decision_note) == (ReplanStatus.REJECTED, "节点已锁定，不得延期")
    stored = fresh(milestone)
    assert (stored.planned_date, stored.replan_count) == (first, 0)
    # Once decided, a new request may be made.
    again = actions.replan_milestone(milestone=milestone, new_date=first + 7 * DAY, reason=reason(), by=w.owner)
    assert again.status == ReplanStatus.PENDING


def test_a_pending_replan_of_a_node_met_meanwhile_cannot_be_approved(approval):
    # A met node cannot be re-planned; approving the request afterwards would re-plan it all the same.
    w = approval
    first = today()
    milestone = MilestoneFactory(project=w.sj_project, kind=kind("land_handover"), planned_date=first)
    replan = actions.replan_milestone(milestone=milestone, new_date=first + 30 * DAY, reason=reason(), by=w.owner)
    actions.complete_milestone(milestone=milestone, actual_date=first, by=w.owner)
    with pytest.raises(ValidationError):
        actions.decide_replan(replan=replan, approve=True, by=w.coordinator)
    stored = fresh(milestone)
    assert (stored.planned_date, stored.replan_count, stored.actual_date) == (first, 0, first)
    assert Replan.objects.get(pk=replan.pk).status == ReplanStatus.PENDING


def test_only_coordinators_in_scope_decide(approval):
    w = approval
    milestone = MilestoneFactory(project=w.sj_project, planned_date=today() + 10 * DAY)
    replan = actions.replan_milestone(milestone=milestone, new_date=today() + 20 * DAY, reason=reason(), by=w.owner)
    with pytest.raises(PermissionDenied):
        actions.decide_replan(replan=replan, approve=True, by=w.owner)
    with pytest.raises(ObjectDoesNotExist):
        actions.decide_replan(replan=replan, approve=True, by=w.mh_coordinator)
    assert Replan.objects.get(pk=replan.pk).status == ReplanStatus.PENDING
    assert fresh(milestone).planned_date == today() + 10 * DAY


def test_coordinator_replan_of_a_key_list_project_applies_at_once(approval):
    w = approval
    milestone = MilestoneFactory(project=w.sj_project, planned_date=today() + 10 * DAY)
    replan = actions.replan_milestone(
        milestone=milestone, new_date=today() + 20 * DAY, reason=reason(), by=w.sj_coordinator
    )
    assert replan.status == ReplanStatus.APPLIED
    assert fresh(milestone).planned_date == today() + 20 * DAY


def test_replan_of_a_project_on_no_key_list_applies_at_once(approval):
    w = approval
    project = w.sj_project
    project.memberships.all().delete()
    milestone = MilestoneFactory(project=project, planned_date=today() + 10 * DAY)
    replan = actions.replan_milestone(milestone=milestone, new_date=today() + 20 * DAY, reason=reason(), by=w.owner)
    assert replan.status == ReplanStatus.APPLIED
    assert fresh(milestone).planned_date == today() + 20 * DAY


def test_without_the_approval_setting_owner_replans_apply_at_once(world):
    portfolio_actions.set_membership(key_list=KeyListFactory(area=world.city), project=world.sj_project, by=None)
    milestone = MilestoneFactory(project=world.sj_project, planned_date=today() + 10 * DAY)
    replan = actions.replan_milestone(milestone=milestone, new_date=today() + 20 * DAY, reason=reason(), by=world.owner)
    assert replan.status == ReplanStatus.APPLIED
    assert fresh(milestone).planned_date == today() + 20 * DAY
