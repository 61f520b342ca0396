"""The forms' project fields: a plain select for a few projects, a search beyond the limit."""

import pytest
from django.urls import reverse

from groundbreak.coordination.forms import EngagementForm, IssueForm
from groundbreak.portfolio.pickers import ProjectPicker
from tests.factories import ProjectFactory


@pytest.fixture
def small_limit(monkeypatch):
    # The world's coordinator sees two projects: a limit of one makes them "too many".
    monkeypatch.setattr(ProjectPicker, "limit", 1)


def _options(html: str) -> int:
    return html.count("<option")


def test_a_few_projects_are_a_plain_select(world):
    html = str(IssueForm(user=world.coordinator)["project"])
    assert 'type="search"' not in html
    assert _options(html) == 3  # the empty choice and both projects
    assert f'value="{world.sj_project.pk}"' in html and f'value="{world.mh_project.pk}"' in html


def test_beyond_the_limit_the_select_holds_only_the_chosen_and_a_search(world, small_limit):
    form = IssueForm(user=world.coordinator)
    html = str(form["project"])
    assert 'type="search"' in html and 'hx-get="/project-choices/?field=project&amp;multiple="' in html
    assert _options(html) == 1  # the empty choice only
    chosen = IssueForm(user=world.coordinator, initial={"project": world.mh_project.pk})
    html = str(chosen["project"])
    assert _options(html) == 2 and f'value="{world.mh_project.pk}" selected' in html
    # The field still takes any project the user sees, and refuses one they do not.
    bound = IssueForm({"project": world.sj_project.pk}, user=world.coordinator)
    bound.is_valid()
    assert "project" not in bound.errors
    outside = IssueForm({"project": world.mh_project.pk}, user=world.sj_coordinator)
    outside.is_valid()
    assert "project" in outside.errors


def test_the_engagement_form_keeps_several_chosen_projects(world, small_limit):
    form = EngagementForm(user=world.coordinator, initial={"projects": [world.sj_project, world.mh_project]})
    html = str(form["projects"])
    assert 'type="search"' in html and "multiple" in html
    assert _options(html) == 2 and html.count("selected") == 2


def test_the_search_offers_only_visible_projects_and_keeps_the_chosen(world, login):
    ProjectFactory(code="SJ-002", name="松江新城二期", area=world.songjiang)
    url = reverse("portfolio:project-choices")
    district = login(world.sj_coordinator)
    body = district.get(url, {"field": "project", "project__search": "sj-00"}).content.decode()
    assert "SJ-001" in body and "SJ-002" in body and body.startswith('<option value="">')
    # Another district's project is neither found nor kept as "chosen".
    body = district.get(
        url, {"field": "project", "project": world.mh_project.pk, "project__search": "MH"}
    ).content.decode()
    assert "MH-001" not in body and "No project of yours matches." in body
    # Several: what was chosen stays chosen, no empty choice, the match follows.
    body = district.get(
        url, {"field": "projects", "multiple": "1", "projects": world.sj_project.pk, "projects__search": "二期"}
    ).content.decode()
    assert body.index(f'value="{world.sj_project.pk}" selected') < body.index("SJ-002")
    assert 'value=""' not in body
    # Nothing typed: only the chosen ones.
    assert "SJ-002" not in district.get(url, {"field": "project"}).content.decode()


def test_the_search_needs_a_signed_in_user(client, world):
    response = client.get(reverse("portfolio:project-choices"), {"field": "project", "project__search": "SJ"})
    assert response.status_code == 302 and "SJ-001" not in response.content.decode()
