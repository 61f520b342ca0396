"""Reporting on top of the shared personas: the Songjiang project is under construction, owned by
the enterprise (login "owner"), under the Songjiang bureau (login "sj-unit")."""

import datetime
from decimal import Decimal

import pytest

from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import Project
from groundbreak.reporting import actions, round_actions
from groundbreak.reporting.models import Report
from tests.factories import month_end


@pytest.fixture
def rp(world):
    Project.objects.filter(pk__in=[world.sj_project.pk, world.mh_project.pk]).update(stage=Stage.CONSTRUCTION)
    world.sj_project.refresh_from_db()
    world.mh_project.refresh_from_db()
    return world


def open_month(area, year: int, month: int, *, due_days: int = 5, projects=None):
    """The month's round of `area`, opened by the system."""
    start = datetime.date(year, month, 1)
    end = month_end(start)
    return round_actions.open_round(
        area=area,
        period_start=start,
        period_end=end,
        due_on=end + datetime.timedelta(days=due_days),
        projects=projects,
        by=None,
    )


def report_of(round, project) -> Report:
    return Report.objects.get(round=round, project=project)


def fill(report, investment, *, progress="50", workers=None, by=None, indicators=None, **texts) -> Report:
    actions.save_report(
        report=report,
        by=by,
        values={
            "investment": Decimal(investment),
            "physical_progress": Decimal(progress),
            "workers_on_site": workers,
            **texts,
        },
        indicator_values=indicators,
    )
    return actions.submit_report(report=report, by=by)


def accept(report) -> Report:
    """Approve at every level, as the system."""
    report.refresh_from_db()
    while report.status != "accepted":
        report = actions.approve_report(report=report, by=None)
    return report


def accepted_month(area, project, year: int, month: int, investment, **kwargs) -> Report:
    round = open_month(area, year, month, projects=[project])
    return accept(fill(report_of(round, project), investment, **kwargs))
