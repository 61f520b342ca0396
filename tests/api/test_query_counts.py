"""List and detail endpoints run a fixed number of queries, however many rows they return."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundbreak.portfolio import actions
from groundbreak.schedule.actions import replan_milestone
from groundbreak.schedule.choices import ReplanStatus
from groundbreak.schedule.models import Replan
from tests.factories import KeyListFactory, MilestoneFactory, PersonFactory, ProjectFactory, UnitFactory, reason


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(path)
    assert answer.status == 200, answer.body
    return len(ctx.captured_queries)


def add_rows(world, key_list, n):
    for i in range(n):
        unit = UnitFactory(area=world.songjiang)
        leader = PersonFactory(unit=unit, is_leader=True)
        project = ProjectFactory(area=world.songjiang, lead_leader=leader, responsible_unit=unit, owner_unit=unit)
        actions.set_membership(key_list=key_list, project=project, annual_investment_plan=100, by=None)
        MilestoneFactory(project=project)
        late = MilestoneFactory(project=project, planned_date=timezone.localdate() - datetime.timedelta(days=i + 1))
        replan_milestone(
            milestone=late, new_date=late.planned_date + datetime.timedelta(days=3), reason=reason(), by=None
        )
        node = MilestoneFactory(project=world.sj_project, responsible_unit=unit)
        replan_milestone(
            milestone=node, new_date=node.planned_date + datetime.timedelta(days=5), reason=reason(), by=None
        )
        actions.change_stage(project=project, to_stage="signed", on=timezone.localdate(), by=None)
        Replan.objects.create(
            milestone=node,
            old_date=node.planned_date,
            new_date=node.planned_date + datetime.timedelta(days=40),
            reason=reason(),
            status=ReplanStatus.PENDING,
            requested_by=world.owner,
        )


@pytest.mark.parametrize(
    "path",
    [
        "/projects",
        "/projects?light=red&stage=reserve&stage=signed&sort=-area",
        "/projects/SJ-001",
        "/projects/SJ-001/milestones",
        "/projects/SJ-001/milestones/{node}",
        "/milestones",
        "/key-lists",
        "/key-lists/{key_list}",
        "/key-lists/{key_list}/memberships",
        "/areas",
        "/units",
        "/people",
        "/units/{unit}",
        "/people/{leader}",
        "/replans",
    ],
)
def test_query_count_does_not_grow_with_rows(world, api, path):
    key_list = KeyListFactory(area=world.city)
    node = MilestoneFactory(project=world.sj_project)
    MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() - datetime.timedelta(days=10))
    replan_milestone(milestone=node, new_date=node.planned_date + datetime.timedelta(days=1), reason=reason(), by=None)
    path = path.format(node=node.pk, key_list=key_list.pk, unit=world.sj_bureau.pk, leader=world.leader.pk)
    add_rows(world, key_list, 2)
    client = api(world.coordinator)
    client.get(path)  # warm up: the token's last use, content types
    few = count_queries(client, path)
    add_rows(world, key_list, 8)
    for project in world.sj_project.__class__.objects.filter(area=world.songjiang)[:5]:
        project.lead_leader = world.leader
        project.save()
    many = count_queries(client, path)
    assert many == few
    assert many <= 13
