"""Helpers of the exchange tests: uploaded files kept in a temporary folder, and sheets made in memory."""

import csv
import io

import openpyxl
import pytest

from groundbreak.exchange.columns import SHEETS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded import files go to a folder of the test, not the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx_bytes(kind: str, rows: list[dict], *, language: str = "en", headers: list[str] | None = None) -> bytes:
    """A workbook with the kind's headers (in `language`) and `rows` given by column key."""
    sheet = SHEETS[kind]
    keys = headers or [c.key for c in sheet.columns]
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.append([sheet.column(k).header(language) for k in keys])
    for row in rows:
        worksheet.append([row.get(k) for k in keys])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv_bytes(kind: str, rows: list[dict], *, language: str = "en", encoding: str = "utf-8-sig", headers=None) -> bytes:
    sheet = SHEETS[kind]
    keys = headers or [c.key for c in sheet.columns]
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([sheet.column(k).header(language) for k in keys])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in keys])
    return text.getvalue().encode(encoding)


@pytest.fixture
def rich_world(world):
    """The `world` with every column of a project filled in, a phase, and nodes in every state."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from groundbreak.org.choices import AreaKind
    from groundbreak.portfolio.choices import Stage
    from groundbreak.portfolio.models import Project
    from groundbreak.schedule.models import Replan
    from tests.factories import AreaFactory, MilestoneFactory, PersonFactory, ProjectFactory, kind, reason

    today = timezone.localdate()
    world.zone = AreaFactory(name="G60科创走廊", name_en="G60 corridor", kind=AreaKind.ZONE, parent=world.songjiang)
    world.contact = PersonFactory(name="李华", title="项目经理", unit=world.enterprise)
    Project.objects.filter(pk=world.sj_project.pk).update(
        investment_code="2022-310117-47-01-012345",
        industry="数字经济",
        zone=world.zone,
        address="松江区广富林路 100 号",
        latitude=Decimal("31.032100"),
        longitude=Decimal("121.227700"),
        responsible_person=world.contact,
        stage=Stage.CONSTRUCTION,
        total_investment=Decimal("3500000000.50"),
        planned_start=datetime.date(2022, 3, 1),
        planned_end=datetime.date(2025, 12, 31),
        description="建设 12 栋研发楼，\n总建筑面积 60 万平方米。",
    )
    world.sj_project.refresh_from_db()
    world.phase = ProjectFactory(
        code="SJ-001-2", name="G60科创云廊二期东区", area=world.songjiang, parent=world.sj_project, planned_end=None
    )
    world.met = MilestoneFactory(
        project=world.sj_project,
        kind=kind("project_filing"),
        planned_date=today - datetime.timedelta(days=300),
        actual_date=today - datetime.timedelta(days=290),
        document_number="松发改〔2022〕12号",
        responsible_unit=world.sj_bureau,
    )
    world.replanned = MilestoneFactory(
        project=world.sj_project,
        kind=kind("topping_out"),
        name="主体结构封顶",
        baseline_date=today + datetime.timedelta(days=30),
        planned_date=today + datetime.timedelta(days=60),
        replan_count=1,
    )
    Replan.objects.create(
        milestone=world.replanned,
        old_date=world.replanned.baseline_date,
        new_date=world.replanned.planned_date,
        reason=reason(),
    )
    world.open_node = MilestoneFactory(project=world.mh_project, kind=kind("land_handover"))
    return world
