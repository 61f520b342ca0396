"""`groundbreak export` and `groundbreak import` on the command line."""

import csv
import io
import sys
import types

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from groundbreak.audit.models import ObjectChange
from groundbreak.portfolio.models import Project
from tests.exchange.conftest import csv_bytes, xlsx_bytes

NEW = {"name": "新项目", "category": "industrial", "area": "Songjiang"}


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_projects_writes_every_project_in_the_chosen_language(rich_world, tmp_path):
    target = tmp_path / "projects.xlsx"
    out, _err = run("export", "projects", "-o", str(target), "--language", "zh-hans")
    assert "Wrote" in out
    rows = list(openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("项目编号", "项目名称")
    assert [r[0] for r in rows[1:]] == ["MH-001", "SJ-001", "SJ-001-2"]

    target = tmp_path / "projects.csv"
    run("export", "projects", "-o", str(target), "--language", "en")
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:2] == ["Project code", "Project name"]
    assert dict(zip(rows[0], rows[2], strict=True))["Area"] == "Songjiang"


def test_export_milestones(rich_world, tmp_path):
    target = tmp_path / "nodes.csv"
    run("export", "milestones", "-o", str(target), "--language", "en")
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Project code" and len(rows) == 4


def test_export_refuses_an_unknown_file_type(world, tmp_path):
    with pytest.raises(CommandError, match=r"\.xlsx or \.csv"):
        run("export", "projects", "-o", str(tmp_path / "projects.pdf"))


@pytest.mark.parametrize(
    ("kind", "module", "function"),
    [
        ("oc4ids", "groundbreak.exchange.oc4ids", "write_package"),
        ("geojson", "groundbreak.exchange.geojson", "write_geojson"),
    ],
)
def test_export_hands_open_data_to_its_writers(world, tmp_path, monkeypatch, kind, module, function):
    written = []
    fake = types.ModuleType(module)
    setattr(fake, function, written.append)
    monkeypatch.setitem(sys.modules, module, fake)
    target = str(tmp_path / f"out.{kind}")
    run("export", kind, "-o", target)
    assert written == [target]


def test_import_previews_without_writing_and_applies_with_apply(rich_world, tmp_path):
    path = tmp_path / "new.xlsx"
    path.write_bytes(xlsx_bytes("projects", [{"code": "SJ-050", **NEW}], headers=["code", *NEW]))
    out, _err = run("import", "projects", str(path))
    assert "1 to create" in out and "Create row 2: SJ-050" in out
    assert not Project.objects.filter(code="SJ-050").exists()
    out, _err = run("import", "projects", str(path), "--apply")
    assert "Applied: 1 created" in out
    assert Project.objects.filter(code="SJ-050").exists()
    assert ObjectChange.objects.filter(object_repr__contains="新项目").get().source == "import"


def test_import_prints_row_errors_and_exits_non_zero(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("projects", [{"code": "SJ-051", **NEW, "category": "航天"}]))
    with pytest.raises(CommandError, match="1 row"):
        run("import", "projects", str(path), "--apply")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "projects", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 2 · E Category: Unknown category “航天”" in err.getvalue()
    assert not Project.objects.filter(code="SJ-051").exists()


def test_import_as_a_user_keeps_to_their_scope(world, tmp_path):
    path = tmp_path / "mh.csv"
    path.write_bytes(csv_bytes("projects", [{"code": "MH-052", **NEW, "area": "Minhang"}]))
    with pytest.raises(CommandError):
        run("import", "projects", str(path), "--apply", "--user", "sj-coord")
    assert not Project.objects.filter(code="MH-052").exists()
    run("import", "projects", str(path), "--apply", "--user", "coord")
    assert Project.objects.filter(code="MH-052").exists()
    with pytest.raises(CommandError, match="No active user"):
        run("import", "projects", str(path), "--user", "nobody")


def test_round_trip_through_the_command_line_changes_nothing(rich_world, tmp_path):
    for kind in ("projects", "milestones"):
        target = tmp_path / f"{kind}.xlsx"
        run("export", kind, "-o", str(target))
        out, _err = run("import", kind, str(target))
        assert "0 to create, 0 to update" in out and "0 with errors" in out
