"""The change log: who changed what, from where, with values before and after."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from groundbreak.audit.context import acting_as
from groundbreak.audit.models import ChangeAction, ObjectChange
from groundbreak.audit.queries import describe, history_of
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Category, Stage
from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.schedule import actions as schedule_actions
from groundbreak.schedule.models import Milestone, Replan
from tests.factories import KeyListFactory, MilestoneFactory, kind, reason

DAY = datetime.timedelta(days=1)


def changes_of(obj):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).order_by("id")


def values(entry, field):
    """(before, after) of one field in a change entry."""
    return entry.changes[field]["before"], entry.changes[field]["after"]


def shown(entry) -> dict:
    """The change as a reader sees it: {field label: (before, after)}."""
    return {str(row["field"]): (row["before"], row["after"]) for row in describe(entry)}


def test_create_is_recorded_with_actor_source_and_values(world):
    with acting_as(world.coordinator, source="web", request_id="req-1"):
        project = actions.create_project(
            by=world.coordinator,
            code="SJ-NEW",
            name="新项目",
            category=Category.INFRASTRUCTURE,
            area=world.songjiang,
            total_investment=Decimal("5000000.00"),
        )
    entry = changes_of(project).get()
    assert entry.action == ChangeAction.CREATE
    assert (entry.actor, entry.actor_name, entry.source, entry.request_id) == (
        world.coordinator,
        "coord",
        "web",
        "req-1",
    )
    assert entry.object_repr == "新项目"
    assert values(entry, "code") == (None, "SJ-NEW")
    assert values(entry, "total_investment") == (None, "5000000.00")
    assert values(entry, "area") == (None, world.songjiang.pk)
    # Empty and default values (stage reserve, status active, not public) are left out of a creation.
    assert set(entry.changes) == {"code", "name", "category", "area", "total_investment"}
    with translation.override("en"):
        assert shown(entry)["category"] == (None, "infrastructure")
        assert shown(entry)["area"] == (None, "Songjiang")
    # Names of related records are kept in each language, so a Chinese reader reads Chinese.
    with translation.override("zh-hans"):
        assert [(row["before"], row["after"]) for row in describe(entry) if row["after"] == "松江区"] == [
            (None, "松江区")
        ]


def test_stage_change_records_before_and_after_shown_with_labels(world):
    with acting_as(world.sj_coordinator, source="web"):
        actions.change_stage(
            project=world.sj_project, to_stage=Stage.CONSTRUCTION, on=timezone.localdate(), by=world.sj_coordinator
        )
    entry = changes_of(world.sj_project).filter(action=ChangeAction.UPDATE).get()
    assert (entry.actor, entry.source) == (world.sj_coordinator, "web")
    assert set(entry.changes) == {"stage"}
    assert values(entry, "stage") == ("reserve", "construction")
    # Choice labels are shown in the reader's language.
    with translation.override("en"):
        assert shown(entry) == {"stage": ("reserve", "under construction")}


def test_update_records_only_the_changed_fields_with_names_of_related_records(world):
    with acting_as(world.coordinator, source="api"):
        actions.update_project(
            project=world.sj_project,
            by=world.coordinator,
            changes={"responsible_unit": world.hq, "name": "G60科创云廊二期", "industry": "数字经济"},
        )
    entry = changes_of(world.sj_project).filter(action=ChangeAction.UPDATE).get()
    assert entry.source == "api"
    assert set(entry.changes) == {"responsible_unit", "industry"}
    assert values(entry, "responsible_unit") == (world.sj_bureau.pk, world.hq.pk)
    assert values(entry, "industry") == ("", "数字经济")
    with translation.override("en"):
        assert shown(entry) == {
            "responsible unit": ("松江区发改委", "市重大办"),
            "industry": ("", "数字经济"),
        }


def test_history_keeps_the_name_of_a_related_record_deleted_since(world):
    with acting_as(world.coordinator, source="web"):
        actions.update_project(project=world.mh_project, by=world.coordinator, changes={"responsible_unit": None})
    world.mh_bureau.delete()
    entry = changes_of(world.mh_project).filter(action=ChangeAction.UPDATE).get()
    with translation.override("en"):
        assert shown(entry) == {"responsible unit": ("闵行区发改委", None)}


def test_delete_is_recorded_and_shows_on_the_project(world):
    key_list = KeyListFactory(area=world.city, name="2025年市重大工程")
    membership = actions.set_membership(
        key_list=key_list,
        project=world.sj_project,
        by=world.coordinator,
        annual_investment_plan=Decimal("300000000.00"),
        target_stage=Stage.CONSTRUCTION,
    )
    membership_pk = membership.pk
    with acting_as(world.coordinator, source="web"):
        actions.remove_membership(membership=membership, by=world.coordinator)
    assert not KeyListMembership.objects.exists()
    entry = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(KeyListMembership),
        object_id=str(membership_pk),
        action=ChangeAction.DELETE,
    )
    assert (entry.actor, entry.source) == (world.coordinator, "web")
    assert values(entry, "annual_investment_plan") == ("300000000.00", None)
    assert values(entry, "target_stage") == ("construction", None)
    assert entry in history_of(world.sj_project)


def test_milestone_and_replan_changes_appear_in_the_project_history(world):
    today = timezone.localdate()
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"), planned_date=today)
    with acting_as(world.owner, source="web"):
        schedule_actions.replan_milestone(
            milestone=milestone, new_date=today + 20 * DAY, reason=reason(), by=world.owner
        )
        schedule_actions.complete_milestone(milestone=milestone, actual_date=today, by=world.owner)
    history = list(history_of(world.sj_project))
    milestone_ct = ContentType.objects.get_for_model(Milestone)
    replan_ct = ContentType.objects.get_for_model(Replan)
    completed = [e for e in history if e.content_type == milestone_ct and e.changes.get("actual_date", {}).get("after")]
    assert len(completed) == 1
    assert values(completed[0], "actual_date") == (None, today.isoformat())
    assert completed[0].actor == world.owner
    moved = [
        e
        for e in history
        if e.content_type == milestone_ct and e.action == ChangeAction.UPDATE and "planned_date" in e.changes
    ]
    assert [e.changes["planned_date"]["after"] for e in moved] == [(today + 20 * DAY).isoformat()]
    assert [e.action for e in history if e.content_type == replan_ct] == [ChangeAction.CREATE]
    # Newest first.
    assert [e.pk for e in history] == sorted((e.pk for e in history), reverse=True)
    # Another project's history does not show them.
    assert not [e for e in history_of(world.mh_project) if e.content_type in (milestone_ct, replan_ct)]


def test_history_without_children_shows_only_the_project_itself(world):
    MilestoneFactory(project=world.sj_project)
    project_ct = ContentType.objects.get_for_model(Project)
    entries = list(history_of(world.sj_project, include_children=False))
    assert entries
    assert {(e.content_type, e.object_id) for e in entries} == {(project_ct, str(world.sj_project.pk))}


def test_writes_outside_a_request_are_recorded_as_the_system(world):
    project = actions.create_project(
        by=None, code="SYS-001", name="导入项目", category=Category.ECOLOGY, area=world.minhang
    )
    actions.change_stage(project=project, to_stage=Stage.SIGNED, on=timezone.localdate(), by=None)
    entries = list(changes_of(project))
    assert [e.action for e in entries] == [ChangeAction.CREATE, ChangeAction.UPDATE]
    for entry in entries:
        assert (entry.actor, entry.actor_name, entry.source) == (None, "", "system")


def test_acting_as_the_system_inside_a_command(world):
    with acting_as(None, source="import"):
        actions.update_project(project=world.mh_project, by=None, changes={"industry": "民生"})
    entry = changes_of(world.mh_project).filter(action=ChangeAction.UPDATE).get()
    assert (entry.actor, entry.source) == (None, "import")


def test_a_save_that_changes_nothing_records_nothing(world):
    project = Project.objects.get(pk=world.sj_project.pk)
    before = ObjectChange.objects.count()
    project.save()
    with acting_as(world.coordinator, source="web"):
        actions.update_project(
            project=project, by=world.coordinator, changes={"name": project.name, "area": world.songjiang}
        )
    assert ObjectChange.objects.count() == before
    # Nothing changed, so the version does not move: a client holding its ETag is not told it is stale.
    assert Project.objects.get(pk=project.pk).version == 1


def test_resubmitting_an_unchanged_amount_records_nothing(world):
    actions.update_project(project=world.sj_project, by=None, changes={"total_investment": Decimal("1000.00")})
    before = ObjectChange.objects.count()
    # The same amount as an import or the API gives it: 1000 yuan, written without decimals.
    project = actions.update_project(project=world.sj_project, by=None, changes={"total_investment": Decimal("1000")})
    assert ObjectChange.objects.count() == before
    project.save()
    assert ObjectChange.objects.count() == before
