"""Leaders (包联领导): the statistics of the projects each one owns, side by side, and one leader's
page — their projects with lights, latest reports and issues.

`leader_statistics` is the one query both pages use, so the figures on a leader's page are those
of their row on the comparison.
"""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404

from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.models import Engagement
from groundbreak.coordination.queries import (
    for_list,
    issue_counts,
    visible_engagements,
    visible_issues,
    visible_leaders,
)
from groundbreak.insight.figures import behind_points, rates, statistics, with_investment
from groundbreak.insight.queries import list_url
from groundbreak.org.models import Person
from groundbreak.portfolio.choices import Light
from groundbreak.portfolio.models import Project
from groundbreak.reporting.choices import ReportStatus
from groundbreak.reporting.models import Report

# The leader's own fields, grouped on with the figures so that the names come in the same query.
PERSON_FIELDS = (
    "lead_leader",
    "lead_leader__name",
    "lead_leader__name_en",
    "lead_leader__title",
    "lead_leader__title_en",
)


def _person(row: dict) -> Person:
    """The leader of a grouped row, built from its fields (no query of its own): enough for the
    name, the title and the link to the page."""
    return Person(
        pk=row["lead_leader"],
        name=row["lead_leader__name"],
        name_en=row["lead_leader__name_en"],
        title=row["lead_leader__title"],
        title_en=row["lead_leader__title_en"],
        is_leader=True,
    )


def leader_statistics(projects, today: datetime.date, settings, base_filters: dict | None = None) -> list[dict]:
    """Per lead leader of `projects`: projects, lights, start and completion rates, investment
    completion against the time-proportional target and the projects ahead of it, on schedule and
    behind, with links to the project list filtered by `base_filters` and the leader — one grouped
    query. The comparison page and each leader's page both read it."""
    figures = with_investment(projects, today).with_light(today, settings).filter(lead_leader__isnull=False)
    rows = figures.order_by().values(*PERSON_FIELDS).annotate(**statistics(today, behind_points(settings)))
    result = []
    for row in rows:
        # Links to the project list filtered as the figures are: the page's filters and the leader.
        leader = {**(base_filters or {}), "lead_leader": row["lead_leader"]}
        urls = {"url": list_url(leader)} | {f"{light}_url": list_url(leader, light=light) for light in Light.values}
        result.append(rates(row) | {"person": _person(row)} | urls)
    result.sort(key=lambda r: (-r["red"], -r["n"], r["person"].name))
    return result


def _latest_report(field: str) -> Subquery:
    return Subquery(Report.objects.filter(project=OuterRef("pk")).order_by("-round__period_end").values(field)[:1])


def led_projects(projects, person: Person, today: datetime.date, settings) -> list:
    """The leader's projects in `projects`, each with its light, this year's investment figures and
    its latest report (period, status) — one query."""
    rows = list(
        with_investment(projects.filter(lead_leader=person), today)
        .with_light(today, settings)
        .annotate(
            report_pk=_latest_report("pk"),
            report_status=_latest_report("status"),
            report_period=_latest_report("round__period_end"),
        )
        .select_related("area")
        .order_by("code")
    )
    for project in rows:
        # Labels for the page, not figures: the statuses' display names.
        project.report_status_label = ReportStatus(project.report_status).label if project.report_status else ""
    return rows


def leader_page(user, pk: int, projects, today: datetime.date, settings) -> dict:
    """Everything the leader's page shows, in a fixed number of queries; 404 for a leader the user
    may not see."""
    person = get_object_or_404(visible_leaders(user).select_related("unit"), pk=pk)
    led = led_projects(projects, person, today, settings)
    issues = visible_issues(user).filter(project__lead_leader=person)
    attended = Engagement.leaders.through.objects.filter(person=person).values("engagement")
    engagements = (
        visible_engagements(user)
        .filter(Q(chair=person) | Q(pk__in=attended))
        .select_related("chair")
        .order_by("-date", "-id")
    )
    comparison = leader_statistics(projects, today, settings)
    return {
        "person": person,
        "led": led,
        "stats": next((row for row in comparison if row["person"].pk == person.pk), None),
        "comparison": comparison,
        "issues": list(for_list(issues.exclude(status=IssueStatus.CLOSED)).order_by("deadline", "id")[:30]),
        "issue_counts": issue_counts(issues, today),
        "engagements": engagements,
        "instructions": list(
            person.instructions.filter(project__in=Project.objects.for_user(user).values("pk"))
            .select_related("project", "target_unit", "created_issue")
            .order_by("-given_on", "-id")[:10]
        ),
    }
