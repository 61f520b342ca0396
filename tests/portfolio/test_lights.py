"""Project warning lights, computed in the database for a given day."""

import datetime

from django.db.models import Count
from django.utils import timezone

from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Light, Status
from groundbreak.portfolio.models import LightOverride, LightSettings, Project
from tests.factories import MilestoneFactory, ProjectFactory

TODAY = datetime.date(2025, 6, 16)
DAY = datetime.timedelta(days=1)


def light_of(project, today=TODAY):
    return Project.objects.with_light(today=today, live=True).get(pk=project.pk).light


def node(project, planned, actual=None, replans=0):
    return MilestoneFactory(
        project=project, planned_date=planned, baseline_date=planned, actual_date=actual, replan_count=replans
    )


def test_project_without_nodes_is_green(db):
    assert light_of(ProjectFactory()) == Light.GREEN


def test_project_is_red_if_any_node_is_overdue_even_when_others_are_due_soon(db):
    project = ProjectFactory()
    node(project, TODAY + 5 * DAY)  # yellow
    node(project, TODAY + 100 * DAY)  # green
    node(project, TODAY - DAY)  # red
    assert light_of(project) == Light.RED


def test_project_is_yellow_if_a_node_is_yellow_and_none_red(db):
    project = ProjectFactory()
    node(project, TODAY + 14 * DAY)  # yellow: last day of the window
    node(project, TODAY - 30 * DAY, actual=TODAY - 31 * DAY)  # met
    node(project, TODAY + 100 * DAY)
    assert light_of(project) == Light.YELLOW


def test_project_light_follows_the_day_it_is_computed_for(db):
    project = ProjectFactory()
    node(project, TODAY + 20 * DAY)
    assert light_of(project, TODAY) == Light.GREEN
    assert light_of(project, TODAY + 6 * DAY) == Light.YELLOW  # 14 days before
    assert light_of(project, TODAY + 20 * DAY) == Light.YELLOW  # due today
    assert light_of(project, TODAY + 21 * DAY) == Light.RED


def test_project_with_a_node_replanned_too_often_is_yellow(db):
    calm, restless = ProjectFactory(), ProjectFactory()
    node(calm, TODAY + 90 * DAY, replans=2)
    node(restless, TODAY + 90 * DAY, replans=3)
    assert light_of(calm) == Light.GREEN
    assert light_of(restless) == Light.YELLOW


def test_project_whose_nodes_are_all_met_is_green_even_if_late(db):
    project = ProjectFactory()
    node(project, TODAY - 60 * DAY, actual=TODAY - 10 * DAY, replans=5)
    assert light_of(project) == Light.GREEN


# --- paused and cancelled projects -------------------------------------------------------------


def pause(project, on):
    actions.pause_project(project=project, reason="资金未到位", expected_resume_on=on + 90 * DAY, on=on, by=None)


def test_paused_project_overdue_nodes_do_not_make_it_red(db):
    project = ProjectFactory()
    node(project, TODAY - 20 * DAY)
    node(project, TODAY + 3 * DAY)
    pause(project, TODAY - 10 * DAY)
    assert light_of(project) == Light.GREEN


def test_paused_project_is_yellow_after_more_than_30_days_without_news(db):
    project = ProjectFactory()
    pause(project, TODAY - 30 * DAY)
    assert light_of(project) == Light.GREEN  # exactly 30 days: still fine
    assert light_of(project, TODAY + DAY) == Light.YELLOW  # 31 days


def test_paused_project_stale_but_overdue_is_yellow_not_red(db):
    project = ProjectFactory()
    node(project, TODAY - 20 * DAY)
    pause(project, TODAY - 45 * DAY)
    assert light_of(project) == Light.YELLOW


def test_a_pause_update_restarts_the_30_days(db):
    project = ProjectFactory()
    pause(project, TODAY - 90 * DAY)
    assert light_of(project) == Light.YELLOW
    actions.add_pause_update(project=project, note="银行审批中", on=TODAY - 30 * DAY, by=None)
    assert light_of(project) == Light.GREEN
    assert light_of(project, TODAY + DAY) == Light.YELLOW


def test_paused_project_without_any_pause_entry_is_yellow(db):
    project = ProjectFactory(status=Status.PAUSED)
    assert light_of(project) == Light.YELLOW


def test_resumed_project_with_old_pause_entries_is_judged_by_its_nodes_again(db):
    project = ProjectFactory()
    node(project, TODAY - DAY)
    pause(project, TODAY - 100 * DAY)
    actions.resume_project(project=project, on=TODAY - 50 * DAY, by=None)
    assert light_of(project) == Light.RED
    project.milestones.update(actual_date=TODAY - 2 * DAY)
    assert light_of(project) == Light.GREEN


# --- overrides ---------------------------------------------------------------------------------


def test_override_wins_until_its_expiry_date_inclusive(world):
    today = timezone.localdate()
    project = world.sj_project
    node(project, today + 5 * DAY)  # overdue from today + 6
    actions.override_light(
        project=project, light=Light.GREEN, reason="已协调解决", expires_on=today + 10 * DAY, by=world.coordinator
    )
    assert light_of(project, today) == Light.GREEN  # rules say yellow
    assert light_of(project, today + 10 * DAY) == Light.GREEN  # rules say red
    assert light_of(project, today + 11 * DAY) == Light.RED


def test_override_can_raise_a_green_project_to_red(world):
    today = timezone.localdate()
    actions.override_light(
        project=world.mh_project, light=Light.RED, reason="领导批示督办", expires_on=today, by=world.coordinator
    )
    assert light_of(world.mh_project, today) == Light.RED
    assert light_of(world.mh_project, today + DAY) == Light.GREEN


def test_withdrawn_override_stops(world):
    today = timezone.localdate()
    project = world.sj_project
    node(project, today - DAY)
    override = actions.override_light(
        project=project, light=Light.YELLOW, reason="正在协调", expires_on=today + 30 * DAY, by=world.coordinator
    )
    assert light_of(project, today) == Light.YELLOW
    actions.withdraw_override(override=override, by=world.coordinator)
    assert light_of(project, today) == Light.RED


def test_the_newest_active_override_wins(world):
    today = timezone.localdate()
    project = world.sj_project
    actions.override_light(project=project, light=Light.RED, reason="督办", expires_on=today + 30 * DAY, by=None)
    actions.override_light(project=project, light=Light.YELLOW, reason="已约谈", expires_on=today + 5 * DAY, by=None)
    assert light_of(project, today) == Light.YELLOW
    # Once the newer one has expired, the older one (still valid) shows again.
    assert light_of(project, today + 6 * DAY) == Light.RED


# --- configurable thresholds -------------------------------------------------------------------


def test_due_soon_window_is_configurable(db):
    project = ProjectFactory()
    node(project, TODAY + 10 * DAY)
    assert light_of(project) == Light.YELLOW
    settings = LightSettings.objects.create()
    settings.due_soon_days = 7
    settings.save()
    assert light_of(project) == Light.GREEN
    assert light_of(project, TODAY + 3 * DAY) == Light.YELLOW  # 7 days before


def test_replan_limit_is_configurable(db):
    project = ProjectFactory()
    node(project, TODAY + 90 * DAY, replans=1)
    assert light_of(project) == Light.GREEN
    LightSettings.objects.create(replan_limit=0)
    assert light_of(project) == Light.YELLOW


def test_pause_update_days_is_configurable(db):
    project = ProjectFactory()
    pause(project, TODAY - 20 * DAY)
    assert light_of(project) == Light.GREEN
    settings = LightSettings.objects.create()
    settings.pause_update_days = 14
    settings.save()
    assert light_of(project) == Light.YELLOW
    assert light_of(project, TODAY - 6 * DAY) == Light.GREEN  # 14 days after the pause


# --- counts ------------------------------------------------------------------------------------


def light_counts(today=TODAY):
    rows = Project.objects.with_light(today=today, live=True).values("light").annotate(n=Count("id"))
    return {row["light"]: row["n"] for row in rows}


def test_light_counts_per_light(db):
    late_a, late_b, soon = ProjectFactory(), ProjectFactory(), ProjectFactory()
    node(late_a, TODAY - DAY)
    node(late_a, TODAY - 2 * DAY)  # two red nodes, still one red project
    node(late_b, TODAY - 40 * DAY)
    node(soon, TODAY)
    done, far = ProjectFactory(), ProjectFactory()
    ProjectFactory()  # no nodes at all
    node(done, TODAY - 10 * DAY, actual=TODAY - 9 * DAY)
    node(far, TODAY + 15 * DAY)
    assert light_counts() == {Light.RED: 2, Light.YELLOW: 1, Light.GREEN: 3}

    LightOverride.objects.create(project=late_b, light=Light.GREEN, reason="已协调", expires_on=TODAY)
    assert light_counts() == {Light.RED: 1, Light.YELLOW: 1, Light.GREEN: 4}
    # A day later the override has expired, the 15-day node entered the window, the 0-day one is late.
    assert light_counts(TODAY + DAY) == {Light.RED: 3, Light.YELLOW: 1, Light.GREEN: 2}


def test_a_parent_project_shows_its_worst_active_phase(world):
    from tests.factories import MilestoneFactory, ProjectFactory

    today = timezone.localdate()
    phase = ProjectFactory(parent=world.sj_project, area=world.songjiang)
    MilestoneFactory(project=phase, planned_date=today - datetime.timedelta(days=1))
    lights = dict(Project.objects.with_light(today=today, live=True).values_list("code", "light"))
    assert lights[phase.code] == "red"
    assert lights["SJ-001"] == "red"
    phase.status = "paused"
    phase.save()
    assert Project.objects.with_light(today=today, live=True).get(code="SJ-001").light == "green"
