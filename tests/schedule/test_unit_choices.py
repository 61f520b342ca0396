"""The units offered as responsible for work: the government units of the project's area chain and
the project's own units, never every enterprise (issue #6, province-scale page speed)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.forms import AssignForm, InstructionForm, IssueForm
from groundbreak.coordination.models import Issue
from groundbreak.fieldwork.forms import InspectionAnswersForm
from groundbreak.org.choices import AreaKind, UnitKind
from groundbreak.org.queries import responsible_unit_choices
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.queries import visible_projects
from groundbreak.schedule.forms import MilestoneForm
from groundbreak.schedule.models import Milestone
from tests.factories import AreaFactory, UnitFactory, category, kind


@pytest.fixture
def units(world):
    """Beside the world's units: an unrelated enterprise in the same district, a town office below
    Songjiang, a zone committee of the project's zone, and a bureau of another district."""
    world.zone = AreaFactory(name="G60科创走廊", kind=AreaKind.ZONE, parent=world.city)
    world.town = AreaFactory(name="九亭镇", kind=AreaKind.TOWN, parent=world.songjiang)
    world.other_enterprise = UnitFactory(name="无关企业", kind=UnitKind.ENTERPRISE, area=world.songjiang)
    world.town_office = UnitFactory(name="九亭镇政府", kind=UnitKind.DISTRICT_GOVERNMENT, area=world.town)
    world.zone_committee = UnitFactory(name="G60管委会", kind=UnitKind.ZONE_COMMITTEE, area=world.zone)
    world.sj_project.zone = world.zone
    world.sj_project.save()
    return world


def offered(form, name):
    return {unit for unit in form.fields[name].queryset}


def test_a_node_offers_the_project_units_and_the_departments_of_its_area_chain_not_other_enterprises(units):
    w = units
    choices = offered(MilestoneForm(project=w.sj_project), "responsible_unit")
    # The project's own units, the city's headquarters, the district's and the zone's government
    # units, and those below the district.
    assert {w.enterprise, w.sj_bureau, w.hq, w.zone_committee, w.town_office} <= choices
    assert w.other_enterprise not in choices
    # Another district's bureau is not of this project's chain.
    assert w.mh_bureau not in choices


def test_the_chain_is_the_same_from_areas_or_from_area_ids(units):
    w = units
    by_object = set(responsible_unit_choices(areas=(w.songjiang, w.zone)))
    by_id = set(responsible_unit_choices(areas=(w.songjiang.pk, w.zone.pk)))
    assert by_object == by_id
    assert {w.hq, w.sj_bureau, w.zone_committee, w.town_office} <= by_object
    assert not {w.enterprise, w.other_enterprise, w.mh_bureau} & by_object


def test_the_project_page_offers_the_narrowed_units(client, units):
    client.force_login(units.coordinator)
    html = client.get(units.sj_project.get_absolute_url()).content.decode()
    assert "松江区发改委" in html
    assert "无关企业" not in html


def test_posting_an_out_of_choice_unit_is_refused_with_a_message_and_adds_nothing(client, units):
    w = units
    client.force_login(w.coordinator)
    before = Milestone.objects.count()
    response = client.post(
        reverse("schedule:milestone-add", args=[w.sj_project.code]),
        {
            "kind": kind("groundbreaking").pk,
            "planned_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "responsible_unit": w.other_enterprise.pk,
        },
        follow=True,
    )
    assert Milestone.objects.count() == before
    assert "Choose a government unit of the project" in response.content.decode()


def test_posting_a_unit_of_the_chain_adds_the_node(client, units):
    w = units
    client.force_login(w.coordinator)
    client.post(
        reverse("schedule:milestone-add", args=[w.sj_project.code]),
        {
            "kind": kind("groundbreaking").pk,
            "planned_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "responsible_unit": w.town_office.pk,
        },
    )
    assert Milestone.objects.filter(project=w.sj_project, responsible_unit=w.town_office).exists()


def test_an_issue_assignment_keeps_its_current_unit_and_refuses_an_unrelated_enterprise(units):
    w = units
    issue = Issue.objects.create(
        project=w.sj_project,
        title="用地",
        category=category(),
        lead_unit=w.mh_bureau,
        raised_on=timezone.localdate(),
    )
    form = AssignForm(issue=issue, has_deadline=False)
    choices = offered(form, "lead_unit")
    assert {w.mh_bureau, w.sj_bureau, w.enterprise, w.hq} <= choices
    assert w.other_enterprise not in choices
    posted = AssignForm({"lead_unit": w.other_enterprise.pk, "deadline": timezone.localdate().isoformat()}, issue=issue)
    assert not posted.is_valid()
    assert "lead_unit" in posted.errors


def test_an_instruction_on_a_project_is_addressed_to_its_chain(units):
    w = units
    choices = offered(InstructionForm(user=w.coordinator, project=w.sj_project), "target_unit")
    assert {w.sj_bureau, w.enterprise, w.hq} <= choices
    assert w.other_enterprise not in choices


def test_a_new_issue_offers_government_units_and_the_chosen_project_units(units):
    w = units
    form = IssueForm(user=w.sj_coordinator, initial={"project": w.sj_project})
    choices = offered(form, "lead_unit")
    assert {w.sj_bureau, w.hq, w.enterprise, w.town_office} <= choices
    assert w.other_enterprise not in choices
    assert w.mh_bureau not in choices


def test_the_list_filter_offers_only_units_and_leaders_of_visible_projects(units):
    w = units
    for user in (w.coordinator, w.sj_coordinator, w.admin):
        project_filter = ProjectFilter(queryset=visible_projects(user), user=user)
        responsible = set(project_filter.filters["responsible_unit"].queryset)
        assert w.sj_bureau in responsible
        assert w.other_enterprise not in responsible
    sj = ProjectFilter(queryset=visible_projects(w.sj_coordinator), user=w.sj_coordinator)
    assert w.mh_bureau not in set(sj.filters["responsible_unit"].queryset)
    assert set(sj.filters["lead_leader"].queryset) == {w.leader}


def test_the_board_offers_the_units_of_issues_even_to_one_who_sees_everything(units):
    w = units
    Issue.objects.create(
        project=w.sj_project,
        title="用地",
        category=category(),
        lead_unit=w.sj_bureau,
        raised_on=timezone.localdate(),
    )
    board = IssueFilter(queryset=Issue.objects.all(), user=w.admin)
    choices = set(board.filters["unit"].queryset)
    assert w.sj_bureau in choices
    assert w.other_enterprise not in choices


def test_an_inspection_rectification_unit_is_of_the_project_chain(units):
    w = units
    form = InspectionAnswersForm(project=w.sj_project)
    choices = offered(form, "lead_unit")
    assert {w.sj_bureau, w.enterprise, w.hq} <= choices
    assert w.other_enterprise not in choices
