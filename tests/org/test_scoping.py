"""Who sees which projects: one scoping rule shared by pages, API, exports and briefings."""

from django.contrib.auth.models import AnonymousUser

from groundbreak.org.choices import AreaKind, Role
from groundbreak.org.models import Area
from groundbreak.portfolio.models import Project
from tests.factories import AreaFactory, PersonFactory, ProjectFactory, UnitFactory, UserFactory


def codes(user):
    return set(Project.objects.for_user(user).values_list("code", flat=True))


def test_administrator_sees_every_project(world):
    elsewhere = ProjectFactory(code="BJ-001", area=AreaFactory(name="北京市", kind=AreaKind.CITY))
    assert codes(world.admin) == {"SJ-001", "MH-001", elsewhere.code}


def test_administrator_role_without_superuser_flag_sees_every_project(world):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    ProjectFactory(code="BJ-001", area=AreaFactory(name="北京市", kind=AreaKind.CITY))
    assert codes(admin) == {"SJ-001", "MH-001", "BJ-001"}


def test_city_coordinator_sees_both_districts_but_not_another_city(world):
    ProjectFactory(code="BJ-001", area=AreaFactory(name="北京市", kind=AreaKind.CITY))
    assert codes(world.coordinator) == {"SJ-001", "MH-001"}


def test_district_coordinator_sees_only_their_district(world):
    assert codes(world.sj_coordinator) == {"SJ-001"}


def test_minhang_coordinator_does_not_see_songjiang_project(world):
    assert codes(world.mh_coordinator) == {"MH-001"}
    assert not Project.objects.for_user(world.mh_coordinator).filter(pk=world.sj_project.pk).exists()


def test_district_coordinator_sees_projects_in_towns_below_the_district(world):
    town = AreaFactory(name="九亭镇", kind=AreaKind.TOWN, parent=world.songjiang)
    ProjectFactory(code="SJ-TOWN", area=town)
    assert codes(world.sj_coordinator) == {"SJ-001", "SJ-TOWN"}
    assert "SJ-TOWN" not in codes(world.mh_coordinator)


def test_unit_member_sees_projects_their_unit_owns_or_is_responsible_for(world):
    owned = ProjectFactory(code="MH-OWNED", area=world.minhang, owner_unit=world.sj_bureau)
    ProjectFactory(code="MH-OTHER", area=world.minhang, owner_unit=world.mh_bureau)
    # SJ-001 has the bureau as responsible unit; MH-OWNED has it as owner, in another district.
    assert codes(world.unit_member) == {"SJ-001", owned.code}


def test_owner_sees_their_enterprise_projects_only(world):
    ProjectFactory(code="SJ-002", area=world.songjiang, owner_unit=UnitFactory(name="另一家企业"))
    assert codes(world.owner) == {"SJ-001"}


def test_leader_sees_the_projects_they_lead(world):
    other_leader = PersonFactory(name="李强", is_leader=True, user=UserFactory(role=Role.LEADER))
    ProjectFactory(code="SJ-003", area=world.songjiang, lead_leader=other_leader)
    led = ProjectFactory(code="MH-LED", area=world.minhang, lead_leader=world.leader)
    assert codes(world.leader_user) == {"SJ-001", led.code}


def test_viewer_with_city_scope_sees_all_in_city(world):
    assert codes(world.viewer) == {"SJ-001", "MH-001"}


def test_user_without_any_scope_sees_nothing(world):
    nobody = UserFactory(role=Role.COORDINATOR)
    assert codes(nobody) == set()


def test_inactive_user_sees_nothing(world):
    gone = UserFactory(role=Role.COORDINATOR, scope_area=world.city, is_active=False)
    assert codes(gone) == set()


def test_inactive_administrator_sees_nothing(world):
    gone = UserFactory(role=Role.ADMINISTRATOR, is_superuser=True, is_active=False)
    assert codes(gone) == set()


def test_anonymous_sees_nothing(world):
    assert codes(AnonymousUser()) == set()
    assert codes(None) == set()


def test_area_subtree_is_the_area_and_everything_below(world):
    town = AreaFactory(name="九亭镇", kind=AreaKind.TOWN, parent=world.songjiang)
    village = AreaFactory(name="某村", kind=AreaKind.TOWN, parent=town)
    assert set(Area.objects.subtree(world.songjiang)) == {world.songjiang, town, village}
    assert set(Area.objects.subtree(world.city)) == {world.city, world.songjiang, world.minhang, town, village}
    assert set(Area.objects.subtree(town)) == {town, village}


def test_area_subtree_does_not_catch_a_sibling_whose_id_starts_alike(world):
    # "/c/9001/" is a prefix of "/c/90011/" only without the trailing slash.
    a = Area(pk=9001, name="甲区", kind=AreaKind.DISTRICT, parent=world.city)
    a.save()
    b = Area(pk=90011, name="乙区", kind=AreaKind.DISTRICT, parent=world.city)
    b.save()
    assert set(Area.objects.subtree(a)) == {a}
    ProjectFactory(code="B-001", area=b)
    coordinator = UserFactory(role=Role.COORDINATOR, scope_area=a)
    assert codes(coordinator) == set()


def test_moving_an_area_carries_its_subtree_and_projects_along(world):
    # An administrator re-attaches a town (with a village below it) from Songjiang to Minhang.
    town = AreaFactory(name="新桥镇", kind=AreaKind.TOWN, parent=world.songjiang)
    village = AreaFactory(name="某村", kind=AreaKind.TOWN, parent=town)
    ProjectFactory(code="VILLAGE-1", area=village)
    town.parent = world.minhang
    town.save()
    assert set(Area.objects.subtree(world.minhang)) == {world.minhang, town, village}
    assert set(Area.objects.subtree(world.songjiang)) == {world.songjiang}
    assert codes(world.mh_coordinator) == {"MH-001", "VILLAGE-1"}
    assert codes(world.sj_coordinator) == {"SJ-001"}


def test_a_zone_user_sees_the_projects_in_the_zone_whatever_their_district(world):
    from groundbreak.org.choices import AreaKind, Role
    from groundbreak.portfolio.models import Project
    from tests.factories import AreaFactory, UserFactory

    corridor = AreaFactory(name="长三角G60科创走廊", kind=AreaKind.ZONE, parent=world.city)
    world.sj_project.zone = corridor
    world.sj_project.save()
    zone_user = UserFactory(role=Role.COORDINATOR, scope_area=corridor)
    assert list(Project.objects.for_user(zone_user).values_list("code", flat=True)) == ["SJ-001"]
