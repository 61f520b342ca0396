"""Stored warning lights: kept equal to the rules by the writes that change their inputs, by the
bulk paths, by the daily step and after a change of the thresholds."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from groundbreak.coordination.actions import resolve_issue
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Light, Stage
from groundbreak.portfolio.models import LightSettings, Project
from groundbreak.portfolio.stored_lights import refresh_stale_lights
from groundbreak.schedule.actions import complete_milestone
from tests.factories import IssueFactory, MilestoneFactory, ProjectFactory

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def stored(project):
    """(stored light, day it was computed for) as the database holds them."""
    return tuple(Project.objects.filter(pk=project.pk).values_list("stored_light", "light_on").get())


def shown(project, on=None):
    """The light the pages show."""
    return Project.objects.with_light(on).get(pk=project.pk).light


def overdue_node(project):
    return MilestoneFactory(project=project, planned_date=today() - DAY, baseline_date=today() - DAY)


def test_a_node_falling_overdue_stores_red_and_completing_it_stores_green(world):
    project = world.sj_project
    node = overdue_node(project)
    assert stored(project) == (Light.RED, today())
    complete_milestone(milestone=node, actual_date=today(), by=world.coordinator)
    assert stored(project) == (Light.GREEN, today())
    assert shown(project) == Light.GREEN


def test_a_parent_stores_its_phases_light_and_loses_it_when_the_phase_moves(world):
    phase = ProjectFactory(area=world.songjiang, parent=world.sj_project)
    overdue_node(phase)
    assert stored(world.sj_project)[0] == Light.RED
    other = ProjectFactory(area=world.songjiang)
    actions.update_project(project=phase, by=world.coordinator, changes={"parent": other})
    assert stored(world.sj_project)[0] == Light.GREEN
    assert stored(other)[0] == Light.RED


def test_an_overdue_issue_stores_red_until_it_is_resolved(world):
    issue = IssueFactory(project=world.sj_project, lead_unit=world.sj_bureau, deadline=today() - DAY)
    assert stored(world.sj_project)[0] == Light.RED
    resolve_issue(issue=issue, by=world.coordinator, resolution="Land handed over.")
    assert stored(world.sj_project)[0] == Light.GREEN


def test_an_override_is_stored_and_withdrawing_it_brings_back_the_rules(world):
    override = actions.override_light(
        project=world.sj_project, light=Light.YELLOW, reason="Watch it", expires_on=today() + DAY, by=world.coordinator
    )
    assert stored(world.sj_project)[0] == Light.YELLOW
    actions.withdraw_override(override=override, by=world.coordinator)
    assert stored(world.sj_project)[0] == Light.GREEN


def test_a_changed_threshold_forgets_every_stored_light_and_pages_follow_the_rules_meanwhile(world):
    MilestoneFactory(project=world.sj_project, planned_date=today() + 10 * DAY, baseline_date=today() + 10 * DAY)
    settings = LightSettings.current()
    assert stored(world.sj_project)[0] == (Light.YELLOW if settings.due_soon_days >= 10 else Light.GREEN)
    settings.due_soon_days = 5
    settings.save()
    assert stored(world.sj_project)[1] is None and stored(world.mh_project)[1] is None
    assert shown(world.sj_project) == Light.GREEN  # the rules with the new threshold
    assert refresh_stale_lights() == 2
    assert stored(world.sj_project) == (Light.GREEN, today())


def test_a_light_stored_for_another_day_is_not_shown_and_the_daily_step_renews_it(world):
    overdue_node(world.sj_project)
    # As if yesterday's light were still stored: the node was not overdue then.
    Project.objects.update(stored_light=Light.GREEN, light_on=today() - DAY)
    assert shown(world.sj_project) == Light.RED
    assert refresh_stale_lights() == 2
    assert stored(world.sj_project) == (Light.RED, today())
    assert refresh_stale_lights() == 0


def test_pages_read_the_stored_light_of_the_day_asked_about(world):
    # Planted, to show where the answer comes from: a fresh stored light is not recomputed.
    Project.objects.filter(pk=world.sj_project.pk).update(stored_light=Light.RED, light_on=today())
    assert shown(world.sj_project) == Light.RED
    assert shown(world.sj_project, on=today() + DAY) == Light.GREEN
    assert Project.objects.with_light(live=True).get(pk=world.sj_project.pk).light == Light.GREEN


def test_bulk_creates_updates_and_stage_moves_store_lights(world):
    # In the reserve pool a passed planned start is only a wish; once signed, it is late to start.
    created = actions.create_projects(
        by=world.coordinator,
        items=[
            {
                "code": "SJ-BULK",
                "name": "批量项目",
                "category": "industrial",
                "area": world.songjiang,
                "planned_start": today() - 5 * DAY,
            }
        ],
    )
    assert stored(created[0]) == (Light.GREEN, today())
    actions.change_stages(by=world.coordinator, moves=[(created[0], Stage.SIGNED)], on=today())
    assert stored(created[0]) == (Light.YELLOW, today())
    actions.update_projects(by=world.coordinator, updates=[(created[0], {"planned_start": today() + 5 * DAY})])
    assert stored(created[0]) == (Light.GREEN, today())


def test_the_workers_daily_beat_stores_the_lights_of_the_new_day(world):
    from groundbreak.notify.scheduler import scheduler_step

    overdue_node(world.sj_project)
    Project.objects.update(light_on=today() - DAY)
    scheduler_step(timezone.now())
    assert stored(world.sj_project) == (Light.RED, today())
    assert stored(world.mh_project) == (Light.GREEN, today())


@pytest.mark.django_db
def test_every_stored_light_of_the_demo_equals_the_rules():
    from groundbreak.demo.load import load_demo

    load_demo()
    live = dict(Project.objects.with_light(live=True).values_list("code", "light"))
    kept = dict(Project.objects.values_list("code", "stored_light"))
    assert set(Project.objects.values_list("light_on", flat=True)) == {today()}
    assert kept == live
    figures = ("stored_year_plan", "stored_year_ytd", "stored_year_share")
    from groundbreak.reporting.figures import annual_plan, investment_ytd, latest_accepted

    year = today().year
    evaluated = Project.objects.annotate(
        e_plan=annual_plan(year),
        e_ytd=investment_ytd(year, until=today()),
        e_share=latest_accepted(year, "year_fraction", until=today()),
    ).values_list("code", *figures, "e_plan", "e_ytd", "e_share")
    for code, *values in evaluated:
        assert values[:3] == values[3:], code
    assert {Light.RED, Light.YELLOW, Light.GREEN} <= set(live.values())


def test_accepted_reports_store_the_years_figures_beside_the_light(world, monkeypatch):
    from tests.insight.conftest import freeze, make_books

    day = freeze(monkeypatch)  # 20 March 2025
    w = make_books(world)
    sj = Project.objects.get(pk=w.sj_project.pk)
    # Plans of 12,000,000 on two lists of 2025 (the larger counts once); accepted 1,000,000 for
    # January and 2,000,000 for February; February ends on day 59 of 365.
    assert sj.light_on == day
    assert (sj.stored_year_plan, sj.stored_year_ytd, sj.stored_year_share) == (
        Decimal("12000000.00"),
        Decimal("3000000.00"),
        Decimal("0.161644"),
    )


def test_the_dashboards_figures_are_the_same_stored_or_evaluated(world, monkeypatch):
    from groundbreak.insight.figures import with_investment
    from groundbreak.reporting.figures import annual_plan, investment_ytd, latest_accepted
    from tests.insight.conftest import freeze, make_books

    day = freeze(monkeypatch)
    make_books(world)
    fields = ("year_plan", "year_ytd", "year_share")
    figures = {row["code"]: row for row in with_investment(Project.objects.all(), day).values("code", *fields)}
    evaluated = {
        row["code"]: row
        for row in Project.objects.annotate(
            year_plan=annual_plan(day.year),
            year_ytd=investment_ytd(day.year, until=day),
            year_share=latest_accepted(day.year, "year_fraction", until=day),
        ).values("code", *fields)
    }
    assert figures == evaluated
    assert Project.objects.filter(light_on=day).count() >= 3  # the stored side was exercised


def test_tick_lights_only_stores_the_days_lights_and_runs_no_check(world):
    import io

    from django.core.management import call_command

    from groundbreak.notify.models import DailyRun

    overdue_node(world.sj_project)
    Project.objects.update(light_on=today() - DAY)
    out = io.StringIO()
    call_command("tick", "--lights-only", stdout=out)
    assert "warning lights: 2 recomputed" in out.getvalue()
    assert stored(world.sj_project) == (Light.RED, today())
    assert not DailyRun.objects.exists()
