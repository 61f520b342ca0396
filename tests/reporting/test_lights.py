"""The reporting rules of the project light at their boundaries.

Investment: yellow when 10 to 30 points behind the time-proportional target, red beyond 30.
With a December round the share of the year elapsed is exactly 1, so with a plan of 100.00 the
completion rate in points is the year-to-date figure itself.
"""

import datetime
from decimal import Decimal

import pytest

from groundbreak.portfolio.choices import Stage, Status
from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.reporting.lights import months_before
from groundbreak.reporting.models import ReportingLightSettings
from tests.factories import KeyListFactory, ProjectFactory
from tests.reporting.conftest import accepted_month, fill, open_month, report_of

YEAR_END = datetime.date(2025, 12, 31)


def light(project, today):
    return Project.objects.with_light(today=today, live=True).get(pk=project.pk).light


def planned(rp, plan, year=2025):
    KeyListMembership.objects.create(
        key_list=KeyListFactory(year=year, area=rp.city), project=rp.sj_project, annual_investment_plan=Decimal(plan)
    )


@pytest.mark.parametrize(
    ("ytd", "expected"),
    [
        ("90.01", "green"),  # 100 − 90.01 = 9.99 points behind
        ("90.00", "yellow"),  # exactly 10 points behind
        ("70.00", "yellow"),  # exactly 30 points behind
        ("69.99", "red"),  # 30.01 points behind
        ("120.00", "green"),  # ahead of plan
    ],
)
def test_investment_behind_plan_at_the_boundaries(rp, ytd, expected):
    planned(rp, "100.00")
    accepted_month(rp.songjiang, rp.sj_project, 2025, 12, ytd)
    assert light(rp.sj_project, YEAR_END) == expected


@pytest.mark.parametrize(("ytd", "expected"), [("395892", "green"), ("395888", "yellow")])
def test_investment_share_of_the_year_at_the_end_of_june(rp, ytd, expected):
    # 30 June 2025: 181 / 365 = 0.495890 of the year. Plan 1,000,000: 10 points behind means
    # 1,000,000 × (0.495890 − 0.10) = 395,890; a yuan either side keeps clear of the boundary.
    planned(rp, "1000000")
    accepted_month(rp.songjiang, rp.sj_project, 2025, 6, ytd)
    assert light(rp.sj_project, datetime.date(2025, 7, 10)) == expected


def test_thresholds_are_settings(rp):
    planned(rp, "100.00")
    accepted_month(rp.songjiang, rp.sj_project, 2025, 12, "85.00")  # 15 points behind
    assert light(rp.sj_project, YEAR_END) == "yellow"
    ReportingLightSettings.objects.create(investment_yellow_points=20, investment_red_points=40)
    assert light(rp.sj_project, YEAR_END) == "green"
    ReportingLightSettings.objects.update(investment_yellow_points=5, investment_red_points=12)
    assert light(rp.sj_project, YEAR_END) == "red"


def test_rule_is_silent_without_plan_accepted_report_or_for_other_years(rp):
    accepted_month(rp.songjiang, rp.sj_project, 2025, 12, "1.00")
    assert light(rp.sj_project, YEAR_END) == "green"  # no plan
    planned(rp, "100.00", year=2024)
    assert light(rp.sj_project, YEAR_END) == "green"  # last year's plan does not bind this year
    planned(rp, "100.00")
    assert light(rp.sj_project, YEAR_END) == "red"
    assert light(rp.sj_project, datetime.date(2026, 1, 15)) == "green"  # a new year, nothing accepted yet


def test_submitted_report_does_not_count_until_accepted(rp):
    planned(rp, "100.00")
    accepted_month(rp.songjiang, rp.sj_project, 2025, 11, "50.00")
    # As of November (334/365 = 0.915068): 91.5 − 50 = 41.5 points behind: red.
    assert light(rp.sj_project, YEAR_END) == "red"
    december = open_month(rp.songjiang, 2025, 12, projects=[rp.sj_project])
    fill(report_of(december, rp.sj_project), "45.00")
    assert light(rp.sj_project, YEAR_END) == "red"


def test_paused_project_is_not_judged_on_investment(rp):
    planned(rp, "100.00")
    accepted_month(rp.songjiang, rp.sj_project, 2025, 12, "10.00")
    Project.objects.filter(pk=rp.sj_project.pk).update(status=Status.PAUSED)
    assert light(rp.sj_project, YEAR_END) != "red"


# ---- planned start passed without construction -------------------------------------------------

TODAY = datetime.date(2025, 11, 25)


@pytest.mark.parametrize(
    ("start", "stage", "expected"),
    [
        (TODAY, Stage.LANDED, "green"),  # starts today: not late yet
        (TODAY - datetime.timedelta(days=1), Stage.LANDED, "yellow"),
        (datetime.date(2025, 8, 25), Stage.SIGNED, "yellow"),  # exactly three months ago
        (datetime.date(2025, 8, 24), Stage.SIGNED, "red"),  # more than three months ago
        (datetime.date(2025, 1, 1), Stage.CONSTRUCTION, "green"),  # started
        (datetime.date(2025, 1, 1), Stage.RESERVE, "green"),  # the reserve pool's dates are wishes
    ],
)
def test_planned_start_passed_without_construction(db, start, stage, expected):
    project = ProjectFactory(planned_start=start, stage=stage)
    assert light(project, TODAY) == expected


def test_start_threshold_is_a_setting(db):
    project = ProjectFactory(planned_start=datetime.date(2025, 9, 30), stage=Stage.LANDED)
    assert light(project, TODAY) == "yellow"
    ReportingLightSettings.objects.create(start_red_months=1)
    assert light(project, TODAY) == "red"


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(datetime.date(2025, 11, 25), 3) == datetime.date(2025, 8, 25)
    assert months_before(datetime.date(2025, 5, 31), 3) == datetime.date(2025, 2, 28)
    assert months_before(datetime.date(2025, 2, 15), 3) == datetime.date(2024, 11, 15)


def test_light_explains_itself_on_the_project_page(rp, client):
    from django.urls import reverse

    Project.objects.filter(pk=rp.sj_project.pk).update(stage=Stage.LANDED, planned_start=datetime.date(2020, 1, 1))
    client.force_login(rp.coordinator)
    body = client.get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    assert "the planned start has passed and construction has not begun" in body
