"""Every derived figure against values worked out by hand on a small dataset.

The Songjiang project reports, in yuan:
    December 2024   1,000,000.00   accepted
    January  2025   2,000,000.00   accepted
    February 2025   3,500,000.50   accepted
    March    2025   1,200,000.00   submitted, not accepted
Its 2025 plan is 40,000,000.00 on two key lists (the same plan, so it counts once), and
10,000,000.00 on a 2024 list.
"""

import datetime
from decimal import Decimal

import pytest

from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.reporting.figures import (
    investment_figures,
    investment_status,
    percent,
    report_indicators,
    with_indicator_progress,
    with_running_totals,
)
from groundbreak.reporting.models import Indicator, Report, ReportingLightSettings, year_fraction
from tests.factories import IndicatorFactory, KeyListFactory
from tests.reporting.conftest import accept, accepted_month, fill, open_month, report_of


@pytest.fixture
def series(rp):
    project, area = rp.sj_project, rp.songjiang
    for year, plan in ((2025, "40000000.00"), (2025, "40000000.00"), (2024, "10000000.00")):
        KeyListMembership.objects.create(
            key_list=KeyListFactory(year=year, area=rp.city), project=project, annual_investment_plan=Decimal(plan)
        )
    rp.dec = accepted_month(area, project, 2024, 12, "1000000.00")
    rp.jan = accepted_month(area, project, 2025, 1, "2000000.00")
    rp.feb = accepted_month(area, project, 2025, 2, "3500000.50")
    rp.mar = fill(report_of(open_month(area, 2025, 3, projects=[project]), project), "1200000.00")
    return rp


def figures_of(project, year):
    return (
        Project.objects.filter(pk=project.pk)
        .annotate(**investment_figures(year))
        .values("plan", "ytd", "since_start", "as_of", "time_share")[0]
    )


def test_year_fraction_is_days_elapsed_over_days_in_year():
    assert year_fraction(datetime.date(2025, 2, 28)) == Decimal("0.161644")  # 59 / 365 = 0.1616438…
    assert year_fraction(datetime.date(2025, 3, 31)) == Decimal("0.246575")  # 90 / 365 = 0.2465753…
    assert year_fraction(datetime.date(2024, 3, 31)) == Decimal("0.248634")  # 91 / 366 (leap) = 0.2486338…
    assert year_fraction(datetime.date(2025, 12, 31)) == Decimal("1.000000")


def test_year_to_date_and_since_start_of_each_report(series):
    rows = {r.pk: r for r in with_running_totals(Report.objects.filter(project=series.sj_project))}
    # December 2024: first report, alone in its year.
    assert rows[series.dec.pk].ytd == Decimal("1000000.00")
    assert rows[series.dec.pk].since_start == Decimal("1000000.00")
    # January 2025: a new year starts; since start carries December: 1,000,000 + 2,000,000.
    assert rows[series.jan.pk].ytd == Decimal("2000000.00")
    assert rows[series.jan.pk].since_start == Decimal("3000000.00")
    # February: 2,000,000 + 3,500,000.50 = 5,500,000.50; since start 6,500,000.50.
    assert rows[series.feb.pk].ytd == Decimal("5500000.50")
    assert rows[series.feb.pk].since_start == Decimal("6500000.50")
    # March, not accepted yet: the accepted earlier rounds plus its own figure:
    # 5,500,000.50 + 1,200,000 = 6,700,000.50 and 6,500,000.50 + 1,200,000 = 7,700,000.50.
    assert rows[series.mar.pk].ytd == Decimal("6700000.50")
    assert rows[series.mar.pk].since_start == Decimal("7700000.50")


def test_project_figures_count_accepted_reports_only(series):
    figures = figures_of(series.sj_project, 2025)
    assert figures["plan"] == Decimal("40000000.00")  # two lists, one plan
    assert figures["ytd"] == Decimal("5500000.50")  # March is not accepted: not counted
    assert figures["since_start"] == Decimal("6500000.50")
    assert figures["as_of"] == datetime.date(2025, 2, 28)
    assert figures["time_share"] == Decimal("0.161644")
    assert figures_of(series.sj_project, 2024)["plan"] == Decimal("10000000.00")
    assert figures_of(series.sj_project, 2024)["ytd"] == Decimal("1000000.00")


def test_completion_rate_against_time_proportional_target(series):
    status = investment_status(figures_of(series.sj_project, 2025), ReportingLightSettings())
    # 5,500,000.50 / 40,000,000 = 13.7500…% → 13.8; 序时进度 0.161644 → 16.2%.
    assert status["rate"] == Decimal("13.8")
    assert status["time_progress"] == Decimal("16.2")
    # 16.1644 − 13.7500013 = 2.4144 points behind: within 10 points, green.
    assert status["gap"] == Decimal("2.4")
    assert status["light"] == "green"


def test_accepting_march_moves_the_figures(series):
    accept(series.mar)
    figures = figures_of(series.sj_project, 2025)
    assert figures["ytd"] == Decimal("6700000.50")
    assert figures["as_of"] == datetime.date(2025, 3, 31)
    status = investment_status(figures, ReportingLightSettings())
    # 6,700,000.50 / 40,000,000 = 16.75001% → 16.8; 90/365 = 24.6575%; gap 7.9075 → green.
    assert status["rate"] == Decimal("16.8")
    assert status["time_progress"] == Decimal("24.7")
    assert status["gap"] == Decimal("7.9")


def test_a_parent_adds_up_its_phases(series):
    from tests.factories import ProjectFactory

    phase = ProjectFactory(code="SJ-001-2", parent=series.sj_project, area=series.songjiang, stage="construction")
    accepted_month(series.songjiang, phase, 2025, 4, "250000.00")
    # 5,500,000.50 + 250,000 = 5,750,000.50.
    assert figures_of(series.sj_project, 2025)["ytd"] == Decimal("5750000.50")
    assert figures_of(phase, 2025)["ytd"] == Decimal("250000.00")


def test_percent_rounds_to_one_decimal():
    assert percent(Decimal("2"), Decimal("3")) == Decimal("66.7")
    assert percent(None, Decimal("3")) is None
    assert percent(Decimal("2"), None) is None


# ---- indicators -------------------------------------------------------------------------------


@pytest.fixture
def green(rp):
    """Forest 650 mu, greenways 30 km, and a 20-park target due at the end of March."""
    project = rp.sj_project
    rp.forest = IndicatorFactory(project=project, name="新增森林", unit="mu", target=650, year=2025)
    rp.greenway = IndicatorFactory(project=project, name="新建绿道", unit="km", target=30, year=2025)
    rp.parks = IndicatorFactory(
        project=project, name="口袋公园", unit="count", target=20, year=2025, target_date=datetime.date(2025, 3, 31)
    )
    months = [
        (1, {rp.forest: 100, rp.greenway: 12, rp.parks: 5}),
        (2, {rp.forest: 250, rp.greenway: 10, rp.parks: 5}),
        (3, {rp.forest: 300, rp.parks: 10}),
    ]
    for month, values in months:
        accepted_month(rp.songjiang, project, 2025, month, "100", indicators={k: Decimal(v) for k, v in values.items()})
    # April: submitted, not accepted — must not count.
    round = open_month(rp.songjiang, 2025, 4, projects=[project])
    rp.april = fill(report_of(round, project), "100", indicators={rp.greenway: Decimal(8)})
    return rp


def test_indicator_progress_and_met_ahead_of_schedule(green):
    rows = {i.pk: i for i in with_indicator_progress(Indicator.objects.all())}
    forest, greenway, parks = rows[green.forest.pk], rows[green.greenway.pk], rows[green.parks.pk]
    # Forest: 100 + 250 + 300 = 650 of 650 = 100.0%, reached in March (31 March < 31 December: ahead).
    assert forest.achieved == Decimal("650")
    assert percent(forest.achieved, forest.target) == Decimal("100.0")
    assert forest.met_on == datetime.date(2025, 3, 31)
    assert forest.met_on < forest.target_date == datetime.date(2025, 12, 31)
    # Greenways: 12 + 10 = 22 of 30 = 73.3% (April's 8 km is not accepted yet); not met.
    assert greenway.achieved == Decimal("22")
    assert percent(greenway.achieved, greenway.target) == Decimal("73.3")
    assert greenway.met_on is None
    # Parks: 5 + 5 + 10 = 20 reached on 31 March, its own target date: met, not ahead.
    assert parks.met_on == datetime.date(2025, 3, 31) == parks.target_date


def test_indicators_of_a_report_show_before_and_after(green):
    april = Report.objects.select_related("round").get(pk=green.april.pk)
    rows = {i.pk: i for i in report_indicators(april)}
    # Before April: the accepted 22 km; April's own 8 is added on the page: 30 of 30.
    assert rows[green.greenway.pk].before == Decimal("22")
    assert rows[green.forest.pk].before == Decimal("650")
