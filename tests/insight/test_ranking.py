"""The dashboard's area ranking (比学赶超) counts a project under its district and under its zone,
once when both lie in the same ranking area — as the project list's area filter does.

On the books of test_investment.py (today 20 March 2025, time-proportional target 16.2 %), a zone
of Songjiang, 松江经开区, holds two projects:

    project  district   zone         ranking areas        plan 2025    accepted Jan + Feb
    SJ-001   Songjiang  Songjiang's  Songjiang (once)     12,000,000   1,000,000 + 2,000,000
    MH-001   Minhang    —            Minhang               8,000,000     200,000 +   320,000
    MH-003   Minhang    Songjiang's  Minhang, Songjiang    4,000,000           — +   100,000
    MH-004   Minhang    —            Minhang                       —     700,000 + (missing)

All four are under construction, due to start on 1 January 2025, due to complete at the end of
the year.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from groundbreak.coordination.choices import IssueStatus
from groundbreak.org.choices import AreaKind
from groundbreak.portfolio.models import Project
from tests.factories import AreaFactory, IssueFactory, MilestoneFactory, kind
from tests.insight.conftest import TODAY

DAY = datetime.timedelta(days=1)


@pytest.fixture
def zoned(books):
    books.sj_zone = AreaFactory(name="松江经开区", name_en="Songjiang EDZ", kind=AreaKind.ZONE, parent=books.songjiang)
    Project.objects.filter(pk__in=[books.sj_project.pk, books.mh3.pk]).update(zone=books.sj_zone)
    return books


def _ranking(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("insight:dashboard"))
    assert response.status_code == 200
    return {row["area"].pk: row for row in response.context["ranking"]}


def test_a_project_zoned_in_another_district_counts_in_both_and_once_in_its_own(client, zoned):
    ranking = _ranking(client, zoned.coordinator)
    # Only the two districts rank: the zone lies below Songjiang.
    assert set(ranking) == {zoned.songjiang.pk, zoned.minhang.pk}
    sj, mh = ranking[zoned.songjiang.pk], ranking[zoned.minhang.pk]
    # Songjiang: SJ-001 (district and zone both there, counted once) and MH-003 (by its zone).
    assert sj["projects"] == 2
    assert (sj["due"], sj["started"], sj["start_rate"]) == (2, 2, 100)
    # Plans 12,000,000 + 4,000,000; accepted 3,000,000 + 100,000 = 3,100,000: 19.375 % → 19.4 %.
    assert (sj["planned"], sj["plan"], sj["ytd"]) == (2, Decimal("16000000.00"), Decimal("3100000.00"))
    assert (sj["investment_rate"], sj["time_progress"], sj["gap"]) == (
        Decimal("19.4"),
        Decimal("16.2"),
        Decimal("-3.2"),
    )
    # SJ-001 at 25 % is ahead of 16.16 %; MH-003 at 2.5 % is 13.66 points behind (≥ 10): behind.
    assert (sj["ahead"], sj["on_schedule"], sj["behind"]) == (1, 0, 1)
    # Minhang: its three projects, MH-003 among them, as without the zone.
    assert mh["projects"] == 3
    assert (mh["due"], mh["started"]) == (3, 3)
    # Plans 8,000,000 + 4,000,000 (MH-004 has none this year); accepted 520,000 + 100,000: 5.17 % → 5.2 %.
    assert (mh["planned"], mh["plan"], mh["ytd"]) == (2, Decimal("12000000.00"), Decimal("620000.00"))
    assert mh["investment_rate"] == Decimal("5.2")
    # MH-001 at 6.5 % is 9.66 points behind, under 10: on schedule; MH-003 behind.
    assert (mh["ahead"], mh["on_schedule"], mh["behind"]) == (0, 1, 1)
    # Songjiang completes more of its plan, so it ranks first.
    assert [row["area"].pk for row in client.get(reverse("insight:dashboard")).context["ranking"]] == [
        zoned.songjiang.pk,
        zoned.minhang.pk,
    ]


def test_each_ranking_row_links_to_a_list_of_its_projects(client, zoned):
    ranking = _ranking(client, zoned.coordinator)
    for pk, codes in ((zoned.songjiang.pk, {"SJ-001", "MH-003"}), (zoned.minhang.pk, {"MH-001", "MH-003", "MH-004"})):
        response = client.get(ranking[pk]["url"])
        assert {p.code for p in response.context["page"].object_list} == codes


def test_starts_and_issues_on_time_follow_the_project_into_both_areas(client, zoned):
    groundbreaking = kind("groundbreaking")
    # MH-003 broke ground two days before its baseline; SJ-001 five days after it.
    MilestoneFactory(
        project=zoned.mh3, kind=groundbreaking, planned_date=datetime.date(2025, 1, 10),
        baseline_date=datetime.date(2025, 1, 10), actual_date=datetime.date(2025, 1, 8),
    )  # fmt: skip
    MilestoneFactory(
        project=zoned.sj_project, kind=groundbreaking, planned_date=datetime.date(2025, 1, 15),
        baseline_date=datetime.date(2025, 1, 10), actual_date=datetime.date(2025, 1, 15),
    )  # fmt: skip
    raised = TODAY - 30 * DAY
    # MH-003: resolved a day before its deadline (on time). SJ-001: open, past its deadline (due,
    # late). MH-001: open, deadline ahead (not yet due).
    IssueFactory(
        project=zoned.mh3, lead_unit=zoned.mh_bureau, raised_on=raised, deadline=TODAY - 5 * DAY,
        status=IssueStatus.RESOLVED, resolved_on=TODAY - 6 * DAY,
    )  # fmt: skip
    IssueFactory(project=zoned.sj_project, lead_unit=zoned.sj_bureau, raised_on=raised, deadline=TODAY - 2 * DAY)
    IssueFactory(project=zoned.mh_project, lead_unit=zoned.mh_bureau, raised_on=raised, deadline=TODAY + 3 * DAY)

    ranking = _ranking(client, zoned.coordinator)
    sj, mh = ranking[zoned.songjiang.pk], ranking[zoned.minhang.pk]
    # Started on time: MH-003 only, in both of its areas.
    assert (sj["on_time"], mh["on_time"]) == (1, 1)
    # Songjiang: SJ-001's late issue and MH-003's on-time one: 1 of 2, 50 %.
    assert (sj["issues_on_time"], sj["issues_due"], sj["issues_rate"]) == (1, 2, 50)
    # Minhang: MH-003's on-time issue; MH-001's is not due yet: 1 of 1.
    assert (mh["issues_on_time"], mh["issues_due"], mh["issues_rate"]) == (1, 1, 100)


def test_postgresql_runs_the_ranking_without_jit(db):
    """JIT compiling the ranking's light expression cost seconds per dashboard (docs/performance.md):
    every PostgreSQL connection turns it off. SQLite has no JIT."""
    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict["OPTIONS"]
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
