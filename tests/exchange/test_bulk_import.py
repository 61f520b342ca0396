"""The bulk apply of a project import stores what the business actions store row by row.

The same file is imported twice from the same database: once through the bulk actions
(`create_projects`, `update_projects`, `change_stages`) that the import uses, once row by row
through `create_project` / `update_project` / `change_stage` (the base planner's apply). Projects,
stage history and change-log entries must come out the same, and the change log must verify.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from groundbreak.audit.chain import verify
from groundbreak.audit.models import ObjectChange
from groundbreak.exchange import importing
from groundbreak.exchange.columns import SHEETS
from groundbreak.exchange.project_rows import ProjectPlanner
from groundbreak.exchange.reading import read_table
from groundbreak.portfolio import actions
from groundbreak.portfolio.models import Project, StageChange
from tests.exchange.conftest import xlsx_bytes
from tests.factories import ProjectFactory


class _Undo(Exception):
    pass


ROWS = [
    {
        "code": "N-1",
        "name": "新建项目一",
        "name_en": "New project one",
        "investment_code": "2024-310117-47-01-000001",
        "category": "industrial",
        "industry": "集成电路",
        "area": "Songjiang",
        "address": "示范路 1 号",
        "latitude": "31.1",
        "longitude": "121.2",
        "owner_unit": "上海云廊建设有限公司",
        "lead_leader": "王明",
        "responsible_unit": "松江区发改委",
        "stage": "construction",
        "total_investment": "1200000000.5",
        "planned_start": datetime.date(2024, 3, 1),
        "planned_end": datetime.date(2026, 6, 30),
        "description": "厂房与研发楼",
    },
    # A phase of a project of the same file, and one of an existing project.
    {"code": "N-2", "name": "新建项目一二期", "category": "industrial", "area": "Songjiang", "parent": "N-1"},
    {
        "code": "N-3",
        "name": "云廊东区",
        "category": "ecology",
        "area": "Minhang",
        "parent": "SJ-001",
        "stage": "signed",
    },
    # Facts, a new phase parent and a stage move of an existing project.
    {
        "code": "SJ-001",
        "name": "G60科创云廊二期（调整）",
        "category": "industrial",
        "area": "Songjiang",
        "total_investment": "9000",
        "parent": "N-1",
        "stage": "landed",
        "responsible_unit": "闵行区发改委",
    },
    # Only a stage move; a row that changes nothing.
    {"code": "OLD-2", "name": "老项目二", "category": "industrial", "area": "Songjiang", "stage": "completed"},
    {
        "code": "MH-001",
        "name": "闵行实事项目",
        "category": "industrial",
        "area": "Minhang",
        "responsible_unit": "闵行区发改委",
    },
]


def _table():
    sheet = SHEETS["projects"]
    return read_table(sheet, io.BytesIO(xlsx_bytes("projects", ROWS)), "bulk.xlsx")


def _state(since_seq: int) -> dict:
    code_of = dict(Project.objects.values_list("pk", "code"))

    def pk_to_code(value):
        return code_of.get(int(value), value) if value not in (None, "") else value

    projects = {}
    for row in Project.objects.values():
        row = dict(row)
        for name in ("id", "created_at", "updated_at"):
            row.pop(name)
        row["parent_id"] = pk_to_code(row["parent_id"])
        projects[row["code"]] = row
    stages = sorted(
        (code_of[s["project_id"]], s["kind"], s["from_stage"], s["to_stage"], s["on"], s["note"], s["by_id"])
        for s in StageChange.objects.values()
    )
    entries = []
    for entry in ObjectChange.objects.filter(seq__gt=since_seq).order_by("seq"):
        changes = dict(entry.changes)
        if "parent" in changes:
            changes["parent"] = {**changes["parent"]}
            for side in ("before", "after"):
                changes["parent"][side] = pk_to_code(changes["parent"][side])
        entries.append(
            (
                entry.actor_id,
                entry.actor_name,
                entry.source,
                entry.action,
                entry.kind,
                entry.content_type_id,
                pk_to_code(entry.object_id),
                entry.object_repr,
                entry.parent_content_type_id,
                entry.parent_object_id,
                repr(sorted(changes.items())),
            )
        )
    return {"projects": projects, "stages": stages, "entries": sorted(entries)}


def _import(user, *, bulk: bool, monkeypatch) -> tuple[dict, dict]:
    """Import ROWS, capture what is stored, and undo it all."""
    with monkeypatch.context() as patch:
        if not bulk:
            patch.setattr(ProjectPlanner, "apply_all", importing.Planner.apply_all)
        since = ObjectChange.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        try:
            with transaction.atomic():
                plan, result = importing.apply("projects", _table(), user=user)
                state = _state(since)
                assert verify().ok
                raise _Undo
        except _Undo:
            pass
    return result, state


@pytest.fixture
def bulk_world(world):
    world.old2 = ProjectFactory(code="OLD-2", name="老项目二", area=world.songjiang, stage="construction")
    Project.objects.filter(pk=world.sj_project.pk).update(total_investment=Decimal("5000"))
    Project.objects.filter(pk__in=[world.mh_project.pk, world.old2.pk]).update(category="industrial")
    Project.objects.update(planned_start=None)
    return world


def test_bulk_apply_stores_what_the_actions_store_row_by_row(bulk_world, monkeypatch):
    plan = importing.preview("projects", _table(), user=bulk_world.coordinator)
    assert plan.errors == []
    assert plan.counts() == {"rows": 6, "create": 3, "update": 2, "unchanged": 1, "errors": 0, "error_rows": 0}

    bulk_result, bulk = _import(bulk_world.coordinator, bulk=True, monkeypatch=monkeypatch)
    single_result, single = _import(bulk_world.coordinator, bulk=False, monkeypatch=monkeypatch)

    assert bulk_result == single_result
    assert bulk["projects"] == single["projects"]
    assert bulk["stages"] == single["stages"]
    assert bulk["entries"] == single["entries"]
    # And the import did what the rows say.
    projects = bulk["projects"]
    assert projects["N-2"]["parent_id"] == "N-1" and projects["SJ-001"]["parent_id"] == "N-1"
    assert projects["SJ-001"]["stage"] == "landed" and projects["SJ-001"]["version"] == 3
    assert projects["OLD-2"]["stage"] == "completed" and projects["OLD-2"]["version"] == 2
    assert projects["MH-001"]["version"] == 1
    assert len(bulk["entries"]) == 3 + 2 + 1  # three creates, SJ-001's facts and stage, OLD-2's stage


def test_bulk_apply_keeps_the_change_log_chain_valid(bulk_world):
    importing.apply("projects", _table(), user=bulk_world.coordinator)
    ProjectFactory(code="AFTER-1", area=bulk_world.songjiang)  # a one-by-one append after the bulk ones
    assert verify().ok


def test_a_bulk_create_refuses_what_create_project_refuses(world):
    with pytest.raises(actions.BulkItemError) as failure:
        actions.create_projects(
            by=world.coordinator,
            items=[
                {"code": "OK-1", "name": "好", "category": "industrial", "area": world.songjiang},
                {"code": "OK-2", "name": "坏", "category": "nonsense", "area": world.songjiang},
            ],
        )
    assert failure.value.index == 1
    with pytest.raises(ValidationError) as single:
        actions.create_project(by=world.coordinator, code="OK-2", name="坏", category="nonsense", area=world.songjiang)
    assert failure.value.error.message_dict == single.value.message_dict
    # An existing code, and a project outside the user's scope.
    with pytest.raises(actions.BulkItemError) as failure:
        actions.create_projects(
            by=world.coordinator,
            items=[{"code": "SJ-001", "name": "重", "category": "industrial", "area": world.songjiang}],
        )
    with pytest.raises(ValidationError) as single:
        actions.create_project(
            by=world.coordinator, code="SJ-001", name="重", category="industrial", area=world.songjiang
        )
    assert failure.value.error.message_dict == single.value.message_dict
    with pytest.raises(actions.BulkItemError) as failure:
        actions.create_projects(
            by=world.sj_coordinator,
            items=[
                {"code": "SJ-9", "name": "内", "category": "industrial", "area": world.songjiang},
                {"code": "MH-9", "name": "外", "category": "industrial", "area": world.minhang},
            ],
        )
    assert failure.value.index == 1 and isinstance(failure.value.error, actions.ObjectDoesNotExist)
    assert not Project.objects.filter(code__in=["OK-1", "SJ-9"]).exists()


def test_bulk_updates_skip_no_ops_and_refuse_phase_loops(world):
    phase = ProjectFactory(code="SJ-001-2", area=world.songjiang, parent=world.sj_project)
    logged = ObjectChange.objects.count()
    stored = actions.update_projects(
        by=world.coordinator, updates=[(world.sj_project, {"name": world.sj_project.name})]
    )
    assert stored[0].version == 1 and ObjectChange.objects.count() == logged
    with pytest.raises(actions.BulkItemError) as failure:
        actions.update_projects(by=world.coordinator, updates=[(world.sj_project, {"parent": phase})])
    assert "parent" in failure.value.error.message_dict


def test_bulk_stage_moves_follow_the_rules_of_change_stage(world):
    today = datetime.date.today()
    with pytest.raises(actions.BulkItemError) as failure:
        actions.change_stages(
            by=world.coordinator, moves=[(world.mh_project, "signed"), (world.sj_project, "reserve")], on=today
        )
    assert failure.value.index == 1
    assert Project.objects.get(pk=world.mh_project.pk).stage == "reserve"


def test_only_known_constraints_are_checked_in_python():
    # create_projects/update_projects check Project's constraints without a query each: a new
    # constraint must be added to their check (actions._clean) too.
    assert {c.name for c in Project._meta.constraints} == actions.KNOWN_CONSTRAINTS
