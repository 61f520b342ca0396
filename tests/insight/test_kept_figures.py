"""The dashboard's figures are kept per scope and shown again while nothing changed, or while they
are young enough; never to someone who sees other projects."""

import pytest
from django.utils import timezone

from groundbreak.insight.kept_figures import warm_dashboards
from groundbreak.org.choices import Role
from tests.factories import PersonFactory, ProjectFactory, UserFactory

URL = "/dashboard/"


def _dashboard(client, user=None, **params):
    if user is not None:
        client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_a_second_visit_shows_the_kept_figures_until_something_is_written(client, world):
    first = _dashboard(client, world.coordinator)
    assert first.context["kept"].recomputed and first.context["total"] == 2
    again = _dashboard(client)
    assert not again.context["kept"].recomputed
    assert again.context["kept"].exact and again.context["total"] == 2
    assert b"data-refresh" not in again.content
    ProjectFactory(area=world.minhang)
    after = _dashboard(client)
    assert after.context["kept"].recomputed and after.context["total"] == 3


def test_while_others_write_the_figures_say_their_time_and_can_be_refreshed(client, world, settings):
    settings.GROUNDBREAK_DASHBOARD_MAX_AGE = 300
    computed = _dashboard(client, world.coordinator).context["kept"].computed_at
    ProjectFactory(area=world.minhang)
    kept = _dashboard(client)
    assert not kept.context["kept"].recomputed and not kept.context["kept"].exact
    assert kept.context["total"] == 2
    shown = timezone.localtime(computed).strftime("%H:%M")
    assert f"figures of {shown}" in kept.content.decode()
    refresh = kept.context["refresh_url"]
    assert refresh == URL + "?refresh=1"
    redirected = client.get(refresh)
    assert redirected.status_code == 302 and redirected["Location"] == URL
    fresh = _dashboard(client)
    assert fresh.context["total"] == 3 and fresh.context["kept"].exact


def test_the_refresh_link_keeps_the_filters(client, world, settings):
    settings.GROUNDBREAK_DASHBOARD_MAX_AGE = 300
    _dashboard(client, world.coordinator, area=world.minhang.pk)
    ProjectFactory(area=world.minhang)
    kept = _dashboard(client, area=world.minhang.pk)
    assert kept.context["total"] == 1
    redirected = client.get(kept.context["refresh_url"])
    assert redirected["Location"] == f"{URL}?area={world.minhang.pk}"
    assert _dashboard(client, area=world.minhang.pk).context["total"] == 2


def test_figures_are_kept_per_scope_and_shared_only_by_the_same_scope(client, world, settings):
    settings.GROUNDBREAK_DASHBOARD_MAX_AGE = 300
    ProjectFactory(area=world.songjiang)
    assert _dashboard(client, world.sj_coordinator).context["total"] == 2
    # Another district's coordinator, just after: his own district's single project.
    minhang = _dashboard(client, world.mh_coordinator)
    assert minhang.context["kept"].recomputed and minhang.context["total"] == 1
    # A second coordinator of Songjiang shares the first one's figures.
    colleague = UserFactory(role=Role.COORDINATOR, scope_area=world.songjiang)
    shared = _dashboard(client, colleague)
    assert not shared.context["kept"].recomputed and shared.context["total"] == 2
    # A Songjiang coordinator who is also a leader sees the projects he leads elsewhere: not shared.
    leading = UserFactory(role=Role.COORDINATOR, scope_area=world.songjiang)
    ProjectFactory(area=world.minhang, lead_leader=PersonFactory(is_leader=True, user=leading))
    own = _dashboard(client, leading)
    assert own.context["kept"].recomputed and own.context["total"] == 3
    # A viewer of the same district holds another role: computed for him.
    viewer = UserFactory(role=Role.VIEWER, scope_area=world.songjiang)
    assert _dashboard(client, viewer).context["kept"].recomputed


def test_filters_and_languages_are_kept_apart(client, world, settings):
    settings.GROUNDBREAK_DASHBOARD_MAX_AGE = 300
    client.force_login(world.coordinator)
    assert _dashboard(client).context["total"] == 2
    assert _dashboard(client, area=world.songjiang.pk).context["total"] == 1
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert {row["label"] for row in english.context["pipeline"]} >= {"under construction"}
    assert {row["label"] for row in chinese.context["pipeline"]} >= {"在建"}


@pytest.mark.django_db
def test_the_worker_warms_each_coordinators_scope_once(client, world):
    # city, Songjiang and Minhang coordinators: three scopes, in the site's language.
    assert warm_dashboards(timezone.localdate()) == 3
    for user in (world.coordinator, world.sj_coordinator, world.mh_coordinator):
        client.force_login(user)
        assert not client.get(URL).context["kept"].recomputed
    # Languages are kept apart: the Chinese page is computed on its first visit.
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").context["kept"].recomputed
