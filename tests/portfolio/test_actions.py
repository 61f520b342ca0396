"""Business actions on projects: create, update, the stage pipeline, pause/resume/cancel,
light overrides and key-list membership."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from groundbreak.core.errors import ConflictError
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Category, FigureKind, Light, Stage, Status
from groundbreak.portfolio.models import KeyFigure, KeyListMembership, LightOverride, Project, StageChange
from tests.factories import KeyListFactory

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def history(project):
    return list(project.stage_changes.order_by("on", "id").values_list("kind", "from_stage", "to_stage", "on"))


# --- create ------------------------------------------------------------------------------------


def test_coordinator_creates_project_in_reserve_without_stage_history(world):
    project = actions.create_project(
        by=world.sj_coordinator, code="SJ-NEW", name="新项目", category=Category.INDUSTRIAL, area=world.songjiang
    )
    project = Project.objects.get(code="SJ-NEW")
    assert project.stage == Stage.RESERVE
    assert project.status == Status.ACTIVE
    assert project.version == 1
    assert history(project) == []


def test_create_at_a_later_stage_records_the_entry_in_history(world):
    project = actions.create_project(
        by=world.coordinator,
        code="SJ-NEW",
        name="新项目",
        category=Category.INDUSTRIAL,
        area=world.songjiang,
        stage=Stage.CONSTRUCTION,
    )
    assert Project.objects.get(pk=project.pk).stage == Stage.CONSTRUCTION
    assert history(project) == [(StageChange.Kind.STAGE, Stage.RESERVE, Stage.CONSTRUCTION, today())]
    assert project.stage_changes.get().by == world.coordinator


def test_owner_cannot_create_projects(world):
    with pytest.raises(PermissionDenied):
        actions.create_project(
            by=world.owner, code="SJ-NEW", name="新项目", category=Category.INDUSTRIAL, area=world.songjiang
        )
    assert not Project.objects.filter(code="SJ-NEW").exists()


def test_district_coordinator_cannot_create_a_project_in_another_district(world):
    with pytest.raises(ObjectDoesNotExist):
        actions.create_project(
            by=world.mh_coordinator, code="SJ-NEW", name="新项目", category=Category.INDUSTRIAL, area=world.songjiang
        )
    assert not Project.objects.filter(code="SJ-NEW").exists()


def test_create_refuses_bad_code_and_end_before_start(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_project(
            by=world.coordinator,
            code="松江 1",
            name="新项目",
            category=Category.INDUSTRIAL,
            area=world.songjiang,
            investment_code="2022-3101",
        )
    assert {"code", "investment_code"} <= error_fields(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        actions.create_project(
            by=world.coordinator,
            code="SJ-NEW",
            name="新项目",
            category=Category.INDUSTRIAL,
            area=world.songjiang,
            planned_start=datetime.date(2025, 6, 1),
            planned_end=datetime.date(2025, 5, 31),
        )
    assert "__all__" in error_fields(excinfo)
    assert Project.objects.count() == 2


def test_create_refuses_the_reserved_code_new(world):
    # "new" would clash with the page that creates a project.
    with pytest.raises(ValidationError) as excinfo:
        actions.create_project(
            by=world.coordinator, code="new", name="新项目", category=Category.INDUSTRIAL, area=world.songjiang
        )
    assert error_fields(excinfo) == {"code"}
    actions.create_project(
        by=world.coordinator, code="new-1", name="新项目", category=Category.INDUSTRIAL, area=world.songjiang
    )
    assert Project.objects.filter(code="new-1").exists()


def test_create_refuses_duplicate_code_and_unknown_stage(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_project(
            by=world.coordinator, code="SJ-001", name="重复", category=Category.INDUSTRIAL, area=world.songjiang
        )
    assert "code" in error_fields(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        actions.create_project(
            by=world.coordinator,
            code="SJ-NEW",
            name="新项目",
            category=Category.INDUSTRIAL,
            area=world.songjiang,
            stage="dreaming",
        )
    assert "stage" in error_fields(excinfo)
    assert Project.objects.count() == 2


def test_create_refuses_fields_that_are_not_editable(world):
    with pytest.raises(TypeError):
        actions.create_project(
            by=world.coordinator,
            code="SJ-NEW",
            name="新项目",
            category=Category.INDUSTRIAL,
            area=world.songjiang,
            version=7,
        )


# --- update ------------------------------------------------------------------------------------


def test_update_changes_facts_and_bumps_the_version(world):
    updated = actions.update_project(
        project=world.sj_project,
        by=world.sj_coordinator,
        changes={"name": "G60科创云廊三期", "total_investment": Decimal("1200000000.00")},
        expected_version=1,
    )
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert stored.name == "G60科创云廊三期"
    assert stored.total_investment == Decimal("1200000000")
    assert stored.version == 2
    assert updated.version == 2


def test_update_that_changes_nothing_keeps_the_version_and_logs_nothing(world):
    from groundbreak.audit.models import ObjectChange

    project = world.sj_project
    logged = ObjectChange.objects.count()
    same = {
        "name": project.name,
        "area": project.area,
        "total_investment": project.total_investment,
        "parent": None,
    }
    updated = actions.update_project(project=project, by=world.sj_coordinator, changes=same, expected_version=1)
    assert updated.version == 1
    assert Project.objects.get(pk=project.pk).version == 1
    assert ObjectChange.objects.count() == logged
    # A real change after it still bumps the version once.
    actions.update_project(project=project, by=world.sj_coordinator, changes={"industry": "文旅"}, expected_version=1)
    assert Project.objects.get(pk=project.pk).version == 2
    assert ObjectChange.objects.count() == logged + 1


def test_update_with_stale_version_raises_conflict_and_changes_nothing(world):
    actions.update_project(project=world.sj_project, by=world.coordinator, changes={"industry": "数字经济"})
    with pytest.raises(ConflictError):
        actions.update_project(
            project=world.sj_project,
            by=world.sj_coordinator,
            changes={"name": "改名", "industry": "文旅"},
            expected_version=1,
        )
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert stored.name == "G60科创云廊二期"
    assert stored.industry == "数字经济"
    assert stored.version == 2


def test_update_refuses_invalid_values_with_their_field(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.update_project(
            project=world.sj_project, by=world.coordinator, changes={"investment_code": "12345", "category": "x"}
        )
    assert error_fields(excinfo) == {"investment_code", "category"}
    with pytest.raises(ValidationError) as excinfo:
        actions.update_project(project=world.sj_project, by=world.coordinator, changes={"parent": world.sj_project})
    assert "parent" in error_fields(excinfo)
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert (stored.investment_code, stored.parent_id, stored.version) == ("", None, 1)


def test_viewer_cannot_update_a_project(world):
    with pytest.raises(PermissionDenied):
        actions.update_project(project=world.sj_project, by=world.viewer, changes={"name": "改名"})
    assert Project.objects.get(pk=world.sj_project.pk).name == "G60科创云廊二期"


def test_minhang_coordinator_cannot_update_songjiang_project(world):
    with pytest.raises(ObjectDoesNotExist):
        actions.update_project(project=world.sj_project, by=world.mh_coordinator, changes={"name": "改名"})
    assert Project.objects.get(pk=world.sj_project.pk).name == "G60科创云廊二期"


def test_district_coordinator_cannot_move_a_project_out_of_their_district(world):
    with pytest.raises(ObjectDoesNotExist):
        actions.update_project(project=world.sj_project, by=world.sj_coordinator, changes={"area": world.minhang})
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert stored.area == world.songjiang
    assert stored.version == 1


# --- stage pipeline ----------------------------------------------------------------------------


def test_stage_moves_forward_skipping_stages_and_keeps_dated_history(world):
    project = world.sj_project
    d1, d2 = today() - 40 * DAY, today() - 10 * DAY
    entry = actions.change_stage(project=project, to_stage=Stage.LANDED, on=d1, by=world.sj_coordinator)
    assert (entry.kind, entry.from_stage, entry.to_stage, entry.on, entry.by) == (
        StageChange.Kind.STAGE,
        Stage.RESERVE,
        Stage.LANDED,
        d1,
        world.sj_coordinator,
    )
    assert project.stage == Stage.LANDED  # the caller's object is refreshed
    actions.change_stage(project=project, to_stage=Stage.PRODUCTION, on=d2, by=world.coordinator)
    stored = Project.objects.get(pk=project.pk)
    assert stored.stage == Stage.PRODUCTION
    assert stored.version == 3
    assert history(project) == [
        (StageChange.Kind.STAGE, Stage.RESERVE, Stage.LANDED, d1),
        (StageChange.Kind.STAGE, Stage.LANDED, Stage.PRODUCTION, d2),
    ]


def test_one_step_back_is_a_correction_that_needs_a_note(world):
    project = world.sj_project
    actions.change_stage(project=project, to_stage=Stage.CONSTRUCTION, on=today() - 5 * DAY, by=world.coordinator)
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=project, to_stage=Stage.LANDED, on=today(), note="  ", by=world.coordinator)
    assert error_fields(excinfo) == {"note"}
    assert Project.objects.get(pk=project.pk).stage == Stage.CONSTRUCTION

    entry = actions.change_stage(
        project=project, to_stage=Stage.LANDED, on=today(), note="施工许可尚未取得，误报开工", by=world.coordinator
    )
    assert entry.kind == StageChange.Kind.CORRECTION
    assert (entry.from_stage, entry.to_stage) == (Stage.CONSTRUCTION, Stage.LANDED)
    assert Project.objects.get(pk=project.pk).stage == Stage.LANDED


def test_two_steps_back_are_refused_even_with_a_note(world):
    project = world.sj_project
    actions.change_stage(project=project, to_stage=Stage.CONSTRUCTION, on=today() - 5 * DAY, by=world.coordinator)
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=project, to_stage=Stage.SIGNED, on=today(), note="录入错误", by=world.coordinator)
    assert error_fields(excinfo) == {"to_stage"}
    assert Project.objects.get(pk=project.pk).stage == Stage.CONSTRUCTION
    assert project.stage_changes.count() == 1


def test_same_stage_and_unknown_stage_are_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=world.sj_project, to_stage=Stage.RESERVE, on=today(), by=world.coordinator)
    assert error_fields(excinfo) == {"to_stage"}
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=world.sj_project, to_stage="dreaming", on=today(), by=world.coordinator)
    assert error_fields(excinfo) == {"to_stage"}
    assert world.sj_project.stage_changes.count() == 0


def test_future_date_is_refused_today_is_accepted(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today() + DAY, by=world.coordinator)
    assert error_fields(excinfo) == {"on"}
    assert Project.objects.get(pk=world.sj_project.pk).stage == Stage.RESERVE
    actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today(), by=world.coordinator)
    assert Project.objects.get(pk=world.sj_project.pk).stage == Stage.SIGNED


def test_date_before_the_previous_change_is_refused_same_day_is_accepted(world):
    project = world.sj_project
    d = today() - 10 * DAY
    actions.change_stage(project=project, to_stage=Stage.SIGNED, on=d, by=world.coordinator)
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=project, to_stage=Stage.LANDED, on=d - DAY, by=world.coordinator)
    assert error_fields(excinfo) == {"on"}
    assert d.isoformat() in excinfo.value.message_dict["on"][0]
    assert Project.objects.get(pk=project.pk).stage == Stage.SIGNED
    actions.change_stage(project=project, to_stage=Stage.LANDED, on=d, by=world.coordinator)
    assert Project.objects.get(pk=project.pk).stage == Stage.LANDED


def test_date_before_a_pause_is_refused(world):
    project = world.sj_project
    actions.pause_project(
        project=project, reason="资金未到位", expected_resume_on=today() + 30 * DAY, on=today() - 3 * DAY, by=None
    )
    with pytest.raises(ValidationError) as excinfo:
        actions.change_stage(project=project, to_stage=Stage.SIGNED, on=today() - 4 * DAY, by=world.coordinator)
    assert error_fields(excinfo) == {"on"}


def test_cancelled_project_does_not_change_stage(world):
    actions.cancel_project(project=world.sj_project, reason="企业撤资", by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today(), by=world.coordinator)
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert stored.stage == Stage.RESERVE
    assert stored.stage_changes.filter(kind=StageChange.Kind.STAGE).count() == 0


@pytest.mark.parametrize("persona", ["viewer", "leader_user", "owner", "unit_member"])
def test_roles_without_the_permission_cannot_change_stage(world, persona):
    with pytest.raises(PermissionDenied):
        actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today(), by=getattr(world, persona))
    assert Project.objects.get(pk=world.sj_project.pk).stage == Stage.RESERVE


def test_minhang_coordinator_cannot_change_songjiang_stage(world):
    with pytest.raises(ObjectDoesNotExist):
        actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today(), by=world.mh_coordinator)
    assert Project.objects.get(pk=world.sj_project.pk).stage == Stage.RESERVE


# --- pause, pause update, resume, cancel -------------------------------------------------------


def test_pause_records_reason_and_expected_resume(world):
    project = world.sj_project
    paused_on = today() - 2 * DAY
    entry = actions.pause_project(
        project=project, reason="土地未摘牌", expected_resume_on=today() + 60 * DAY, on=paused_on, by=world.coordinator
    )
    stored = Project.objects.get(pk=project.pk)
    assert stored.status == Status.PAUSED
    assert stored.pause_reason == "土地未摘牌"
    assert stored.expected_resume_on == today() + 60 * DAY
    assert stored.version == 2
    assert (entry.kind, entry.on, entry.note, entry.by) == (
        StageChange.Kind.PAUSE,
        paused_on,
        "土地未摘牌",
        world.coordinator,
    )
    assert project.status == Status.PAUSED


def test_pause_needs_a_reason_and_a_resume_date_after_the_pause(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.pause_project(
            project=world.sj_project, reason=" ", expected_resume_on=today(), on=today(), by=world.coordinator
        )
    assert error_fields(excinfo) == {"reason", "expected_resume_on"}
    with pytest.raises(ValidationError) as excinfo:
        actions.pause_project(project=world.sj_project, reason="资金", expected_resume_on=None, by=world.coordinator)
    assert error_fields(excinfo) == {"expected_resume_on"}
    # One day after the pause is enough.
    actions.pause_project(
        project=world.sj_project,
        reason="资金",
        expected_resume_on=today() - 9 * DAY,
        on=today() - 10 * DAY,
        by=world.coordinator,
    )
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.PAUSED


def test_pausing_twice_or_a_cancelled_project_is_refused(world):
    actions.pause_project(
        project=world.sj_project, reason="资金", expected_resume_on=today() + 30 * DAY, by=world.coordinator
    )
    with pytest.raises(ValidationError):
        actions.pause_project(
            project=world.sj_project, reason="再次", expected_resume_on=today() + 40 * DAY, by=world.coordinator
        )
    assert Project.objects.get(pk=world.sj_project.pk).expected_resume_on == today() + 30 * DAY

    actions.cancel_project(project=world.mh_project, reason="取消", by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.pause_project(
            project=world.mh_project, reason="资金", expected_resume_on=today() + 30 * DAY, by=world.coordinator
        )
    assert Project.objects.get(pk=world.mh_project.pk).status == Status.CANCELLED


def test_pause_permissions_and_scope(world):
    with pytest.raises(PermissionDenied):
        actions.pause_project(
            project=world.sj_project, reason="资金", expected_resume_on=today() + 30 * DAY, by=world.owner
        )
    with pytest.raises(ObjectDoesNotExist):
        actions.pause_project(
            project=world.sj_project, reason="资金", expected_resume_on=today() + 30 * DAY, by=world.mh_coordinator
        )
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.ACTIVE


def test_pause_update_records_news_and_may_move_the_resume_date(world):
    project = world.sj_project
    actions.pause_project(
        project=project, reason="资金", expected_resume_on=today() + 10 * DAY, on=today() - 20 * DAY, by=None
    )
    entry = actions.add_pause_update(project=project, note="融资已落实一半", on=today() - 5 * DAY, by=world.coordinator)
    assert (entry.kind, entry.on, entry.note) == (StageChange.Kind.PAUSE_UPDATE, today() - 5 * DAY, "融资已落实一半")
    assert Project.objects.get(pk=project.pk).expected_resume_on == today() + 10 * DAY

    actions.add_pause_update(
        project=project, note="银行贷款审批中", expected_resume_on=today() + 45 * DAY, by=world.coordinator
    )
    stored = Project.objects.get(pk=project.pk)
    assert stored.expected_resume_on == today() + 45 * DAY
    assert stored.status == Status.PAUSED
    assert [k for k, *_ in history(project)] == [
        StageChange.Kind.PAUSE,
        StageChange.Kind.PAUSE_UPDATE,
        StageChange.Kind.PAUSE_UPDATE,
    ]


def test_pause_update_refusals(world):
    with pytest.raises(ValidationError):
        actions.add_pause_update(project=world.sj_project, note="还没暂停", by=world.coordinator)
    actions.pause_project(project=world.sj_project, reason="资金", expected_resume_on=today() + 10 * DAY, by=None)
    with pytest.raises(ValidationError) as excinfo:
        actions.add_pause_update(project=world.sj_project, note=" ", by=world.coordinator)
    assert error_fields(excinfo) == {"note"}
    with pytest.raises(ValidationError) as excinfo:
        actions.add_pause_update(
            project=world.sj_project, note="延期", expected_resume_on=today(), on=today(), by=world.coordinator
        )
    assert error_fields(excinfo) == {"expected_resume_on"}
    stored = Project.objects.get(pk=world.sj_project.pk)
    assert stored.expected_resume_on == today() + 10 * DAY
    assert stored.stage_changes.filter(kind=StageChange.Kind.PAUSE_UPDATE).count() == 0
    with pytest.raises(PermissionDenied):
        actions.add_pause_update(project=world.sj_project, note="消息", by=world.unit_member)


def test_resume_clears_the_pause_but_history_keeps_it(world):
    project = world.sj_project
    actions.pause_project(
        project=project, reason="资金", expected_resume_on=today() + 10 * DAY, on=today() - 20 * DAY, by=None
    )
    entry = actions.resume_project(project=project, note="资金到位", by=world.coordinator)
    stored = Project.objects.get(pk=project.pk)
    assert stored.status == Status.ACTIVE
    assert (stored.pause_reason, stored.expected_resume_on) == ("", None)
    assert (entry.kind, entry.on, entry.note) == (StageChange.Kind.RESUME, today(), "资金到位")
    assert project.stage_changes.get(kind=StageChange.Kind.PAUSE).note == "资金"


def test_resume_refuses_an_active_project_and_other_districts(world):
    with pytest.raises(ValidationError):
        actions.resume_project(project=world.sj_project, by=world.coordinator)
    actions.pause_project(project=world.sj_project, reason="资金", expected_resume_on=today() + 10 * DAY, by=None)
    with pytest.raises(ObjectDoesNotExist):
        actions.resume_project(project=world.sj_project, by=world.mh_coordinator)
    with pytest.raises(PermissionDenied):
        actions.resume_project(project=world.sj_project, by=world.leader_user)
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.PAUSED


def test_cancel_needs_a_reason_and_happens_once(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.cancel_project(project=world.sj_project, reason="", by=world.coordinator)
    assert error_fields(excinfo) == {"reason"}
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.ACTIVE

    entry = actions.cancel_project(project=world.sj_project, reason="企业撤资", by=world.sj_coordinator)
    assert (entry.kind, entry.note, entry.on) == (StageChange.Kind.CANCEL, "企业撤资", today())
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.CANCELLED
    with pytest.raises(ValidationError):
        actions.cancel_project(project=world.sj_project, reason="再次", by=world.sj_coordinator)
    assert world.sj_project.stage_changes.filter(kind=StageChange.Kind.CANCEL).count() == 1


def test_cancel_permissions_and_scope(world):
    with pytest.raises(PermissionDenied):
        actions.cancel_project(project=world.sj_project, reason="撤资", by=world.viewer)
    with pytest.raises(ObjectDoesNotExist):
        actions.cancel_project(project=world.sj_project, reason="撤资", by=world.mh_coordinator)
    assert Project.objects.get(pk=world.sj_project.pk).status == Status.ACTIVE


# --- light overrides ---------------------------------------------------------------------------


def test_override_light_and_withdraw(world):
    override = actions.override_light(
        project=world.sj_project, light=Light.GREEN, reason="已现场协调", expires_on=today(), by=world.coordinator
    )
    assert (override.light, override.expires_on, override.by, override.withdrawn) == (
        Light.GREEN,
        today(),
        world.coordinator,
        False,
    )
    actions.withdraw_override(override=override, by=world.sj_coordinator)
    assert LightOverride.objects.get(pk=override.pk).withdrawn is True


def test_override_light_refusals(world):
    with pytest.raises(ValidationError) as excinfo:
        actions.override_light(
            project=world.sj_project, light="blue", reason=" ", expires_on=today() - DAY, by=world.coordinator
        )
    assert error_fields(excinfo) == {"light", "reason", "expires_on"}
    with pytest.raises(PermissionDenied):
        actions.override_light(
            project=world.sj_project, light=Light.RED, reason="x", expires_on=today(), by=world.leader_user
        )
    with pytest.raises(ObjectDoesNotExist):
        actions.override_light(
            project=world.sj_project, light=Light.RED, reason="x", expires_on=today(), by=world.mh_coordinator
        )
    assert not LightOverride.objects.exists()


def test_withdraw_override_refusals(world):
    override = actions.override_light(
        project=world.sj_project, light=Light.RED, reason="督办", expires_on=today(), by=world.coordinator
    )
    with pytest.raises(PermissionDenied):
        actions.withdraw_override(override=override, by=world.viewer)
    with pytest.raises(ObjectDoesNotExist):
        actions.withdraw_override(override=override, by=world.mh_coordinator)
    assert LightOverride.objects.get(pk=override.pk).withdrawn is False


# --- key-list membership -----------------------------------------------------------------------


def test_membership_is_set_then_updated_then_removed(world):
    key_list = KeyListFactory(area=world.city, name="2025年市重大工程")
    membership = actions.set_membership(
        key_list=key_list,
        project=world.sj_project,
        by=world.coordinator,
        annual_investment_plan=Decimal("300000000"),
        target_stage=Stage.CONSTRUCTION,
        note="年内开工",
    )
    stored = KeyListMembership.objects.get(key_list=key_list, project=world.sj_project)
    assert (stored.annual_investment_plan, stored.target_stage, stored.note) == (
        Decimal("300000000"),
        Stage.CONSTRUCTION,
        "年内开工",
    )
    actions.set_membership(
        key_list=key_list,
        project=world.sj_project,
        by=world.coordinator,
        annual_investment_plan=Decimal("450000000"),
        target_stage=Stage.COMPLETED,
    )
    stored = KeyListMembership.objects.get(key_list=key_list, project=world.sj_project)
    assert stored.pk == membership.pk
    assert (stored.annual_investment_plan, stored.target_stage, stored.note) == (
        Decimal("450000000"),
        Stage.COMPLETED,
        "",
    )
    assert list(world.sj_project.key_lists.all()) == [key_list]

    actions.remove_membership(membership=stored, by=world.coordinator)
    assert not KeyListMembership.objects.exists()
    assert list(world.sj_project.key_lists.all()) == []


def test_membership_refuses_bad_targets(world):
    key_list = KeyListFactory(area=world.city)
    with pytest.raises(ValidationError) as excinfo:
        actions.set_membership(
            key_list=key_list,
            project=world.sj_project,
            by=world.coordinator,
            annual_investment_plan=Decimal("-1"),
            target_stage="dreaming",
        )
    assert error_fields(excinfo) == {"annual_investment_plan", "target_stage"}
    assert not KeyListMembership.objects.exists()


def test_membership_permissions_and_scope(world):
    key_list = KeyListFactory(area=world.city)
    with pytest.raises(PermissionDenied):
        actions.set_membership(key_list=key_list, project=world.sj_project, by=world.unit_member)
    with pytest.raises(ObjectDoesNotExist):
        actions.set_membership(key_list=key_list, project=world.sj_project, by=world.mh_coordinator)
    assert not KeyListMembership.objects.exists()

    membership = actions.set_membership(key_list=key_list, project=world.sj_project, by=world.coordinator)
    with pytest.raises(PermissionDenied):
        actions.remove_membership(membership=membership, by=world.owner)
    with pytest.raises(ObjectDoesNotExist):
        actions.remove_membership(membership=membership, by=world.mh_coordinator)
    assert KeyListMembership.objects.filter(pk=membership.pk).exists()


# --- key figures -------------------------------------------------------------------------------


def figures_of(project):
    return list(project.figures.order_by("order").values_list("kind", "value", "unit", "order"))


def test_key_figures_are_added_changed_and_removed(world):
    project = world.sj_project
    actions.save_key_figures(
        project=project,
        figures=[
            {"kind": FigureKind.FLOOR_AREA, "value": Decimal("600000"), "unit": "m²"},
            {"kind": FigureKind.BUILDINGS, "value": Decimal("12"), "unit": "栋"},
        ],
        delete=[],
        by=world.sj_coordinator,
    )
    assert figures_of(project) == [
        (FigureKind.FLOOR_AREA, Decimal("600000"), "m²", 0),
        (FigureKind.BUILDINGS, Decimal("12"), "栋", 1),
    ]
    floor, buildings = project.figures.order_by("order")
    actions.save_key_figures(
        project=project,
        figures=[
            {"instance": buildings, "value": Decimal("14")},
            {"kind": FigureKind.JOBS, "value": Decimal("3000"), "unit": "人"},
        ],
        delete=[floor],
        by=world.coordinator,
    )
    assert figures_of(project) == [
        (FigureKind.BUILDINGS, Decimal("14"), "栋", 0),
        (FigureKind.JOBS, Decimal("3000"), "人", 1),
    ]


def test_key_figures_are_saved_all_or_nothing(world):
    project = world.sj_project
    actions.save_key_figures(
        project=project, figures=[{"kind": FigureKind.LAND, "value": Decimal("150"), "unit": "亩"}], delete=[], by=None
    )
    land = project.figures.get()
    with pytest.raises(ValidationError) as excinfo:
        actions.save_key_figures(
            project=project,
            figures=[
                {"kind": FigureKind.LENGTH, "value": Decimal("30"), "unit": "km"},
                {"kind": "height", "value": None},
            ],
            delete=[land],
            by=world.coordinator,
        )
    assert {"kind", "value"} <= error_fields(excinfo)
    assert figures_of(project) == [(FigureKind.LAND, Decimal("150"), "亩", 0)]


def test_key_figures_of_another_project_are_refused(world):
    other = KeyFigure.objects.create(project=world.mh_project, kind=FigureKind.LENGTH, value=Decimal("8"), unit="km")
    with pytest.raises(ValidationError):
        actions.save_key_figures(project=world.sj_project, figures=[], delete=[other], by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.save_key_figures(
            project=world.sj_project,
            figures=[{"instance": other, "value": Decimal("9")}],
            delete=[],
            by=world.coordinator,
        )
    assert KeyFigure.objects.get(pk=other.pk).value == Decimal("8")
    assert not world.sj_project.figures.exists()


def test_key_figures_permission_and_scope(world):
    figure = {"kind": FigureKind.JOBS, "value": Decimal("100"), "unit": "人"}
    with pytest.raises(PermissionDenied):
        actions.save_key_figures(project=world.sj_project, figures=[figure], delete=[], by=world.owner)
    with pytest.raises(ObjectDoesNotExist):
        actions.save_key_figures(project=world.sj_project, figures=[figure], delete=[], by=world.mh_coordinator)
    assert not KeyFigure.objects.exists()


def test_district_coordinator_cannot_change_the_city_list(world):
    key_list = KeyListFactory(area=world.city)
    with pytest.raises(ObjectDoesNotExist):
        actions.set_membership(key_list=key_list, project=world.sj_project, by=world.sj_coordinator)
    assert not KeyListMembership.objects.exists()
    own_list = KeyListFactory(area=world.songjiang)
    actions.set_membership(key_list=own_list, project=world.sj_project, by=world.sj_coordinator)
    assert KeyListMembership.objects.filter(key_list=own_list).count() == 1


def test_phases_cannot_form_a_loop(world):
    phase = actions.update_project(project=world.mh_project, by=world.coordinator, changes={"parent": world.sj_project})
    with pytest.raises(ValidationError) as caught:
        actions.update_project(project=world.sj_project, by=world.coordinator, changes={"parent": phase})
    assert "parent" in caught.value.message_dict
    world.sj_project.refresh_from_db()
    assert world.sj_project.parent is None


def test_pause_dates_cannot_be_in_the_future_or_before_the_history(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        actions.pause_project(
            project=world.sj_project,
            reason="土地未交付",
            expected_resume_on=today + datetime.timedelta(days=90),
            on=today + datetime.timedelta(days=1),
            by=world.coordinator,
        )
    actions.change_stage(project=world.sj_project, to_stage=Stage.SIGNED, on=today, by=world.coordinator)
    with pytest.raises(ValidationError):
        actions.pause_project(
            project=world.sj_project,
            reason="土地未交付",
            expected_resume_on=today + datetime.timedelta(days=90),
            on=today - datetime.timedelta(days=1),
            by=world.coordinator,
        )
    world.sj_project.refresh_from_db()
    assert world.sj_project.status == Status.ACTIVE
