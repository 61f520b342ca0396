"""The project list's choice lists: what the user's projects hold, by every way of seeing them."""

from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.queries import visible_projects
from tests.factories import AreaFactory, PersonFactory, ProjectFactory, UnitFactory


def test_the_list_filter_choices_follow_every_way_of_seeing_a_project(world):
    """The choice lists are built from each way of seeing a project (district, zone, unit, led)
    separately; together they must offer what the scope offers, no more."""
    zone = AreaFactory(name="松江经开区", parent=world.songjiang)
    zone_bureau = UnitFactory(name="闵行开发区管委会", area=world.minhang)
    zone_leader = PersonFactory(name="赵敏", is_leader=True)
    # A Minhang project that sits in a Songjiang zone: the Songjiang coordinator sees it by zone.
    ProjectFactory(code="MH-002", area=world.minhang, zone=zone, responsible_unit=zone_bureau, lead_leader=zone_leader)

    def offered(user):
        choices = ProjectFilter(queryset=visible_projects(user), user=user).filters
        units = set(choices["responsible_unit"].queryset.values_list("name", flat=True))
        leaders = set(choices["lead_leader"].queryset.values_list("name", flat=True))
        areas = set(choices["area"].queryset.values_list("name", flat=True))
        return units, leaders, areas

    units, leaders, _ = offered(world.sj_coordinator)
    assert units == {"松江区发改委", "闵行开发区管委会"} and leaders == {"王明", "赵敏"}
    units, leaders, _ = offered(world.mh_coordinator)
    assert units == {"闵行区发改委", "闵行开发区管委会"} and leaders == {"赵敏"}
    # The leader sees the project they lead, and its district only.
    units, leaders, areas = offered(world.leader_user)
    assert units == {"松江区发改委"} and leaders == {"王明"} and areas == {"松江区"}
    # The enterprise sees the project it owns; the bureau the one it is responsible for.
    assert offered(world.owner)[0] == {"松江区发改委"}
    assert offered(world.unit_member)[:2] == ({"松江区发改委"}, {"王明"})
