"""Reports through spreadsheets: the export of a round's report list, its template, and the import
that fills in drafts through `save_report` and refuses to touch a report already submitted."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from groundbreak.audit.models import ObjectChange
from groundbreak.exchange import importing
from groundbreak.exchange.columns import REPORT_SHEET, SHEETS
from groundbreak.exchange.exporting import export
from groundbreak.exchange.models import ImportJob, ImportStatus
from groundbreak.exchange.reading import read_table
from groundbreak.exchange.templates_xlsx import LIST_SHEET
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.reporting import actions, round_actions
from groundbreak.reporting.models import Report, ReportVersion
from tests.exchange.conftest import csv_bytes, xlsx_bytes
from tests.factories import month_end


def open_month(area, year, month):
    start = datetime.date(year, month, 1)
    return round_actions.open_round(area=area, period_start=start, period_end=month_end(start), by=None)


@pytest.fixture
def rw(world):
    """Two months of the city's reports: February accepted for both projects; in March the
    Songjiang report is a draft filled in part, the Minhang one submitted."""
    Project.objects.filter(pk__in=[world.sj_project.pk, world.mh_project.pk]).update(stage=Stage.CONSTRUCTION)
    world.february = open_month(world.city, 2025, 2)
    for report in world.february.reports.all():
        actions.save_report(
            report=report,
            by=None,
            values={"investment": Decimal("5000000.00"), "physical_progress": Decimal("30.00"), "workers_on_site": 90},
        )
        actions.submit_report(report=report, by=None)
        while report.status != "accepted":
            report = actions.approve_report(report=report, by=None)
    world.march = open_month(world.city, 2025, 3)
    world.sj_march = world.march.reports.get(project=world.sj_project)
    world.mh_march = world.march.reports.get(project=world.mh_project)
    actions.save_report(
        report=world.sj_march,
        by=None,
        values={
            "investment": Decimal("12000000.50"),
            "physical_progress": Decimal("45.50"),
            "progress": "完成主体结构施工，\n开始幕墙安装。",
            "next_steps": "=继续推进",  # text that looks like a formula stays text
            "difficulties": "-拆迁尚未完成",
        },
    )
    actions.save_report(
        report=world.mh_march, by=None, values={"investment": Decimal("800000.00"), "physical_progress": Decimal("10")}
    )
    actions.submit_report(report=world.mh_march, by=None)
    return world


def table(data: bytes, name: str):
    return read_table(SHEETS["reports"], io.BytesIO(data), name)


def preview(data, user, name="reports.xlsx"):
    return importing.preview("reports", table(data, name), user=user)


def exported(fmt, user, **params) -> bytes:
    stream = io.BytesIO()
    export("reports", fmt, stream, user=user, params=params or None)
    return stream.getvalue()


def content(data: bytes, fmt: str) -> list[tuple]:
    """What a person sees in the file: the cells of the data sheet, or the CSV's fields."""
    if fmt == "csv":
        return [tuple(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    return list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def figures():
    return list(ReportVersion.objects.order_by("pk").values()), list(Report.objects.order_by("pk").values())


def errors_at(plan) -> set[tuple[int, str]]:
    return {(e.row, e.key) for e in plan.errors}


# --- round trip -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_round_trip_changes_nothing(rw, fmt, language):
    with translation.override(language):
        first = exported(fmt, rw.admin)
    assert len(content(first, fmt)) == 1 + 4, "both projects' reports of both months"
    before = figures(), ObjectChange.objects.count()
    with translation.override(language):
        plan = preview(first, rw.admin, f"reports.{fmt}")
        assert plan.errors == []
        assert (plan.counts()["create"], plan.counts()["update"], plan.counts()["unchanged"]) == (0, 0, 4)
        _plan, result = importing.apply("reports", table(first, f"reports.{fmt}"), user=rw.admin)
        assert result["update"] == 0
        second = exported(fmt, rw.admin)
    assert (figures(), ObjectChange.objects.count()) == before
    assert content(second, fmt) == content(first, fmt)


def test_round_trip_through_the_import_page_as_the_owner(login, rw):
    client = login(rw.owner)
    response = client.get(reverse("exchange:export", args=["reports", "xlsx"]), {"round": rw.march.pk})
    rows = content(response.content, "xlsx")
    assert [r[0] for r in rows[1:]] == ["SJ-001"], "the owner's own project only"
    client.post(
        reverse("exchange:import"), {"kind": "reports", "file": SimpleUploadedFile("march.xlsx", response.content)}
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY
    assert job.preview["counts"] | {"rows": 1} == {
        "rows": 1,
        "create": 0,
        "update": 0,
        "unchanged": 1,
        "errors": 0,
        "error_rows": 0,
    }
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "there is nothing to change" in body


# --- filling in ----------------------------------------------------------------------------------------


def test_rows_fill_in_a_draft_through_the_report_action(login, rw):
    data = csv_bytes(
        "reports",
        [
            {
                "project": "ＳＪ－００１",  # full-width, as typed with a Chinese input method
                "period": "2025年3月",
                "investment": "1300万",
                "physical_progress": "60%",
                "workers_on_site": "85",
                "difficulties": "",
            }
        ],
        language="zh-hans",
        encoding="gb18030",
        headers=["project", "period", "investment", "physical_progress", "workers_on_site", "difficulties"],
    )
    client = login(rw.owner)
    client.post(reverse("exchange:import"), {"kind": "reports", "file": SimpleUploadedFile("三月.csv", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY and job.preview["counts"]["update"] == 1
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "12000000.50</del> → <ins>13000000.00" in body
    assert ReportVersion.objects.get(report=rw.sj_march).investment == Decimal("12000000.50"), (
        "a preview writes nothing"
    )

    last_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.result["update"] == 1
    report = Report.objects.select_related("working").get(pk=rw.sj_march.pk)
    version = report.working
    assert (version.investment, version.physical_progress, version.workers_on_site) == (
        Decimal("13000000.00"),
        Decimal("60.00"),
        85,
    )
    assert version.difficulties == "", "a blank cell clears the text"
    assert version.progress.startswith("完成主体结构施工"), "a column missing from the file is left alone"
    assert report.status == "draft", "an import fills in; submitting stays on the report page"
    changes = ObjectChange.objects.filter(pk__gt=last_change)
    assert changes.exists() and set(changes.values_list("source", flat=True)) == {"import"}
    assert set(changes.values_list("actor", flat=True)) == {rw.owner.pk}


def test_a_submitted_or_accepted_report_is_not_changed(rw):
    data = xlsx_bytes(
        "reports",
        [
            {"project": "SJ-001", "period": "2025-02", "investment": 5000000, "physical_progress": 30},
            {"project": "SJ-001", "period": "2025-02", "round_area": "Shanghai", "investment": 5100000},
            {
                "project": "MH-001",
                "period": "2025-03",
                "investment": "800000",
                "physical_progress": 10,
                "status": "submitted",
            },
            {"project": "MH-001", "period": "2025-02", "investment": 5000000, "physical_progress": "31"},
        ],
        headers=["project", "period", "round_area", "investment", "physical_progress", "status"],
    )
    plan = preview(data, rw.admin)
    assert errors_at(plan) == {(3, "period"), (5, "physical_progress")}
    assert plan.counts()["unchanged"] == 2
    by_row = {e.row: e for e in plan.errors}
    assert "The same report as row 2" in by_row[3].message
    assert "already submitted (it is “accepted”)" in by_row[5].message
    assert by_row[5].column == "Physical progress (%)" and by_row[5].letter == "E"

    matching = xlsx_bytes(
        "reports",
        [{"project": "SJ-001", "period": "2025-02", "investment": 5000000}],
        headers=["project", "period", "investment"],
    )
    plan = preview(matching, rw.admin)
    assert plan.ok and plan.counts()["unchanged"] == 1, "a row that matches an accepted report is fine"

    changed = xlsx_bytes(
        "reports",
        [{"project": "SJ-001", "period": "2025-02", "investment": 1}],
        headers=["project", "period", "investment"],
    )
    plan = preview(changed, rw.admin)
    assert [(e.row, e.key) for e in plan.errors] == [(2, "investment")]
    assert "already submitted" in plan.errors[0].message


BAD_ROWS = [
    ("project of another district", {"project": "MH-001"}, "project"),
    ("not a period", {"period": "2025-13"}, "period"),
    ("no report for the period", {"period": "2024-01"}, "period"),
    ("progress above 100", {"physical_progress": "150"}, "physical_progress"),
    ("negative workers", {"workers_on_site": "-3"}, "workers_on_site"),
    ("investment not a number", {"investment": "about a million"}, "investment"),
    (
        "status out of date",
        {
            "period": "2025-02",
            "status": "draft",
            "investment": "5000000",
            "physical_progress": 30,
            "workers_on_site": 90,
        },
        "status",
    ),
    ("unknown project", {"project": "NOPE-9"}, "project"),
]
BAD_COLUMNS = ["project", "period", "status", "investment", "physical_progress", "workers_on_site"]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(login, rw):
    good = {"project": "SJ-001", "period": "2025-03", "investment": "12500000"}
    rows = [good] + [{**good, **cells} for _what, cells, _column in BAD_ROWS]
    data = xlsx_bytes("reports", rows, headers=BAD_COLUMNS)
    plan = preview(data, rw.owner)
    assert errors_at(plan) == {(number, column) for number, (_w, _c, column) in enumerate(BAD_ROWS, start=3)}
    by_row = {e.row: e for e in plan.errors}
    assert by_row[3].message == "No project MH-001 in your scope."
    assert by_row[3].letter == "A" and by_row[3].column == "Project code"
    assert "reports are created when a round opens" in by_row[5].message
    assert "is not between 0 and 100" in by_row[6].message

    before = figures(), ObjectChange.objects.count()
    client = login(rw.owner)
    client.post(reverse("exchange:import"), {"kind": "reports", "file": SimpleUploadedFile("bad.xlsx", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    body = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    errors_table = body.split('id="row-errors"')[1].split("</table>")[0]
    assert errors_table.count('<tr data-row="') == len(BAD_ROWS)
    assert "Nothing is saved until every row is right" in body and "Apply:" not in body
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    assert (figures(), ObjectChange.objects.count()) == before, "the good first row is not written either"


@pytest.mark.parametrize(
    "period",
    [
        "2025-03",
        "2025/3",
        "2025.03",
        "202503",
        "2025年3月",
        "２０２５－０３",
        datetime.datetime(2025, 3, 1),
        "2025-03-01 – 2025-03-31",
    ],
)
def test_periods_are_read_in_the_ways_people_write_them(rw, period):
    data = xlsx_bytes("reports", [{"project": "SJ-001", "period": period}], headers=["project", "period"])
    plan = preview(data, rw.owner)
    assert plan.ok and plan.counts()["unchanged"] == 1


def test_a_coordinator_exports_reports_but_fills_in_none(login, rw):
    client = login(rw.coordinator)
    response = client.get(
        reverse("exchange:export", args=["reports", "csv"]), {"round": rw.march.pk, "status": "submitted"}
    )
    rows = content(response.content, "csv")
    assert rows[0] == tuple(c.en for c in REPORT_SHEET.columns)
    assert [r[0] for r in rows[1:]] == ["MH-001"], "the list's filters apply"
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Period"] == "2025-03" and record["Round area"] == "Shanghai"
    assert record["Report status"] == "submitted" and record["Investment this period (yuan)"] == "800000.00"
    assert client.get(reverse("exchange:import-template", args=["reports"])).status_code == 403
    page = client.get(reverse("exchange:import")).content.decode()
    assert 'value="reports"' not in page


def test_a_scoped_export_leaves_other_districts_out(login, rw):
    rows = content(login(rw.sj_coordinator).get(reverse("exchange:export", args=["reports", "xlsx"])).content, "xlsx")
    assert {r[0] for r in rows[1:]} == {"SJ-001"}
    assert len(rows) == 3, "February and March"
    sj = {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert sj["2025-03"]["Investment this period (yuan)"] == 12000000.5
    assert sj["2025-03"]["Next steps"] == "=继续推进"
    assert sj["2025-03"]["Progress this period"] == "完成主体结构施工，\n开始幕墙安装。"


def test_the_round_page_links_to_the_export_of_its_filtered_reports(login, rw):
    body = login(rw.coordinator).get(reverse("reporting:round-detail", args=[rw.march.pk]), {"status": "draft"})
    html = body.content.decode()
    assert f'href="/export/reports.xlsx?status=draft&amp;round={rw.march.pk}"' in html
    assert f'href="/export/reports.csv?status=draft&amp;round={rw.march.pk}"' in html
    assert "/export/projects.xlsx" not in html


def test_the_template_explains_every_column_and_offers_lists(login, rw):
    response = login(rw.owner).get(reverse("exchange:import-template", args=["reports"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    worksheet = workbook.worksheets[0]
    headers = [c.value for c in worksheet[1]]
    assert headers == [c.en for c in REPORT_SHEET.columns]
    comments = {c.value: c.comment.text for c in worksheet[1]}
    assert "never creates one" in comments["Project code"] and "不新建报告" in comments["Project code"]
    assert "corrected on its page" in comments["Report status"]
    validations = {str(v.sqref).split(":")[0]: v for v in worksheet.data_validations.dataValidation}
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in workbook[LIST_SHEET].columns}
    assert lists["Report statuses"] == ["draft", "submitted", "reviewed", "accepted", "returned"]
    assert lists["Areas"][:3] == ["Shanghai", "Songjiang", "Minhang"]
    assert validations["E2"].type == "list" and "$B$2:$B$6" in validations["E2"].formula1
    assert validations["G2"].type == "decimal" and validations["G2"].formula2 == "100"
    assert validations["H2"].type == "whole"


def test_commands_export_and_import_reports(rw, tmp_path):
    target = tmp_path / "reports.csv"
    call_command("export", "reports", "-o", str(target), "--language", "en", stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 5
    out = io.StringIO()
    call_command("import", "reports", str(target), "--user", "admin", stdout=out, stderr=io.StringIO())
    assert "0 to create, 0 to update, 4 unchanged, 0 with errors" in out.getvalue()
