"""Personas shared by every test: a province with two districts, and one user per role.

Shanghai (city) ⊃ Songjiang, Minhang (districts). The district coordinator of Minhang is the
"curious insider in another district" who must not see Songjiang's projects.
"""

import pytest
from django.core.cache import caches

from groundbreak.org.choices import AreaKind, Role, UnitKind
from tests.factories import AreaFactory, PersonFactory, ProjectFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    """Tests render pages without a collectstatic run, as the demo does, and hash passwords fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Assertions read English texts; tests of the Chinese pages ask for zh-hans explicitly.
    settings.LANGUAGE_CODE = "en"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Kept dashboard figures: in memory and empty for each test (ids and the change log's head
    # repeat across rolled-back tests); shown again only while nothing was written, unless a
    # test of the keeping itself sets an age.
    settings.CACHES = {
        **settings.CACHES,
        "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-figures"},
    }
    settings.GROUNDBREAK_DASHBOARD_MAX_AGE = 0
    caches["figures"].clear()


@pytest.fixture
def world(db):
    class World:
        pass

    w = World()
    w.city = AreaFactory(name="上海市", name_en="Shanghai", kind=AreaKind.CITY, gb_code="310000")
    w.songjiang = AreaFactory(name="松江区", name_en="Songjiang", parent=w.city, gb_code="310117")
    w.minhang = AreaFactory(name="闵行区", name_en="Minhang", parent=w.city, gb_code="310112")
    w.hq = UnitFactory(name="市重大办", kind=UnitKind.HEADQUARTERS, area=w.city)
    w.sj_bureau = UnitFactory(name="松江区发改委", area=w.songjiang)
    w.mh_bureau = UnitFactory(name="闵行区发改委", area=w.minhang)
    w.enterprise = UnitFactory(name="上海云廊建设有限公司", kind=UnitKind.ENTERPRISE, area=w.songjiang)

    w.admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    w.coordinator = UserFactory(username="coord", role=Role.COORDINATOR, scope_area=w.city)
    w.sj_coordinator = UserFactory(username="sj-coord", role=Role.COORDINATOR, scope_area=w.songjiang)
    w.mh_coordinator = UserFactory(username="mh-coord", role=Role.COORDINATOR, scope_area=w.minhang)
    w.leader_user = UserFactory(username="leader", role=Role.LEADER)
    w.leader = PersonFactory(name="王明", title="松江区副区长", is_leader=True, user=w.leader_user)
    w.unit_member = UserFactory(username="sj-unit", role=Role.UNIT_MEMBER, scope_unit=w.sj_bureau)
    w.owner = UserFactory(username="owner", role=Role.OWNER, scope_unit=w.enterprise)
    w.viewer = UserFactory(username="viewer", role=Role.VIEWER, scope_area=w.city)

    w.sj_project = ProjectFactory(
        code="SJ-001",
        name="G60科创云廊二期",
        name_en="G60 Kechuang Cloud Gallery phase II",
        area=w.songjiang,
        owner_unit=w.enterprise,
        responsible_unit=w.sj_bureau,
        lead_leader=w.leader,
    )
    w.mh_project = ProjectFactory(code="MH-001", name="闵行实事项目", area=w.minhang, responsible_unit=w.mh_bureau)
    return w


@pytest.fixture
def login(client):
    """Signs the test client in as a user: `login(world.coordinator).get(url)`."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user
