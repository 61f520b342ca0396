"""Issues through spreadsheets: the export of the supervision board's list, its template, and the
import that raises new issues through `raise_issue` and (re)assigns existing ones through
`assign_issue`, refusing every other change."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from groundbreak.audit.models import ObjectChange
from groundbreak.coordination.choices import EventKind, IssueSource, IssueStatus, Severity
from groundbreak.coordination.models import Issue, IssueEvent
from groundbreak.exchange import importing
from groundbreak.exchange.columns import ISSUE_SHEET, SHEETS
from groundbreak.exchange.exporting import export
from groundbreak.exchange.models import ImportJob, ImportStatus
from groundbreak.exchange.reading import read_table
from groundbreak.exchange.templates_xlsx import LIST_SHEET
from tests.exchange.conftest import csv_bytes, xlsx_bytes
from tests.factories import IssueFactory, PersonFactory, UnitFactory, category

TODAY = timezone.localdate


@pytest.fixture
def iw(world):
    """Songjiang: an assigned issue with co-unit and person, an unassigned one, a closed one;
    Minhang: one assigned issue."""
    today = TODAY()
    world.contact = PersonFactory(name="李华", title="项目经理", unit=world.enterprise)
    world.assigned = IssueFactory(
        project=world.sj_project,
        title="土地征收进度滞后",
        description="涉及 3 户，\n仍在协商。",
        category=category("land"),
        severity=Severity.MAJOR,
        source=IssueSource.REPORT,
        raised_on=today - datetime.timedelta(days=20),
        lead_unit=world.sj_bureau,
        responsible_person=world.contact,
        deadline=today + datetime.timedelta(days=15),
        status=IssueStatus.IN_PROGRESS,
    )
    world.assigned.co_units.set([world.enterprise])
    world.unassigned = IssueFactory(
        project=world.sj_project,
        title="=用电接入方案待定",
        category=category("utilities"),
        lead_unit=None,
        deadline=None,
    )
    world.mh_issue = IssueFactory(project=world.mh_project, title="闵行资金缺口", lead_unit=world.mh_bureau)
    world.closed = IssueFactory(
        project=world.sj_project,
        title="施工许可已办结",
        category=category("approvals"),
        lead_unit=world.sj_bureau,
        status=IssueStatus.CLOSED,
        resolved_on=today - datetime.timedelta(days=2),
        closed_on=today - datetime.timedelta(days=1),
    )
    return world


def table(data: bytes, name: str):
    return read_table(SHEETS["issues"], io.BytesIO(data), name)


def preview(data, user, name="issues.xlsx"):
    return importing.preview("issues", table(data, name), user=user)


def apply(data, user, name="issues.xlsx"):
    return importing.apply("issues", table(data, name), user=user)


def exported(fmt, user, params=None) -> bytes:
    stream = io.BytesIO()
    export("issues", fmt, stream, user=user, params=params)
    return stream.getvalue()


def content(data: bytes, fmt: str) -> list[tuple]:
    """What a person sees in the file: the cells of the data sheet, or the CSV's fields."""
    if fmt == "csv":
        return [tuple(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    return list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def snapshot():
    return (
        list(Issue.objects.order_by("pk").values()),
        sorted(Issue.co_units.through.objects.values_list("issue_id", "unit_id")),
        IssueEvent.objects.count(),
        ObjectChange.objects.count(),
    )


def errors_at(plan) -> set[tuple[int, str]]:
    return {(e.row, e.key) for e in plan.errors}


# --- round trip -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_round_trip_changes_nothing(iw, fmt, language):
    with translation.override(language):
        first = exported(fmt, iw.coordinator)
    rows = content(first, fmt)
    assert [r[0] for r in rows[1:]] == [str(i.pk) for i in (iw.assigned, iw.unassigned, iw.mh_issue)], (
        "the board's list: unclosed issues, by number"
    )
    before = snapshot()
    # Read back in the other language: headers and names of either language are accepted.
    with translation.override("zh-hans" if language == "en" else "en"):
        plan = preview(first, iw.coordinator, f"issues.{fmt}")
        assert plan.errors == []
        assert (plan.counts()["create"], plan.counts()["update"], plan.counts()["unchanged"]) == (0, 0, 3)
        _plan, result = apply(first, iw.coordinator, f"issues.{fmt}")
        assert result["create"] == result["update"] == 0
    with translation.override(language):
        second = exported(fmt, iw.coordinator)
    assert snapshot() == before
    assert content(second, fmt) == content(first, fmt)


def test_closed_issues_round_trip_when_the_list_shows_them(iw):
    data = exported("xlsx", iw.admin, {"status": ["closed"]})
    rows = content(data, "xlsx")
    assert [r[0] for r in rows[1:]] == [str(iw.closed.pk)]
    assert dict(zip(rows[0], rows[1], strict=True))["Status"] == "closed"
    plan = preview(data, iw.admin)
    assert plan.ok and plan.counts()["unchanged"] == 1


def test_export_writes_what_the_board_shows(login, iw):
    rows = content(
        login(iw.coordinator).get(reverse("exchange:export", args=["issues", "csv"]), {"q": "土地"}).content, "csv"
    )
    assert rows[0] == tuple(c.en for c in ISSUE_SHEET.columns)
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Issue number"] == str(iw.assigned.pk)
    assert record["Project code"] == "SJ-001"
    assert record["Issue category"] == "Land" and record["Severity"] == "major"
    assert record["Source"] == "monthly report" and record["Status"] == "in progress"
    assert record["Lead unit"] == "松江区发改委" and record["Co-units"] == "上海云廊建设有限公司"
    assert record["Responsible person"] == "李华"
    assert record["Details"] == "涉及 3 户，\n仍在协商。"
    assert record["Deadline"] == (TODAY() + datetime.timedelta(days=15)).isoformat()


def test_a_scoped_export_leaves_other_districts_out(login, iw):
    client = login(iw.sj_coordinator)
    rows = content(client.get(reverse("exchange:export", args=["issues", "xlsx"])).content, "xlsx")
    assert {r[1] for r in rows[1:]} == {"SJ-001"}
    assert str(iw.mh_issue.pk) not in {r[0] for r in rows[1:]}
    # A filter naming the other district's project finds nothing rather than its issues.
    rows = content(
        client.get(reverse("exchange:export", args=["issues", "csv"]), {"project": iw.mh_project.pk}).content, "csv"
    )
    assert str(iw.mh_issue.pk) not in {r[0] for r in rows[1:]}
    # A formula-like summary is written as text.
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("exchange:export", args=["issues", "xlsx"]), {"q": "用电"}).content)
    )
    cell = workbook.worksheets[0]["D2"]
    assert cell.value == "=用电接入方案待定" and cell.data_type == "s"


def test_the_board_links_to_the_export_with_its_filters(login, iw):
    client = login(iw.coordinator)
    body = client.get(reverse("coordination:board"), {"q": "土地", "overdue": "on"}).content.decode()
    assert 'href="/export/issues.xlsx?q=%E5%9C%9F%E5%9C%B0&amp;overdue=on"' in body
    assert 'href="/export/issues.csv?q=%E5%9C%9F%E5%9C%B0&amp;overdue=on"' in body
    assert "/export/projects.xlsx" not in body
    # The links follow the filters when they change in place.
    fragment = client.get(reverse("exchange:export-links"), {"for": "issues", "q": "资金"}).content.decode()
    assert 'href="/export/issues.csv?q=%E8%B5%84%E9%87%91"' in fragment
    assert 'hx-include="#issue-filter"' in fragment and "for=issues" in fragment


# --- raising and assigning -----------------------------------------------------------------------------


def test_new_rows_raise_issues_through_the_action(login, iw):
    deadline = TODAY() + datetime.timedelta(days=30)
    data = csv_bytes(
        "issues",
        [
            {
                "project": "SJ-001",
                "title": "施工用水接入",
                "category": "水电气路等配套",
                "severity": "重大",
                "lead_unit": "松江区发改委",
                "co_units": "上海云廊建设有限公司；市重大办",
                "deadline": deadline.isoformat(),
            },
            {"project": "SJ-001", "title": "用工短缺", "category": "labour", "description": "缺 50 人"},
        ],
        language="zh-hans",
        encoding="gb18030",
        headers=["project", "title", "category", "severity", "lead_unit", "co_units", "deadline", "description"],
    )
    client = login(iw.sj_coordinator)
    client.post(reverse("exchange:import"), {"kind": "issues", "file": SimpleUploadedFile("问题.csv", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY and job.preview["counts"]["create"] == 2
    assert not Issue.objects.filter(title="施工用水接入").exists(), "a preview writes nothing"
    response = client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.result["create"] == 2
    result = client.get(response["Location"]).content.decode()
    assert 'data-count="created">Created <b>2</b>' in result and "Go to the supervision board" in result

    water = Issue.objects.get(title="施工用水接入")
    assert water.category.code == "utilities" and water.severity == Severity.MAJOR
    assert water.lead_unit == iw.sj_bureau and water.deadline == deadline
    assert set(water.co_units.all()) == {iw.enterprise, iw.hq}
    assert water.raised_on == TODAY() and water.raised_by == iw.sj_coordinator
    assert water.source == IssueSource.UNIT and water.status == IssueStatus.OPEN
    assert list(water.events.values_list("kind", flat=True)) == [EventKind.RAISED, EventKind.ASSIGNED]
    labour = Issue.objects.get(title="用工短缺")
    assert labour.lead_unit is None and labour.deadline is None, "waits on the board to be assigned"
    assert labour.description == "缺 50 人"
    assert set(ObjectChange.objects.filter(object_repr=str(water)).values_list("source", flat=True)) == {"import"}


def test_the_same_new_issue_is_not_raised_twice(iw):
    row = {"project": "SJ-001", "title": "用工短缺", "category": "labour"}
    data = xlsx_bytes("issues", [row, row], headers=["project", "title", "category"])
    plan = preview(data, iw.sj_coordinator)
    assert errors_at(plan) == {(3, "title")} and "row 2" in plan.errors[0].message
    apply(xlsx_bytes("issues", [row], headers=["project", "title", "category"]), iw.sj_coordinator)
    plan = preview(xlsx_bytes("issues", [row], headers=["project", "title", "category"]), iw.sj_coordinator)
    issue = Issue.objects.get(title="用工短缺")
    assert errors_at(plan) == {(2, "title")}
    assert f"Issue {issue.pk} of this project has this summary and date already" in plan.errors[0].message


def test_a_known_number_reassigns_the_issue_through_the_action(iw):
    deadline = TODAY() + datetime.timedelta(days=7)
    new_unit = UnitFactory(name="松江区规划资源局", area=iw.songjiang)
    data = csv_bytes(
        "issues",
        [
            {
                "number": iw.unassigned.pk,
                "project": "SJ-001",
                "title": "=用电接入方案待定",
                "lead_unit": "松江区发改委",
                "deadline": deadline.isoformat(),
            },
            {
                "number": iw.assigned.pk,
                "project": "SJ-001",
                "title": "土地征收进度滞后",
                "lead_unit": "松江区规划资源局",
                "co_units": "",
                "deadline": iw.assigned.deadline.isoformat(),
            },
        ],
        headers=["number", "project", "title", "lead_unit", "co_units", "deadline"],
    )
    plan = preview(data, iw.sj_coordinator, "issues.csv")
    assert plan.errors == [] and plan.counts()["update"] == 2
    # The second row gives the deadline the issue has: it keeps it.
    assert not any(column == "Deadline" for column, _b, _a in plan.of(importing.UPDATE)[1].changes)
    apply(data, iw.sj_coordinator, "issues.csv")
    iw.unassigned.refresh_from_db()
    assert iw.unassigned.lead_unit == iw.sj_bureau and iw.unassigned.deadline == deadline
    assert iw.unassigned.events.filter(kind=EventKind.ASSIGNED).count() == 1
    iw.assigned.refresh_from_db()
    assert iw.assigned.lead_unit == new_unit and list(iw.assigned.co_units.all()) == []
    assert iw.assigned.deadline == TODAY() + datetime.timedelta(days=15)


BAD_ROWS = [
    ("project of another district", {"project": "MH-001"}, "project"),
    ("unknown category", {"category": "天气"}, "category"),
    (
        "deadline before raised",
        {"raised_on": "2025-05-01", "lead_unit": "松江区发改委", "deadline": "2025-04-01"},
        "deadline",
    ),
    ("raised in the future", {"raised_on": "2999-01-01"}, "raised_on"),
    ("lead unit without deadline", {"lead_unit": "松江区发改委"}, "deadline"),
    (
        "unknown co-unit",
        {"lead_unit": "松江区发改委", "deadline": "2999-01-01", "co_units": "不存在的单位"},
        "co_units",
    ),
    ("raised at an engagement", {"source": "raised at an engagement"}, "source"),
    ("new issue already closed", {"status": "closed"}, "status"),
    ("unknown issue number", {"number": "99999"}, "number"),
    ("summary of an existing issue changed", {"number": "ASSIGNED", "title": "改过的摘要"}, "title"),
    (
        "deadline of an existing issue moved",
        {"number": "SECOND", "title": "审批材料不齐", "deadline": "2999-12-31"},
        "deadline",
    ),
    (
        "status of an existing issue out of date",
        {"number": "THIRD", "title": "资金拨付延迟", "status": "resolved, awaiting verification"},
        "status",
    ),
    ("closed issue reassigned", {"number": "CLOSED", "title": "施工许可已办结", "lead_unit": "市重大办"}, "lead_unit"),
]
BAD_COLUMNS = [
    "number",
    "project",
    "title",
    "category",
    "source",
    "raised_on",
    "lead_unit",
    "co_units",
    "deadline",
    "status",
]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(login, iw):
    good = {"project": "SJ-001", "title": "新问题", "category": "其他"}
    second = IssueFactory(
        project=iw.sj_project, title="审批材料不齐", category=category("approvals"), lead_unit=iw.sj_bureau
    )
    third = IssueFactory(
        project=iw.sj_project, title="资金拨付延迟", category=category("funding"), lead_unit=iw.sj_bureau
    )
    numbers = {"ASSIGNED": iw.assigned, "SECOND": second, "THIRD": third, "CLOSED": iw.closed}
    existing = {
        key: {
            "category": issue.category.code,
            "source": issue.source,
            "raised_on": issue.raised_on,
            "lead_unit": "松江区发改委",
            "co_units": "、".join(unit.name for unit in issue.co_units.all()),
            "deadline": issue.deadline,
            "status": issue.status if key == "CLOSED" else None,
        }
        for key, issue in numbers.items()
    }
    numbers = {key: str(issue.pk) for key, issue in numbers.items()}
    rows = [good]
    for _what, cells, _column in BAD_ROWS:
        number = cells.get("number")
        row = {**good, **existing.get(number, {}), **cells}
        row["number"] = numbers.get(number, number)
        rows.append(row)
    data = xlsx_bytes("issues", rows, headers=BAD_COLUMNS)
    plan = preview(data, iw.sj_coordinator)
    assert errors_at(plan) == {(n, column) for n, (_w, _c, column) in enumerate(BAD_ROWS, start=3)}
    by_row = {e.row: e for e in plan.errors}
    assert by_row[3].message == "No project MH-001 in your scope." and by_row[3].letter == "B"
    assert "choose one of" in by_row[4].message
    assert "moving it needs a reason" in by_row[13].message
    assert "Only an issue that is still being worked on can be assigned." == by_row[15].message

    before = snapshot()
    client = login(iw.sj_coordinator)
    client.post(reverse("exchange:import"), {"kind": "issues", "file": SimpleUploadedFile("bad.xlsx", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    errors_table = body.split('id="row-errors"')[1].split("</table>")[0]
    assert errors_table.count('<tr data-row="') == len(BAD_ROWS)
    assert "Apply:" not in body
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    assert snapshot() == before
    assert not Issue.objects.filter(title="新问题").exists(), "the good first row is not written either"


def test_a_unit_raises_issues_but_does_not_assign_them(login, iw):
    data = csv_bytes(
        "issues",
        [
            {"project": "SJ-001", "title": "塔吊进场受阻", "category": "other"},
            {
                "project": "SJ-001",
                "title": "夜间施工许可",
                "category": "approvals",
                "lead_unit": "松江区发改委",
                "deadline": "2999-01-01",
            },
            {
                "number": iw.unassigned.pk,
                "project": "SJ-001",
                "title": "=用电接入方案待定",
                "category": "utilities",
                "lead_unit": "松江区发改委",
            },
        ],
        headers=["number", "project", "title", "category", "lead_unit", "deadline"],
    )
    plan = preview(data, iw.owner, "issues.csv")
    assert errors_at(plan) == {(3, "lead_unit"), (4, "lead_unit")}
    assert "takes a coordinator" in plan.errors[0].message
    assert plan.errors[1].message == "You may not assign issues."
    apply(xlsx_bytes("issues", [{"project": "SJ-001", "title": "塔吊进场受阻", "category": "other"}]), iw.owner)
    issue = Issue.objects.get(title="塔吊进场受阻")
    assert issue.raised_by == iw.owner and issue.lead_unit is None


def test_a_viewer_may_not_import_issues(login, iw):
    client = login(iw.viewer)
    assert client.get(reverse("exchange:import-template", args=["issues"])).status_code == 403
    data = xlsx_bytes("issues", [{"project": "SJ-001", "title": "x", "category": "other"}])
    assert (
        client.post(
            reverse("exchange:import"), {"kind": "issues", "file": SimpleUploadedFile("i.xlsx", data)}
        ).status_code
        == 403
    )
    assert not ImportJob.objects.exists()


def test_the_template_explains_every_column_and_offers_lists(login, iw):
    response = login(iw.sj_coordinator).get(reverse("exchange:import-template", args=["issues"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    worksheet = workbook.worksheets[0]
    assert [c.value for c in worksheet[1]] == [c.en for c in ISSUE_SHEET.columns]
    comments = {c.value: c.comment.text for c in worksheet[1]}
    assert "Blank: the row raises a new issue" in comments["Issue number"]
    assert "空白的行新建问题" in comments["Issue number"]
    assert "moving it needs" in comments["Deadline"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in workbook[LIST_SHEET].columns}
    assert lists["Issue categories"][0] == "Land" and len(lists["Issue categories"]) == 9
    assert lists["Severities"] == ["normal", "major", "critical"]
    assert "松江区发改委" in lists["Units"]
    validations = {str(v.sqref).split(":")[0]: v for v in worksheet.data_validations.dataValidation}
    assert validations["E2"].type == "list" and validations["H2"].type == "date"


def test_commands_export_and_import_issues(iw, tmp_path):
    target = tmp_path / "issues.xlsx"
    call_command("export", "issues", "-o", str(target), "--language", "zh-hans", stdout=io.StringIO())
    rows = list(openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("问题编号", "项目编号")
    assert len(rows) == 5, "the command writes every issue, closed ones too"
    out = io.StringIO()
    call_command("import", "issues", str(target), "--user", "coord", stdout=out, stderr=io.StringIO())
    assert "0 to create, 0 to update, 4 unchanged, 0 with errors" in out.getvalue()
