"""Milestone warning lights at their boundaries, and the schedule rules of project lights."""

import datetime

from django.db.models import Count
from django.utils import timezone

from groundbreak.portfolio import actions as portfolio_actions
from groundbreak.portfolio.choices import Light
from groundbreak.portfolio.models import LightSettings, Project
from groundbreak.schedule import actions
from groundbreak.schedule.lights import milestone_light
from groundbreak.schedule.models import Milestone
from tests.factories import MilestoneFactory, kind, reason

TODAY = datetime.date(2025, 6, 16)
DAY = datetime.timedelta(days=1)


def node(planned, actual=None, replans=0, **extra):
    return MilestoneFactory(
        planned_date=planned, baseline_date=planned, actual_date=actual, replan_count=replans, **extra
    )


def light(milestone, today=TODAY):
    return Milestone.objects.annotate(light=milestone_light(today)).get(pk=milestone.pk).light


def test_node_due_yesterday_and_not_met_is_red(db):
    assert light(node(TODAY - DAY)) == Light.RED


def test_node_due_today_is_yellow(db):
    assert light(node(TODAY)) == Light.YELLOW


def test_node_due_in_14_days_is_yellow_in_15_days_green(db):
    assert light(node(TODAY + 14 * DAY)) == Light.YELLOW
    assert light(node(TODAY + 15 * DAY)) == Light.GREEN


def test_node_replanned_twice_is_fine_three_times_yellow(db):
    assert light(node(TODAY + 60 * DAY, replans=2)) == Light.GREEN
    assert light(node(TODAY + 60 * DAY, replans=3)) == Light.YELLOW


def test_overdue_wins_over_too_many_replans(db):
    assert light(node(TODAY - DAY, replans=3)) == Light.RED


def test_met_node_is_green_whatever_its_dates(db):
    assert light(node(TODAY - 30 * DAY, actual=TODAY - 2 * DAY)) == Light.GREEN
    assert light(node(TODAY + 3 * DAY, actual=TODAY - DAY, replans=4)) == Light.GREEN


def test_milestone_light_uses_the_saved_settings(db):
    soon, restless = node(TODAY + 10 * DAY), node(TODAY + 60 * DAY, replans=2)
    assert (light(soon), light(restless)) == (Light.YELLOW, Light.GREEN)
    settings = LightSettings.objects.create()
    settings.due_soon_days = 9
    settings.replan_limit = 1
    settings.save()
    assert (light(soon), light(restless)) == (Light.GREEN, Light.YELLOW)
    assert light(soon, TODAY + DAY) == Light.YELLOW  # now 9 days away


def test_milestone_light_counts(db):
    node(TODAY - DAY)
    node(TODAY - 100 * DAY)
    node(TODAY)
    node(TODAY + 14 * DAY)
    node(TODAY + 60 * DAY, replans=3)
    node(TODAY + 15 * DAY)
    node(TODAY - 5 * DAY, actual=TODAY - 6 * DAY)
    rows = Milestone.objects.annotate(light=milestone_light(TODAY)).values("light").annotate(n=Count("id"))
    assert {row["light"]: row["n"] for row in rows} == {Light.RED: 2, Light.YELLOW: 3, Light.GREEN: 2}


# --- the actions move the lights -------------------------------------------------------------


def project_light(project, today):
    return Project.objects.with_light(today=today, live=True).get(pk=project.pk).light


def test_completing_the_overdue_node_turns_the_project_green(world):
    today = timezone.localdate()
    milestone = node(today - 3 * DAY, project=world.sj_project, kind=kind("land_handover"))
    assert project_light(world.sj_project, today) == Light.RED
    actions.complete_milestone(milestone=milestone, actual_date=today - DAY, by=world.coordinator)
    assert project_light(world.sj_project, today) == Light.GREEN


def test_the_third_replan_turns_the_node_yellow(world):
    first = TODAY + 60 * DAY
    milestone = node(first, project=world.sj_project)
    for n in range(1, 4):
        actions.replan_milestone(milestone=milestone, new_date=first + n * DAY, reason=reason(), by=world.coordinator)
        milestone.refresh_from_db()
        expected = Light.YELLOW if n == 3 else Light.GREEN
        assert light(milestone) == expected, f"after re-plan {n}"
        assert project_light(world.sj_project, TODAY) == expected, f"after re-plan {n}"


def test_a_pause_stops_the_red_light_and_resume_brings_it_back(world):
    milestone = node(TODAY - 10 * DAY, project=world.sj_project)
    assert project_light(world.sj_project, TODAY) == Light.RED
    portfolio_actions.pause_project(
        project=world.sj_project, reason="环评未批", expected_resume_on=TODAY + 30 * DAY, on=TODAY - 5 * DAY, by=None
    )
    assert project_light(world.sj_project, TODAY) == Light.GREEN
    assert light(milestone) == Light.RED  # the node itself stays overdue
    portfolio_actions.resume_project(project=world.sj_project, on=TODAY, by=None)
    assert project_light(world.sj_project, TODAY) == Light.RED
