"""The dashboard's investment, issue and report figures against values worked out by hand, and
against the lists its charts link to.

Today is 20 March 2025 (frozen). Plans of 2025 on two key lists, municipal list A and district
list B, and accepted investment of January and February 2025, in yuan:

    project  area       category     lead leader  plan (A / B)              accepted Jan + Feb
    SJ-001   Songjiang  industrial   王明          12,000,000 / 12,000,000   1,000,000 + 2,000,000
    MH-001   Minhang    livelihood   李强          8,000,000 / —             200,000 + 320,000
    MH-003   Minhang    industrial   李强          — / 4,000,000             — + 100,000
    MH-004   Minhang    ecology      —            — / —                     700,000 + (missing)

A project on two lists carries one plan, the larger (SJ-001: 12,000,000, not 24,000,000).
The time-proportional target (序时进度) is the share of 2025 elapsed at the end of the latest
accepted period, 28 February: 59 / 365 = 0.161644, so 16.2 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from groundbreak.coordination.choices import IssueStatus
from groundbreak.portfolio.choices import Category
from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.portfolio.queries import visible_projects
from groundbreak.reporting.figures import investment_figures
from tests.factories import IssueFactory
from tests.insight.conftest import TODAY
from tests.reporting.conftest import report_of


def test_investment_figures_by_hand(client, books):
    client.force_login(books.coordinator)
    investment = client.get(reverse("insight:dashboard")).context["investment"]
    total = investment["total"]
    # Plans: 12,000,000 + 8,000,000 + 4,000,000 = 24,000,000 (MH-004 has none this year).
    assert total["plan"] == Decimal("24000000.00") and total["planned"] == 3
    # Of the planned projects: 3,000,000 + 520,000 + 100,000 = 3,620,000 (MH-004's 700,000 has no plan).
    assert total["ytd"] == Decimal("3620000.00")
    # 3,620,000 ÷ 24,000,000 = 15.083… % against 16.2 %: 1.1 points behind the target.
    assert (total["investment_rate"], total["time_progress"], total["gap"]) == (
        Decimal("15.1"),
        Decimal("16.2"),
        Decimal("1.1"),
    )
    # SJ-001 25 % is ahead of 16.16 %; MH-001 6.5 % is 9.66 points behind, under the 10-point
    # threshold, so on schedule; MH-003 2.5 % is 13.66 points behind: behind.
    assert (total["ahead"], total["on_schedule"], total["behind"]) == (1, 1, 1)

    by_area = {row["area"].pk: row for row in investment["by_area"]}
    # Songjiang 3,000,000 ÷ 12,000,000 = 25.0 %; Minhang 620,000 ÷ 12,000,000 = 5.17 %.
    assert (
        by_area[books.songjiang.pk]["plan"],
        by_area[books.songjiang.pk]["ytd"],
        by_area[books.songjiang.pk]["investment_rate"],
    ) == (
        Decimal("12000000.00"),
        Decimal("3000000.00"),
        Decimal("25.0"),
    )
    assert (
        by_area[books.minhang.pk]["plan"],
        by_area[books.minhang.pk]["ytd"],
        by_area[books.minhang.pk]["investment_rate"],
    ) == (
        Decimal("12000000.00"),
        Decimal("620000.00"),
        Decimal("5.2"),
    )

    by_category = {row["category"]: row for row in investment["by_category"]}
    # Industrial: SJ-001 and MH-003, 3,100,000 ÷ 16,000,000 = 19.375 %; livelihood 520,000 ÷ 8,000,000 = 6.5 %.
    # Ecology (MH-004) has no plan and no bar.
    assert set(by_category) == {Category.INDUSTRIAL, Category.LIVELIHOOD}
    assert (by_category["industrial"]["plan"], by_category["industrial"]["ytd"]) == (
        Decimal("16000000.00"),
        Decimal("3100000.00"),
    )
    assert by_category["industrial"]["investment_rate"] == Decimal("19.4")
    assert by_category["livelihood"]["investment_rate"] == Decimal("6.5")

    by_list = {row["key_list"]: row for row in investment["by_key_list"]}
    # List A: 12,000,000 + 8,000,000 = 20,000,000 planned, 3,000,000 + 520,000 = 3,520,000: 17.6 %.
    # List B: 12,000,000 + 4,000,000 = 16,000,000 planned, 3,000,000 + 100,000 = 3,100,000: 19.4 %.
    assert (by_list[books.list_a.pk]["plan"], by_list[books.list_a.pk]["ytd"]) == (
        Decimal("20000000.00"),
        Decimal("3520000.00"),
    )
    assert by_list[books.list_a.pk]["investment_rate"] == Decimal("17.6")
    assert (by_list[books.list_b.pk]["plan"], by_list[books.list_b.pk]["ytd"]) == (
        Decimal("16000000.00"),
        Decimal("3100000.00"),
    )
    assert by_list[books.list_b.pk]["investment_rate"] == Decimal("19.4")


def _listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"]


def _list_sums(page, user):
    """Plan and completed of the projects a list shows, from reporting's own per-project figures."""
    codes = [p.code for p in page.object_list]
    rows = (
        visible_projects(user).filter(code__in=codes).annotate(**investment_figures(TODAY.year)).values("plan", "ytd")
    )
    planned = [r for r in rows if r["plan"]]
    return sum(r["plan"] for r in planned), sum(r["ytd"] or 0 for r in planned)


@pytest.mark.parametrize("filters", [{}, {"stage": "construction"}, {"lead_leader": "leader2"}])
def test_each_investment_bar_links_to_the_list_of_its_projects(client, books, filters):
    if "lead_leader" in filters:
        filters = {"lead_leader": books.leader2.pk}
    client.force_login(books.coordinator)
    investment = client.get(reverse("insight:dashboard"), filters).context["investment"]
    rows = [investment["total"], *investment["by_area"], *investment["by_category"]]
    assert len(rows) > 2
    for row in rows:
        page = _listed(client, row["url"])
        assert page.paginator.count < 25  # one page holds them all
        assert _list_sums(page, books.coordinator) == (row["plan"], row["ytd"]), row["url"]
    for row in investment["by_key_list"]:
        # A key list's bar: the plans its listed projects carry on that list, and their investment.
        codes = [p.code for p in _listed(client, row["url"]).object_list]
        members = KeyListMembership.objects.filter(
            key_list=row["key_list"], annual_investment_plan__gt=0, project__code__in=codes
        )
        ytd = (
            Project.objects.filter(pk__in=members.values("project"))
            .annotate(**investment_figures(TODAY.year))
            .values_list("ytd", flat=True)
        )
        assert row["planned"] == members.count()
        assert row["plan"] == sum(m.annual_investment_plan for m in members)
        assert row["ytd"] == sum(y or 0 for y in ytd)


def test_leader_statistics_by_hand_on_both_pages(client, books):
    client.force_login(books.coordinator)
    rows = {row["person"].pk: row for row in client.get(reverse("insight:leaders")).context["leaders"]}
    li = rows[books.leader2.pk]
    # 李强 leads MH-001 (on schedule) and MH-003 (behind): 620,000 ÷ 12,000,000 = 5.2 %.
    assert (li["n"], li["ahead"], li["on_schedule"], li["behind"]) == (2, 0, 1, 1)
    assert (li["investment_rate"], li["time_progress"]) == (Decimal("5.2"), Decimal("16.2"))
    # Both were due to start on 1 January and are under construction; neither is due to be completed.
    assert (li["start_rate"], li["completion_rate"]) == (100, None)
    # MH-003 is behind by 13.66 points: the reporting rule turns it yellow; MH-001 stays green.
    assert (li["green"], li["yellow"], li["red"]) == (1, 1, 0)
    wang = rows[books.leader.pk]
    assert (wang["n"], wang["ahead"], wang["investment_rate"]) == (1, 1, Decimal("25.0"))

    page = client.get(reverse("insight:leader-detail", args=[books.leader2.pk]))
    assert page.context["stats"] == li  # the same query, the same figures
    led = {p.code: p for p in page.context["led"]}
    assert set(led) == {"MH-001", "MH-003"}
    assert (led["MH-001"].report_status, led["MH-001"].report_period) == ("accepted", datetime.date(2025, 2, 28))
    assert led["MH-003"].year_plan == Decimal("4000000.00") and led["MH-003"].light == "yellow"
    body = page.content.decode()
    assert reverse("reporting:report-detail", args=[report_of(books.mh_feb, books.mh_project).pk]) in body
    # The old name of the page still leads here.
    assert reverse("coordination:leader-detail", args=[books.leader2.pk]) == reverse(
        "insight:leader-detail", args=[books.leader2.pk]
    )


def test_missing_reports_of_the_period_per_unit_link_to_the_round(client, books):
    client.force_login(books.coordinator)
    missing = client.get(reverse("insight:dashboard")).context["missing"]
    # February's rounds expect SJ-001, MH-001, MH-003 and MH-004; MH-004 never reported.
    assert (missing["period_end"], missing["expected"], missing["missing"]) == (datetime.date(2025, 2, 28), 4, 1)
    [row] = missing["rows"]
    assert (row["project__responsible_unit"], row["missing"]) == (books.mh_bureau.pk, 1)
    page = _listed(client, row["url"])
    assert [r.project.code for r in page.object_list] == ["MH-004"]


def test_issues_by_unit_equal_the_board_filtered_by_that_unit(client, books):
    day = datetime.timedelta(days=1)
    raised = TODAY - 30 * day
    IssueFactory(project=books.sj_project, lead_unit=books.sj_bureau, raised_on=raised, deadline=TODAY - 3 * day)
    IssueFactory(project=books.sj_project, lead_unit=books.sj_bureau, raised_on=raised, deadline=TODAY + 3 * day)
    co = IssueFactory(project=books.mh_project, lead_unit=books.mh_bureau, raised_on=raised, deadline=TODAY - day)
    co.co_units.add(books.sj_bureau)
    IssueFactory(
        project=books.mh3, lead_unit=books.mh_bureau, raised_on=raised, deadline=TODAY - 5 * day,
        status=IssueStatus.RESOLVED, resolved_on=TODAY - 6 * day,
    )  # fmt: skip
    IssueFactory(
        project=books.mh3, lead_unit=books.mh_bureau, raised_on=raised, deadline=TODAY - 9 * day,
        status=IssueStatus.CLOSED, resolved_on=TODAY - 2 * day, closed_on=TODAY - day,
    )  # fmt: skip
    client.force_login(books.coordinator)
    for filters in ({}, {"area": books.minhang.pk}):
        context = client.get(reverse("insight:dashboard"), filters).context
        issues = context["issues"]
        for row in issues["rows"]:
            assert _listed(client, row["url"]).paginator.count == row["open"], row["url"]
            assert _listed(client, row["overdue_url"]).paginator.count == row["overdue"], row["overdue_url"]
        assert _listed(client, issues["url"]).paginator.count == issues["totals"]["open"]
        assert _listed(client, issues["overdue_url"]).paginator.count == issues["totals"]["overdue"]
    # By hand, with no filter: the Songjiang bureau works on 3 open issues (two it leads, one as
    # co-unit), 2 of them overdue; the Minhang bureau leads 1 open issue, overdue.
    rows = {row["unit"]: row for row in client.get(reverse("insight:dashboard")).context["issues"]["rows"]}
    assert (rows[books.sj_bureau.pk]["open"], rows[books.sj_bureau.pk]["overdue"]) == (3, 2)
    assert (rows[books.mh_bureau.pk]["open"], rows[books.mh_bureau.pk]["overdue"]) == (1, 1)
    # The ranking: Minhang's issues with a deadline that were resolved or are past it: the open
    # overdue one, the one resolved a day early, the one resolved 7 days late: 1 of 3 on time.
    ranking = {row["area"].pk: row for row in client.get(reverse("insight:dashboard")).context["ranking"]}
    assert (ranking[books.minhang.pk]["issues_on_time"], ranking[books.minhang.pk]["issues_due"]) == (1, 3)
    assert ranking[books.minhang.pk]["issues_rate"] == 33
    # Songjiang: one overdue, one not yet due: 0 of 1.
    assert (ranking[books.songjiang.pk]["issues_on_time"], ranking[books.songjiang.pk]["issues_due"]) == (0, 1)
    assert ranking[books.minhang.pk]["investment_rate"] == Decimal("5.2")


@pytest.mark.parametrize("filters", [{}, {"area": "minhang"}, {"category": Category.INDUSTRIAL}])
def test_leaders_compared_link_to_lists_with_the_same_counts(client, books, filters):
    if "area" in filters:
        filters = {"area": books.minhang.pk}
    client.force_login(books.coordinator)
    rows = client.get(reverse("insight:leaders"), filters).context["leaders"]
    assert rows
    for row in rows:
        assert _listed(client, row["url"]).paginator.count == row["n"]
        for light in ("green", "yellow", "red"):
            assert _listed(client, row[f"{light}_url"]).paginator.count == row[light]
