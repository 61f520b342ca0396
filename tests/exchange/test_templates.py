"""The downloadable import templates: headers with explanations, drop-down lists, date formats."""

import io

import openpyxl
import pytest
from django.urls import reverse

from groundbreak.exchange.columns import SHEETS
from groundbreak.exchange.templates_xlsx import LIST_SHEET


def _template(client, kind):
    response = client.get(reverse("exchange:import-template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"{kind}-template.xlsx" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _validations(worksheet) -> dict[str, object]:
    """Column letter → its data validation."""
    found = {}
    for validation in worksheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.coord.rstrip("0123456789").split(":")[0].rstrip("0123456789")] = validation
    return found


def _list_values(workbook, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    assert sheet_name.strip("'") == LIST_SHEET
    worksheet = workbook[LIST_SHEET]
    return [c.value for row in worksheet[cells.replace("$", "")] for c in row]


@pytest.mark.parametrize("kind", ["projects", "milestones"])
def test_every_template_opens_with_headers_comments_and_validations(login, world, kind):
    workbook = _template(login(world.coordinator), kind)
    sheet = SHEETS[kind]
    data = workbook.worksheets[0]
    assert [c.value for c in data[1]] == [c.en for c in sheet.columns]
    for cell, column in zip(data[1], sheet.columns, strict=True):
        # Each header explains itself in both languages.
        assert cell.comment is not None
        assert column.zh in cell.comment.text and column.en in cell.comment.text
    assert workbook[LIST_SHEET].sheet_state == "hidden"
    validations = _validations(data)
    for index, column in enumerate(sheet.columns):
        letter = openpyxl.utils.get_column_letter(index + 1)
        if column.choices:
            assert validations[letter].type == "list", column.key
            assert _list_values(workbook, validations[letter].formula1), column.key
        if column.type == "date":
            assert validations[letter].type == "date"
            assert data.column_dimensions[letter].number_format == "yyyy-mm-dd"


def test_project_template_lists_stages_categories_areas_units_and_leaders(login, world):
    workbook = _template(login(world.coordinator), "projects")
    data = workbook.worksheets[0]
    validations = _validations(data)
    letters = {c.key: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(SHEETS["projects"].columns)}

    def values(key):
        return _list_values(workbook, validations[letters[key]].formula1)

    assert values("stage")[0] == "reserve" and "full production" in values("stage")
    assert "industrial" in values("category")
    assert {"Shanghai", "Songjiang", "Minhang"} <= set(values("area"))
    assert {"松江区发改委", "闵行区发改委", "上海云廊建设有限公司"} <= set(values("owner_unit"))
    assert values("lead_leader") == ["王明"]
    assert values("zone") == values("area")
    assert values("responsible_unit") == values("owner_unit")


def test_district_coordinator_is_offered_only_the_areas_of_the_district(login, world):
    workbook = _template(login(world.sj_coordinator), "projects")
    validations = _validations(workbook.worksheets[0])
    areas = _list_values(workbook, validations["G"].formula1)
    assert areas == ["Songjiang"]


def test_milestone_template_lists_node_kinds(login, world):
    workbook = _template(login(world.coordinator), "milestones")
    validations = _validations(workbook.worksheets[0])
    kinds = _list_values(workbook, validations["B"].formula1)
    assert "Groundbreaking" in kinds and "Topping out" in kinds


def test_template_headers_follow_the_users_language(login, world):
    world.coordinator.language = "zh-hans"
    world.coordinator.save()
    workbook = _template(login(world.coordinator), "projects")
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers[:3] == ["项目编号", "项目名称", "英文名称"]
    validations = _validations(workbook.worksheets[0])
    assert "在建" in _list_values(workbook, validations["P"].formula1)


def test_viewer_cannot_download_templates(login, world):
    client = login(world.viewer)
    assert client.get(reverse("exchange:import-template", args=["projects"])).status_code == 403
