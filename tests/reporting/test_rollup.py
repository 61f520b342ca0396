"""Roll-up through the area tree: district figures count in their city's and province's views."""

import datetime
from decimal import Decimal

import pytest

from groundbreak.org.choices import AreaKind, Role
from groundbreak.portfolio.choices import Stage
from groundbreak.reporting import round_actions
from groundbreak.reporting.rollup import rollup, rollup_areas
from tests.factories import AreaFactory, ProjectFactory, UserFactory
from tests.reporting.conftest import accept, accepted_month, fill, open_month, report_of


@pytest.fixture
def tree(db):
    """Zhejiang ⊃ Jiaxing ⊃ Nanhu (⊃ Science City zone), Xiuzhou; each district runs its rounds."""

    class Tree:
        pass

    t = Tree()
    t.province = AreaFactory(name="浙江省", kind=AreaKind.PROVINCE)
    t.city = AreaFactory(name="嘉兴市", kind=AreaKind.CITY, parent=t.province)
    t.nanhu = AreaFactory(name="南湖区", parent=t.city)
    t.xiuzhou = AreaFactory(name="秀洲区", parent=t.city)
    t.zone = AreaFactory(name="嘉兴科技城", kind=AreaKind.ZONE, parent=t.nanhu)
    build = lambda code, area, zone=None: ProjectFactory(code=code, area=area, zone=zone, stage=Stage.CONSTRUCTION)  # noqa: E731
    t.huna = build("NH-HN-1", t.nanhu, t.zone)
    t.microport = build("NH-WCY-2", t.nanhu, t.zone)
    t.xz = build("XZ-1", t.xiuzhou)
    t.admin = UserFactory(role=Role.ADMINISTRATOR)
    # January, accepted: Nanhu 100 + 50, Xiuzhou 30.
    jan = open_month(t.nanhu, 2025, 1)
    accept(fill(report_of(jan, t.huna), "100"))
    accept(fill(report_of(jan, t.microport), "50"))
    accepted_month(t.xiuzhou, t.xz, 2025, 1, "30")
    # February: Nanhu's round with Huna accepted (200), MicroPort only submitted (70); Xiuzhou
    # accepted (40).
    feb = open_month(t.nanhu, 2025, 2)
    accept(fill(report_of(feb, t.huna), "200"))
    fill(report_of(feb, t.microport), "70")
    accepted_month(t.xiuzhou, t.xz, 2025, 2, "40")
    t.feb_nanhu = feb
    return t


def test_city_view_rolls_up_its_districts(tree):
    view = rollup(tree.admin, tree.city, 2025, 2)
    rows = {row.name: row for row in view["children"]}
    nanhu, xiuzhou = rows["南湖区"], rows["秀洲区"]
    assert (nanhu.expected, nanhu.submitted, nanhu.accepted) == (2, 2, 1)
    assert nanhu.investment == Decimal("200")  # the submitted 70 does not count yet
    assert nanhu.ytd == Decimal("350")  # 100 + 50 in January, 200 in February
    assert (xiuzhou.investment, xiuzhou.ytd) == (Decimal("40"), Decimal("70"))  # 30 + 40
    whole = view["whole"]
    assert (whole.expected, whole.accepted) == (3, 2)
    assert (whole.investment, whole.ytd) == (Decimal("240"), Decimal("420"))  # 200 + 40; 350 + 70
    assert view["direct"].expected == 0
    (zone,) = view["zones"]
    assert (zone.name, zone.investment, zone.ytd) == ("嘉兴科技城", Decimal("200"), Decimal("350"))


def test_province_view_holds_the_same_totals_through_the_city(tree):
    view = rollup(tree.admin, tree.province, 2025, 2)
    (city,) = view["children"]
    assert (city.investment, city.ytd, city.expected) == (Decimal("240"), Decimal("420"), 3)
    january = rollup(tree.admin, tree.province, 2025, 1)
    assert (january["whole"].investment, january["whole"].ytd) == (Decimal("180"), Decimal("180"))


def test_submission_status_shows_per_district(tree):
    xz_round = tree.xz.reports.get(round__period_end=datetime.date(2025, 2, 28)).round
    round_actions.close_round(round=xz_round, by=None)
    round_actions.submit_round(round=xz_round, by=None)
    rows = {row.name: row for row in rollup(tree.admin, tree.city, 2025, 2)["children"]}
    assert rows["秀洲区"].submission == "submitted"
    assert rows["南湖区"].submission is None and rows["南湖区"].has_round == 1


def test_a_district_user_sees_only_their_subtree(tree):
    nanhu_coordinator = UserFactory(role=Role.COORDINATOR, scope_area=tree.nanhu)
    assert set(rollup_areas(nanhu_coordinator)) == {tree.nanhu, tree.zone}
    # Even asked for the city, only what the user may see is counted.
    view = rollup(nanhu_coordinator, tree.city, 2025, 2)
    assert view["whole"].ytd == Decimal("350")
