"""Import of projects and time nodes: preview, all-or-nothing apply, matching, scope, background jobs."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from groundbreak.audit.models import ObjectChange
from groundbreak.exchange import importing, jobs
from groundbreak.exchange.columns import SHEETS
from groundbreak.exchange.exporting import export
from groundbreak.exchange.models import ImportJob, ImportStatus
from groundbreak.exchange.reading import read_table
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project, StageChange
from groundbreak.schedule.models import Milestone, Replan
from tests.exchange.conftest import csv_bytes, xlsx_bytes
from tests.factories import MilestoneFactory, UnitFactory, kind

TODAY = timezone.localdate


def table(kind_, data: bytes, name="upload.xlsx"):
    return read_table(SHEETS[kind_], io.BytesIO(data), name)


def preview(kind_, data, user, name="upload.xlsx"):
    return importing.preview(kind_, table(kind_, data, name), user=user)


def apply(kind_, data, user, name="upload.xlsx"):
    return importing.apply(kind_, table(kind_, data, name), user=user)


def exported(kind_, fmt, user=None) -> bytes:
    stream = io.BytesIO()
    export(kind_, fmt, stream, user=user)
    return stream.getvalue()


def snapshot():
    """Everything an import could touch, to compare before and after."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        StageChange.objects.count(),
        Replan.objects.count(),
        ObjectChange.objects.count(),
    )


def errors_at(plan) -> set[tuple[int, str]]:
    return {(e.row, e.key) for e in plan.errors}


NEW = {"name": "新项目", "category": "industrial", "area": "Songjiang"}


# --- round trip -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind_", ["projects", "milestones"])
def test_round_trip_changes_nothing(rich_world, fmt, language, kind_):
    with translation.override(language):
        data = exported(kind_, fmt, rich_world.coordinator)
    before = snapshot()
    # Read back in the other language: headers and names of either language are accepted.
    with translation.override("zh-hans" if language == "en" else "en"):
        plan = preview(kind_, data, rich_world.coordinator, f"export.{fmt}")
        assert plan.errors == []
        assert plan.counts()["create"] == plan.counts()["update"] == 0
        assert plan.counts()["unchanged"] == (3 if kind_ == "projects" else 3)
        plan, result = apply(kind_, data, rich_world.coordinator, f"export.{fmt}")
    assert result["create"] == result["update"] == 0
    assert snapshot() == before


# --- create and update ----------------------------------------------------------------------------


def test_new_rows_create_projects_and_known_codes_update_them(login, world):
    data = xlsx_bytes(
        "projects",
        [
            {
                "code": "SJ-002",
                "name": "松江综合交通枢纽",
                "category": "基础设施",
                "area": "松江区",
                "stage": "签约",
                "total_investment": "3.5亿",
                "planned_start": "2025/3/1",
                "planned_end": datetime.date(2027, 6, 30),
                "lead_leader": "王明",
                "responsible_unit": "松江区发改委",
                "latitude": "31.03",
                "longitude": 121.22,
            },
            {"code": "SJ-001", "name": "G60科创云廊二期", "category": "产业项目", "area": "松江区", "stage": "在建"},
        ],
        language="zh-hans",
        headers=[
            "code",
            "name",
            "category",
            "area",
            "stage",
            "total_investment",
            "planned_start",
            "planned_end",
            "lead_leader",
            "responsible_unit",
            "latitude",
            "longitude",
        ],
    )
    client = login(world.sj_coordinator)
    response = client.post(
        reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("清单.xlsx", data)}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("exchange:import-job", args=[job.pk])
    assert job.status == ImportStatus.READY
    body = client.get(response["Location"]).content.decode()
    assert 'data-count="create">To create <b>1</b>' in body
    assert 'data-count="update">To update <b>1</b>' in body
    assert "reserve</del> → <ins>under construction" in body
    assert not Project.objects.filter(code="SJ-002").exists(), "a preview writes nothing"

    last_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert 'data-count="created">Created <b>1</b>' in client.get(response["Location"]).content.decode()
    new = Project.objects.get(code="SJ-002")
    assert new.category == "infrastructure" and new.stage == Stage.SIGNED
    assert new.total_investment == Decimal("350000000.00")
    assert new.planned_start == datetime.date(2025, 3, 1)
    assert new.lead_leader == world.leader and new.responsible_unit == world.sj_bureau
    assert new.latitude == Decimal("31.030000")
    existing = Project.objects.get(code="SJ-001")
    assert existing.stage == Stage.CONSTRUCTION
    change = existing.stage_changes.get()
    assert change.on == TODAY() and change.by == world.sj_coordinator
    changes = ObjectChange.objects.filter(pk__gt=last_change)
    assert {c.object_repr for c in changes} >= {str(new), str(existing)}
    assert set(changes.values_list("source", flat=True)) == {"import"}


def test_a_missing_column_leaves_values_alone_and_a_blank_cell_clears_them(world):
    Project.objects.filter(code="SJ-001").update(industry="数字经济", address="广富林路")
    data = xlsx_bytes("projects", [{"code": "SJ-001", "industry": ""}], headers=["code", "industry"])
    apply("projects", data, world.coordinator)
    project = Project.objects.get(code="SJ-001")
    assert project.industry == "" and project.address == "广富林路"
    assert project.name == "G60科创云廊二期"


def test_a_phase_may_come_before_its_new_parent_in_the_file(world):
    data = xlsx_bytes(
        "projects",
        [{"code": "SJ-003-2", "parent": "SJ-003", **NEW}, {"code": "SJ-003", **NEW}],
        headers=["code", "parent", "name", "category", "area"],
    )
    apply("projects", data, world.coordinator)
    assert Project.objects.get(code="SJ-003-2").parent == Project.objects.get(code="SJ-003")


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(world):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["2025年松江区重点项目清单"])
    sheet.append(["项目编号", "项目名称", "项目类别", "所属区域", "总投资（元）"])
    sheet.append(["SJ-004", "新项目", "industrial", "松江区", "abc"])
    stream = io.BytesIO()
    workbook.save(stream)
    plan = preview("projects", stream.getvalue(), world.coordinator)
    assert [(e.row, e.letter, e.column) for e in plan.errors] == [(3, "E", "总投资（元）")]


# --- bad rows ------------------------------------------------------------------------------------------


@pytest.fixture
def twin_units(world):
    UnitFactory(name="建设管理中心", area=world.songjiang)
    UnitFactory(name="建设管理中心", area=world.minhang)


PROJECT_COLUMNS = [
    "code",
    "name",
    "investment_code",
    "category",
    "area",
    "latitude",
    "longitude",
    "owner_unit",
    "lead_leader",
    "stage",
    "total_investment",
    "planned_start",
    "planned_end",
    "parent",
]

BAD_PROJECT_ROWS = [
    # (what is wrong, the row's cells, the column that must be named)
    ("missing code", {"code": ""}, "code"),
    ("bad category", {"code": "SJ-101", "category": "航天"}, "category"),
    ("unknown area", {"code": "SJ-102", "area": "浦东新区"}, "area"),
    ("ambiguous unit", {"code": "SJ-103", "owner_unit": "建设管理中心"}, "owner_unit"),
    ("bad date", {"code": "SJ-104", "planned_start": "2024-13-45"}, "planned_start"),
    ("end before start", {"code": "SJ-105", "planned_start": "2025-06-01", "planned_end": "2025-01-01"}, "planned_end"),
    ("bad investment", {"code": "SJ-106", "total_investment": "三百万"}, "total_investment"),
    ("negative investment", {"code": "SJ-107", "total_investment": "-5"}, "total_investment"),
    ("bad coordinates", {"code": "SJ-108", "latitude": "95", "longitude": "121.2"}, "latitude"),
    ("bad national code", {"code": "SJ-109", "investment_code": "2022-31-47"}, "investment_code"),
    ("unknown leader", {"code": "SJ-110", "lead_leader": "赵六"}, "lead_leader"),
    ("duplicate code", {"code": "SJ-101"}, "code"),
    ("parent unknown", {"code": "SJ-112", "parent": "NOPE-9"}, "parent"),
    ("stage unknown", {"code": "SJ-113", "stage": "竣工验收中"}, "stage"),
    ("area outside scope", {"code": "SJ-114", "area": "Minhang"}, "area"),
    ("project outside scope", {"code": "MH-001"}, "code"),
    ("name too long", {"code": "SJ-116", "name": "长" * 201}, "name"),
    ("bad code format", {"code": "项目#1"}, "code"),
    ("missing name", {"code": "SJ-118", "name": ""}, "name"),
    ("stage moved back", {"code": "SJ-001", "name": "G60科创云廊二期", "stage": "reserve"}, "stage"),
]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(login, world, twin_units):
    Project.objects.filter(code="SJ-001").update(stage=Stage.SIGNED)
    rows = [{**NEW, **cells} for _what, cells, _column in BAD_PROJECT_ROWS]
    data = xlsx_bytes("projects", rows, headers=PROJECT_COLUMNS)
    plan = preview("projects", data, world.sj_coordinator)
    expected = {(number, column) for number, (_w, _c, column) in enumerate(BAD_PROJECT_ROWS, start=2)}
    assert errors_at(plan) == expected
    by_row = {e.row: e for e in plan.errors}
    assert "Songjiang/建设管理中心" in by_row[5].message and "Minhang/建设管理中心" in by_row[5].message
    assert by_row[5].letter == "H" and by_row[5].column == "Owner unit"
    assert "row 3" in by_row[13].message
    assert "outside your scope" in by_row[16].message
    assert "not found" in by_row[17].message

    before = snapshot()
    client = login(world.sj_coordinator)
    client.post(reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("bad.xlsx", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert body.count('<tr data-row="') == len(BAD_PROJECT_ROWS)
    assert "Upload the corrected file" in body and "Apply:" not in body
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    assert snapshot()[:4] == before[:4]
    assert not Project.objects.filter(code__startswith="SJ-1").exists()


BAD_MILESTONE_ROWS = [
    ("unknown node kind", {"kind": "剪彩仪式"}, "kind"),
    ("unknown project", {"project": "NOPE-1"}, "project"),
    ("planned date not a date", {"planned_date": "next week"}, "planned_date"),
    ("met in the future", {"actual_date": "2999-01-01"}, "actual_date"),
    ("project outside scope", {"project": "MH-001"}, "project"),
    ("baseline moved", {"kind": "land_handover", "baseline_date": "2020-01-01"}, "baseline_date"),
    ("needs photo evidence", {"kind": "topping_out", "actual_date": "2020-01-01"}, "actual_date"),
]


def test_bad_milestone_rows_are_reported(world):
    MilestoneFactory(project=world.sj_project, kind=kind("land_handover"), planned_date=datetime.date(2026, 1, 1))
    base = {"project": "SJ-001", "kind": "groundbreaking", "planned_date": "2030-01-01"}
    rows = [{**base, **cells} for _what, cells, _column in BAD_MILESTONE_ROWS]
    plan = preview("milestones", csv_bytes("milestones", rows), world.sj_coordinator, "nodes.csv")
    expected = {(n, column) for n, (_w, _c, column) in enumerate(BAD_MILESTONE_ROWS, start=2)}
    assert errors_at(plan) == expected
    before = snapshot()
    with pytest.raises(importing.PlanChanged):
        apply("milestones", csv_bytes("milestones", rows), world.sj_coordinator, "nodes.csv")
    assert snapshot() == before


# --- reading and matching ---------------------------------------------------------------------------


def test_gb18030_csv_is_read(world):
    data = csv_bytes("projects", [{"code": "SJ-005", **NEW, "area": "松江区"}], language="zh-hans", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    apply("projects", data, world.coordinator, "gb.csv")
    assert Project.objects.get(code="SJ-005").name == "新项目"


def test_names_match_across_traditional_full_width_spaces_and_english(world):
    rows = [
        {"code": "SJ-006", **NEW, "responsible_unit": "松江區發改委"},
        {"code": "ＳＪ－００７", **NEW, "responsible_unit": " 松江区 发改委 ", "area": "songjiang"},
        {"code": "SJ-008", **NEW, "responsible_unit": "Songjiang／松江区发改委", "area": "310117"},
    ]
    data = csv_bytes("projects", rows, headers=["code", "name", "category", "area", "responsible_unit"])
    plan, _result = apply("projects", data, world.coordinator, "names.csv")
    assert set(Project.objects.filter(responsible_unit=world.sj_bureau).values_list("code", flat=True)) >= {
        "SJ-006",
        "SJ-007",
        "SJ-008",
    }


def test_a_name_of_two_units_is_an_error_naming_both_never_a_guess(world, twin_units):
    data = csv_bytes("projects", [{"code": "SJ-009", **NEW, "owner_unit": "建设管理中心"}])
    plan = preview("projects", data, world.coordinator, "twins.csv")
    (error,) = plan.errors
    assert error.key == "owner_unit"
    assert "Songjiang/建设管理中心" in error.message and "Minhang/建设管理中心" in error.message
    data = csv_bytes("projects", [{"code": "SJ-009", **NEW, "owner_unit": "闵行区/建设管理中心"}])
    assert preview("projects", data, world.coordinator, "twins.csv").errors == []


def test_unreadable_files_say_what_to_do(login, world):
    client = login(world.coordinator)
    response = client.post(
        reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0")}
    )
    assert ".xlsx" in response.content.decode() and not ImportJob.objects.exists()
    client.post(reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    assert "No header row found" in client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()


# --- milestones ---------------------------------------------------------------------------------------


def test_milestone_rows_add_replan_and_complete_nodes(world):
    node = MilestoneFactory(project=world.sj_project, kind=kind("land_handover"), planned_date=TODAY())
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    rows = [
        # a new node whose planned date moved from its baseline: added, then re-planned
        {"project": "SJ-001", "kind": "开工", "baseline_date": "2027-01-01", "planned_date": "2027-03-01"},
        # an approval met with its number
        {
            "project": "SJ-001",
            "kind": "项目备案/核准",
            "planned_date": yesterday,
            "actual_date": yesterday,
            "document_number": "松发改〔2025〕3号",
        },
        # the existing node: re-planned
        {"project": "SJ-001", "kind": "Land handed over", "planned_date": "2027-05-01"},
    ]
    data = xlsx_bytes("milestones", rows, language="zh-hans")
    last_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    plan = preview("milestones", data, world.coordinator)
    assert plan.errors == []
    assert plan.counts()["create"] == 2 and plan.counts()["update"] == 1
    apply("milestones", data, world.coordinator)
    groundbreaking = world.sj_project.milestones.get(kind__code="groundbreaking")
    assert groundbreaking.baseline_date == datetime.date(2027, 1, 1)
    assert groundbreaking.planned_date == datetime.date(2027, 3, 1)
    assert groundbreaking.replans.get().reason.code == "other"
    filing = world.sj_project.milestones.get(kind__code="project_filing")
    assert filing.actual_date == TODAY() - datetime.timedelta(days=1)
    assert filing.document_number == "松发改〔2025〕3号"
    node.refresh_from_db()
    assert node.planned_date == datetime.date(2027, 5, 1) and node.replan_count == 1
    assert set(ObjectChange.objects.filter(pk__gt=last_change).values_list("source", flat=True)) == {"import"}


def test_nodes_of_one_kind_are_told_apart_by_their_baseline(world):
    first = MilestoneFactory(project=world.sj_project, kind=kind("topping_out"), planned_date=datetime.date(2027, 1, 1))
    second = MilestoneFactory(
        project=world.sj_project, kind=kind("topping_out"), planned_date=datetime.date(2028, 1, 1)
    )
    rows = [
        {"project": "SJ-001", "kind": "topping_out", "baseline_date": "2028-01-01", "planned_date": "2028-02-01"},
        {"project": "SJ-001", "kind": "topping_out", "baseline_date": "2027-01-01", "planned_date": "2027-01-01"},
    ]
    apply("milestones", csv_bytes("milestones", rows), world.coordinator, "n.csv")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.planned_date == datetime.date(2027, 1, 1)
    assert second.planned_date == datetime.date(2028, 2, 1)
    rows = [{"project": "SJ-001", "kind": "topping_out", "planned_date": "2029-01-01"}]
    plan = preview("milestones", csv_bytes("milestones", rows), world.coordinator, "n.csv")
    assert errors_at(plan) == {(2, "kind")}


# --- permissions and scope ------------------------------------------------------------------------------


def test_viewer_may_not_open_the_import_page(login, world):
    client = login(world.viewer)
    assert client.get(reverse("exchange:import")).status_code == 403
    assert client.post(reverse("exchange:import"), {"kind": "projects"}).status_code == 403


def test_import_page_has_templates_and_an_empty_state(login, world):
    body = login(world.coordinator).get(reverse("exchange:import")).content.decode()
    assert reverse("exchange:import-template", args=["projects"]) in body
    assert "No imports yet" in body
    assert 'href="/import/"' in body, "the navigation offers Import to those who may create projects"


def test_district_coordinator_cannot_import_into_another_district(login, world):
    data = xlsx_bytes(
        "projects",
        [{"code": "MH-002", **NEW, "area": "闵行区"}, {"code": "SJ-001", **NEW, "name": "改名"}],
        headers=["code", "name", "category", "area"],
    )
    client = login(world.sj_coordinator)
    client.post(reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("x.xlsx", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.preview["errors"]] == [(2, "Area")]
    assert "Minhang is outside your scope" in job.preview["errors"][0]["message"]
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    assert not Project.objects.filter(code="MH-002").exists()
    assert Project.objects.get(code="SJ-001").name == "G60科创云廊二期", "the good row is not written either"


def test_unit_member_may_import_node_dates_but_not_projects(login, world):
    client = login(world.unit_member)
    body = client.get(reverse("exchange:import")).content.decode()
    assert 'value="milestones"' in body and 'value="projects"' not in body
    data = xlsx_bytes("projects", [{"code": "SJ-001", "name": "改名"}], headers=["code", "name"])
    response = client.post(reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", data)})
    assert response.status_code == 200 and not ImportJob.objects.exists()


def test_someone_elses_import_is_not_found(login, world):
    data = xlsx_bytes("projects", [{"code": "SJ-020", **NEW}])
    login(world.coordinator).post(
        reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("x.xlsx", data)}
    )
    job = ImportJob.objects.get()
    client = login(world.sj_coordinator)
    assert client.get(reverse("exchange:import-job", args=[job.pk])).status_code == 404
    assert client.post(reverse("exchange:import-apply", args=[job.pk])).status_code == 404


# --- all or nothing ---------------------------------------------------------------------------------------


def test_a_row_refused_while_applying_undoes_the_whole_file(world, monkeypatch):
    from django.core.exceptions import ValidationError

    from groundbreak.exchange import project_rows
    from groundbreak.portfolio.actions import BulkItemError

    real = project_rows.create_projects

    def refuse_third(**kwargs):
        # Written first, then refused: the whole file must be rolled back.
        real(**kwargs)
        raise BulkItemError(2, ValidationError({"name": "refused"}))

    monkeypatch.setattr(project_rows, "create_projects", refuse_third)
    rows = [{"code": f"SJ-03{i}", **NEW} for i in range(5)]
    before = snapshot()
    with pytest.raises(importing.ImportFailed) as failure:
        apply("projects", xlsx_bytes("projects", rows), world.coordinator)
    (error,) = failure.value.errors
    assert (error.row, error.key, error.message) == (4, "name", "refused")
    assert snapshot() == before


def test_a_confirmed_apply_leaves_cell_checks_to_the_action_which_still_refuses_a_bad_cell(world):
    # A confirmed preview already checked the same cells, so apply does not check their formats
    # again; should a bad cell get through anyway, the action's own validation refuses the row.
    rows = [{"code": "SJ-040", **NEW}, {"code": "SJ-041", **NEW, "name": "长" * 300}]
    previewed = preview("projects", xlsx_bytes("projects", rows), world.coordinator)
    assert errors_at(previewed) == {(3, "name")}
    planner = importing.planner_for("projects", world.coordinator)
    planner.cells_checked = True
    plan = planner.plan(table("projects", xlsx_bytes("projects", rows)))
    assert plan.ok and len(plan.operations) == 2
    before = snapshot()
    with pytest.raises(importing.ImportFailed) as failure:
        planner.apply(plan)
    (error,) = failure.value.errors
    assert (error.row, error.key) == (3, "name") and "at most 200 characters" in error.message
    assert snapshot() == before


def test_data_changed_since_the_preview_is_shown_again_before_anything_is_written(login, world):
    data = xlsx_bytes("projects", [{"code": "SJ-001", "name": "新名称"}], headers=["code", "name"])
    client = login(world.coordinator)
    client.post(reverse("exchange:import"), {"kind": "projects", "file": SimpleUploadedFile("x.xlsx", data)})
    job = ImportJob.objects.get()
    Project.objects.filter(code="SJ-001").update(name="新名称")
    response = client.post(reverse("exchange:import-apply", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.result == {"changed": True}
    assert "The data changed since your preview" in response.content.decode()
    assert job.preview["counts"]["update"] == 0


# --- background jobs ----------------------------------------------------------------------------------------


def _run_worker(monkeypatch):
    """Drain the task queue here, as `groundbreak worker` would in its own process.

    The worker drops connections it finds inside a transaction; in a test that transaction is the
    test's own, which PostgreSQL would then lose (SQLite ignores the close), so it keeps it here.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", batch=True, interval=0, startup_delay=False)


def test_large_files_are_checked_and_applied_in_the_background(
    login, world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_SYNC_MAX_ROWS = 3
    rows = [{"code": f"SJ-2{i:02d}", **NEW} for i in range(6)]
    client = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:import"),
            {"kind": "projects", "file": SimpleUploadedFile("big.xlsx", xlsx_bytes("projects", rows))},
        )
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportStatus.CHECKING and job.total_rows == 6
    assert job.file.name.startswith("imports/") and job.file.size > 0
    body = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'data-progress="0/6"' in body

    _run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and (job.rows_done, job.total_rows) == (6, 6)
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert poll.headers.get("HX-Refresh") == "true", "the finished check reloads the page to show the preview"
    assert 'data-count="create">To create <b>6</b>' in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING
    assert not Project.objects.filter(code__startswith="SJ-2").exists()
    _run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.result["create"] == 6
    assert Project.objects.filter(code__startswith="SJ-2").count() == 6


def test_progress_of_a_running_job_is_polled(login, world, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_SYNC_MAX_ROWS = 1
    rows = [{"code": f"SJ-3{i:02d}", **NEW} for i in range(4)]
    client = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:import"),
            {"kind": "projects", "file": SimpleUploadedFile("big.csv", csv_bytes("projects", rows))},
        )
    job = ImportJob.objects.get()
    jobs._progress(job, jobs.CHECKING)(3, 4)
    fragment = client.get(reverse("exchange:import-job", args=[job.pk]), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'data-progress="3/4"' in body and 'hx-trigger="every 1s"' in body and "<html" not in body


def test_a_failure_in_the_background_writes_nothing(
    login, world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.exceptions import ValidationError

    from groundbreak.exchange import project_rows

    settings.IMPORT_SYNC_MAX_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from groundbreak.portfolio.actions import BulkItemError

    real = project_rows.create_projects

    def refuse_last(**kwargs):
        real(**kwargs)
        index = [item["code"] for item in kwargs["items"]].index("SJ-403")
        raise BulkItemError(index, ValidationError({"area": "no room left"}))

    monkeypatch.setattr(project_rows, "create_projects", refuse_last)
    rows = [{"code": f"SJ-40{i}", **NEW} for i in range(4)]
    client = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:import"),
            {"kind": "projects", "file": SimpleUploadedFile("big.xlsx", xlsx_bytes("projects", rows))},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.result["errors"][0]["row"] == 5 and job.result["errors"][0]["message"] == "no room left"
    assert not Project.objects.filter(code__startswith="SJ-40").exists()
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "Nothing was written" in body and 'data-row="5"' in body
