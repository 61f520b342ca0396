"""A small set of books for the insight tests: plans on two key lists and two months of accepted
reports, on a frozen day (see test_investment.py for the figures worked out by hand)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from groundbreak.portfolio.choices import Category, Stage
from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.reporting.models import Report
from tests.factories import IssueFactory, KeyListFactory, MilestoneFactory, PersonFactory, ProjectFactory, UnitFactory
from tests.reporting.conftest import accept, fill, open_month, report_of

TODAY = datetime.date(2025, 3, 20)


def freeze(monkeypatch) -> datetime.date:
    """Today is TODAY for every page and action; conversions of given datetimes still work."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


@pytest.fixture
def books(world, frozen):
    return make_books(world)


def make_books(w):
    """The books of the module docstring of test_investment.py, on the world's personas."""
    w.leader2 = PersonFactory(name="李强", title="闵行区副区长", is_leader=True)
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    common = {"stage": Stage.CONSTRUCTION, "planned_start": start, "planned_end": end}
    Project.objects.filter(pk=w.sj_project.pk).update(category=Category.INDUSTRIAL, **common)
    Project.objects.filter(pk=w.mh_project.pk).update(category=Category.LIVELIHOOD, lead_leader=w.leader2, **common)
    w.mh3 = ProjectFactory(
        code="MH-003", area=w.minhang, category=Category.INDUSTRIAL, lead_leader=w.leader2,
        responsible_unit=w.mh_bureau, **common,
    )  # fmt: skip
    w.mh4 = ProjectFactory(
        code="MH-004", area=w.minhang, category=Category.ECOLOGY, responsible_unit=w.mh_bureau, **common
    )
    w.list_a = KeyListFactory(name="2025年市重大项目", year=2025, level="municipal", area=w.city)
    w.list_b = KeyListFactory(name="2025年区重点项目", year=2025, level="district", area=w.city)
    for key_list, project, plan in (
        (w.list_a, w.sj_project, "12000000"),
        (w.list_b, w.sj_project, "12000000"),
        (w.list_a, w.mh_project, "8000000"),
        (w.list_b, w.mh3, "4000000"),
    ):
        KeyListMembership.objects.create(key_list=key_list, project=project, annual_investment_plan=Decimal(plan))
    # A 2024 plan never counts in 2025.
    KeyListMembership.objects.create(
        key_list=KeyListFactory(year=2024, area=w.city), project=w.mh4, annual_investment_plan=Decimal("9000000")
    )

    def month(area, number, figures):
        round = open_month(area, 2025, number, projects=list(figures))
        for project, amount in figures.items():
            if amount is not None:
                accept(fill(report_of(round, project), amount))
        return round

    month(w.songjiang, 1, {w.sj_project: "1000000"})
    w.sj_feb = month(w.songjiang, 2, {w.sj_project: "2000000"})
    month(w.minhang, 1, {w.mh_project: "200000", w.mh4: "700000"})
    w.mh_feb = month(w.minhang, 2, {w.mh_project: "320000", w.mh3: "100000", w.mh4: None})
    return w


def grow(w, n: int) -> None:
    """`n` more projects, each with its own leader, unit, key list, accepted February report, an
    overdue node and an overdue issue with a co-unit: the data a dashboard must not loop over."""
    categories = list(Category.values)
    for i in range(n):
        area = w.songjiang if i % 2 else w.minhang
        unit = UnitFactory(area=area)
        project = ProjectFactory(
            area=area,
            category=categories[i % len(categories)],
            stage=Stage.CONSTRUCTION,
            planned_start=datetime.date(2025, 1, 1),
            planned_end=datetime.date(2025, 3, 1),
            lead_leader=PersonFactory(is_leader=True),
            responsible_unit=unit,
        )
        KeyListMembership.objects.create(
            key_list=KeyListFactory(year=2025, area=w.city), project=project, annual_investment_plan=Decimal("1000000")
        )
        report = Report.objects.create(round=w.sj_feb if i % 2 else w.mh_feb, project=project)
        if i % 3:
            accept(fill(report, "50000"))
        MilestoneFactory(project=project, planned_date=TODAY - datetime.timedelta(days=i + 1))
        issue = IssueFactory(
            project=project,
            lead_unit=unit,
            raised_on=TODAY - datetime.timedelta(days=30),
            deadline=TODAY - datetime.timedelta(days=1),
        )
        issue.co_units.add(w.sj_bureau)
