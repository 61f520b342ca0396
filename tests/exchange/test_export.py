"""Exports of the project list and its time nodes: scope, filters, language, formats, safety."""

import csv
import datetime
import io

import openpyxl
from django.urls import reverse

from groundbreak.exchange.columns import MILESTONE_SHEET, PROJECT_SHEET
from tests.factories import ProjectFactory, UnitFactory


def _csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def _export(client, kind, fmt, **params):
    response = client.get(reverse("exchange:export", args=[kind, fmt]), params)
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    return response


def test_csv_export_has_the_import_columns_and_the_users_scope(login, rich_world):
    rows = _csv(_export(login(rich_world.sj_coordinator), "projects", "csv"))
    assert rows[0] == [c.en for c in PROJECT_SHEET.columns]
    codes = [r[0] for r in rows[1:]]
    assert codes == ["SJ-001", "SJ-001-2"]
    sj = dict(zip(rows[0], rows[1], strict=True))
    assert sj["Area"] == "Songjiang"
    assert sj["Zone / park"] == "G60 corridor"
    assert sj["Stage"] == "under construction"
    assert sj["Total investment (yuan)"] == "3500000000.50"
    assert sj["Planned start"] == "2022-03-01"
    assert sj["Lead leader"] == "王明"
    assert sj["Description"].startswith("建设 12 栋研发楼，\n")
    phase = dict(zip(rows[0], rows[2], strict=True))
    assert phase["Parent project code"] == "SJ-001"


def test_export_uses_the_list_filters(login, rich_world):
    client = login(rich_world.coordinator)
    all_codes = [r[0] for r in _csv(_export(client, "projects", "csv"))[1:]]
    assert all_codes == ["MH-001", "SJ-001", "SJ-001-2"]
    rows = _csv(_export(client, "projects", "csv", q="云廊"))
    assert [r[0] for r in rows[1:]] == ["SJ-001", "SJ-001-2"]
    rows = _csv(_export(client, "projects", "csv", area=rich_world.minhang.pk))
    assert [r[0] for r in rows[1:]] == ["MH-001"]
    rows = _csv(_export(client, "projects", "csv", stage="construction"))
    assert [r[0] for r in rows[1:]] == ["SJ-001"]
    # Nodes follow the same project filters.
    rows = _csv(_export(client, "milestones", "csv", area=rich_world.minhang.pk))
    assert [r[0] for r in rows[1:]] == ["MH-001"]


def test_xlsx_export_writes_dates_and_numbers_as_such(login, rich_world):
    rows = _xlsx(_export(login(rich_world.coordinator), "projects", "xlsx"))
    header, sj = rows[0], dict(zip(rows[0], rows[2], strict=True))
    assert list(header) == [c.en for c in PROJECT_SHEET.columns]
    assert sj["Planned start"] == datetime.datetime(2022, 3, 1)
    assert sj["Total investment (yuan)"] == 3500000000.5
    assert sj["Latitude"] == 31.0321


def test_milestone_export(login, rich_world):
    rows = _xlsx(_export(login(rich_world.coordinator), "milestones", "xlsx"))
    assert list(rows[0]) == [c.en for c in MILESTONE_SHEET.columns]
    by_kind = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    filing = by_kind["Project filing / approval"]
    assert filing["Project code"] == "SJ-001"
    assert filing["Document number"] == "松发改〔2022〕12号"
    assert filing["Responsible unit"] == "松江区发改委"
    assert isinstance(filing["Actual date"], datetime.datetime)
    topping = by_kind["Topping out"]
    assert topping["Node name"] == "主体结构封顶"
    assert topping["Baseline date"] != topping["Planned date"]


def test_headers_and_names_follow_the_users_language(login, rich_world):
    rich_world.coordinator.language = "zh-hans"
    rich_world.coordinator.save()
    rows = _csv(_export(login(rich_world.coordinator), "projects", "csv"))
    assert rows[0][:2] == ["项目编号", "项目名称"]
    sj = dict(zip(rows[0], rows[2], strict=True))
    assert sj["所属区域"] == "松江区"
    assert sj["项目阶段"] == "在建"


def test_names_shared_by_two_units_are_written_so_they_read_back(login, world):
    twin_sj = UnitFactory(name="建设管理中心", area=world.songjiang)
    UnitFactory(name="建设管理中心", area=world.minhang)
    ProjectFactory(code="SJ-010", area=world.songjiang, responsible_unit=twin_sj)
    rows = _csv(_export(login(world.coordinator), "projects", "csv", q="SJ-010"))
    assert dict(zip(rows[0], rows[1], strict=True))["Responsible unit"] == "Songjiang/建设管理中心"


def test_texts_that_look_like_formulas_stay_text(login, world):
    ProjectFactory(code="SJ-011", name='=HYPERLINK("http://example.com","x")', area=world.songjiang)
    client = login(world.coordinator)
    rows = _csv(_export(client, "projects", "csv", q="SJ-011"))
    assert rows[1][1].startswith("'=")
    workbook = openpyxl.load_workbook(io.BytesIO(_export(client, "projects", "xlsx", q="SJ-011").content))
    cell = workbook.worksheets[0]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_project_list_links_to_the_export_with_its_filters(login, world):
    client = login(world.viewer)
    body = client.get(reverse("portfolio:project-list"), {"q": "云廊", "stage": "reserve"}).content.decode()
    assert 'href="/export/projects.xlsx?q=%E4%BA%91%E5%BB%8A&amp;stage=reserve"' in body
    assert 'href="/export/milestones.csv?q=%E4%BA%91%E5%BB%8A&amp;stage=reserve"' in body
    # After the filters change in place, the links are fetched again with the form's values.
    fragment = client.get(reverse("exchange:export-links"), {"q": "闵行", "stage": ""}).content.decode()
    assert "/export/projects.csv?q=%E9%97%B5%E8%A1%8C&amp;stage=" in fragment
    assert 'hx-include="#project-filter"' in fragment


def test_export_requires_login(client, world):
    response = client.get(reverse("exchange:export", args=["projects", "csv"]))
    assert response.status_code == 302
