"""The OC4IDS export: what the public and transparency portals receive, checked against the
official 0.9.5 schema offline."""

import datetime
import json
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundbreak.exchange import oc4ids
from groundbreak.exchange.oc4ids import (
    SCHEMA_DIR,
    PackageError,
    build_package,
    codelist,
    package_validator,
    project_status,
    public_projects,
    validate_package,
    write_package,
)
from groundbreak.org.choices import AreaKind, UnitKind
from groundbreak.portfolio.choices import Category, Stage, Status
from groundbreak.portfolio.models import Project, StageChange
from tests.factories import AreaFactory, MilestoneFactory, PersonFactory, ProjectFactory, UnitFactory, kind

SHARED_OC4IDS = Path(__file__).resolve().parents[2].parent / "shared" / "oc4ids"


@pytest.fixture(autouse=True)
def _china_time(settings):
    """Dates are published as local midnight with the offset of the site's time zone."""
    settings.TIME_ZONE = "Asia/Shanghai"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def publish_world(w):
    """Published projects at every stage, paused, cancelled, with and without coordinates and
    nodes; the world's Minhang project stays unpublished."""
    w.town = AreaFactory(name="泗泾镇", name_en="Sijing", kind=AreaKind.TOWN, parent=w.songjiang, gb_code="310117102")
    w.zone = AreaFactory(name="G60科创走廊", kind=AreaKind.ZONE, parent=w.city)
    w.sj_gov = UnitFactory(name="松江区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, area=w.songjiang)
    w.leader.unit = w.sj_gov
    w.leader.save()

    p = w.sj_project
    p.is_public = True
    p.stage = Stage.CONSTRUCTION
    p.investment_code = "2022-310117-47-01-012345"
    p.total_investment = Decimal("3500000000.00")
    p.latitude, p.longitude = Decimal("31.036100"), Decimal("121.227900")
    p.address = "松江区新桥镇G60科创云廊"
    p.zone = w.zone
    p.description = "G60科创走廊的标志性载体。"
    p.planned_end = days(600)
    p.save()
    MilestoneFactory(project=p, kind=kind("construction_permit"), planned_date=days(-40), actual_date=days(-45))
    MilestoneFactory(project=p, kind=kind("groundbreaking"), planned_date=days(-10))  # overdue
    MilestoneFactory(project=p, kind=kind("topping_out"), planned_date=days(200), name="主体结顶（A区）")

    w.projects = {"construction": p}
    for index, stage in enumerate(Stage.values):
        if stage == Stage.CONSTRUCTION:
            continue
        w.projects[stage] = ProjectFactory(
            code=f"PUB-{index}",
            name=f"公开项目{stage}",
            stage=stage,
            area=w.town if index % 2 else w.songjiang,
            category=[Category.INFRASTRUCTURE, Category.LIVELIHOOD, Category.ECOLOGY][index % 3],
            industry=["城市轨道交通", "保障性租赁住房", "园林绿化"][index % 3],
            owner_unit=w.hq if index % 2 else None,
            responsible_unit=w.sj_bureau,
            latitude=Decimal("31.0") if index % 2 else None,
            longitude=Decimal("121.2") if index % 2 else None,
            planned_start=None if index == 0 else days(-300),
            total_investment=None if index == 0 else Decimal("12345678.90"),
            is_public=True,
        )
    completed = w.projects[Stage.COMPLETED]
    MilestoneFactory(
        project=completed, kind=kind("completion_acceptance"), planned_date=days(-30), actual_date=days(-20)
    )
    production = w.projects[Stage.PRODUCTION]
    StageChange.objects.create(project=production, from_stage="construction", to_stage="production", on=days(-5))
    w.paused = ProjectFactory(
        code="PUB-PAUSED",
        name="暂停项目",
        stage=Stage.LANDED,
        status=Status.PAUSED,
        pause_reason="资金未到位",
        area=w.songjiang,
        is_public=True,
    )
    MilestoneFactory(project=w.paused, kind=kind("land_handover"), planned_date=days(-3))
    w.cancelled = ProjectFactory(
        code="PUB-CANCELLED",
        name="旧城区道路改扩建工程",
        category=Category.INFRASTRUCTURE,
        stage=Stage.SIGNED,
        status=Status.CANCELLED,
        area=w.minhang,
        owner_unit=w.enterprise,
        responsible_unit=w.enterprise,
        is_public=True,
    )
    w.hidden = ProjectFactory(code="SJ-SECRET", name="未公开项目", area=w.songjiang, stage=Stage.CONSTRUCTION)
    return w


@pytest.fixture
def published(world):
    return publish_world(world)


def by_code(package) -> dict[str, dict]:
    return {p["identifiers"][0]["id"]: p for p in package["projects"]}


def test_package_of_a_varied_world_validates_against_the_official_schema(published):
    package = build_package(public_projects())
    errors = validate_package(package)
    assert not errors, "\n".join(errors)
    assert len(package["projects"]) == public_projects().count() == 9
    assert package["version"] == "0.9"
    assert package["uri"].endswith("/open-data/oc4ids.json")
    assert all(isinstance(p["id"], str) for p in package["projects"])


def test_unpublished_projects_stay_out(published):
    codes = set(by_code(build_package(public_projects())))
    assert "SJ-SECRET" not in codes
    assert "MH-001" not in codes
    assert {"SJ-001", "PUB-PAUSED", "PUB-CANCELLED"} <= codes


@pytest.mark.parametrize(
    ("stage", "status", "expected"),
    [
        (Stage.RESERVE, Status.ACTIVE, "identification"),
        (Stage.SIGNED, Status.ACTIVE, "preparation"),
        (Stage.LANDED, Status.ACTIVE, "preparation"),
        (Stage.CONSTRUCTION, Status.ACTIVE, "implementation"),
        (Stage.COMPLETED, Status.ACTIVE, "completion"),
        (Stage.PRODUCTION, Status.ACTIVE, "maintenance"),
        (Stage.FULL_PRODUCTION, Status.ACTIVE, "maintenance"),
        (Stage.CONSTRUCTION, Status.PAUSED, "implementation"),
        (Stage.LANDED, Status.PAUSED, "preparation"),
        (Stage.SIGNED, Status.CANCELLED, "cancelled"),
        (Stage.CONSTRUCTION, Status.CANCELLED, "cancelled"),
    ],
)
def test_stage_and_status_map_to_the_project_status_codelist(stage, status, expected):
    assert project_status(Project(stage=stage, status=status)) == expected
    assert expected in codelist("projectStatus")


def test_a_published_project_carries_its_facts(published):
    sj = by_code(build_package(public_projects()))["SJ-001"]
    assert sj["id"] == "groundbreak-SJ-001"
    assert sj["language"] == "zh"
    assert sj["title"] == "G60科创云廊二期"
    assert sj["description"] == "G60科创走廊的标志性载体。"
    assert sj["identifiers"] == [
        {"id": "SJ-001", "scheme": "groundbreak"},
        {"id": "2022-310117-47-01-012345", "scheme": "CN-TZXM"},
    ]
    assert sj["status"] == "implementation"
    assert sj["type"] == "construction"
    assert sj["sector"] == ["economy"]
    assert sj["budget"] == {"amount": {"amount": 3500000000, "currency": "CNY"}}
    assert sj["period"]["startDate"].endswith("T00:00:00+08:00")
    location = sj["locations"][0]
    assert location["geometry"] == {"type": "Point", "coordinates": [121.2279, 31.0361]}
    assert location["gazetteer"] == {"scheme": "GB/T 2260", "identifiers": ["310117"]}
    assert location["address"] == {
        "countryName": "China",
        "region": "上海市",
        "locality": "松江区",
        "streetAddress": "松江区新桥镇G60科创云廊",
    }
    assert "completion" not in sj


def test_parties_have_string_ids_roles_from_the_codelist_and_are_referenced(published):
    package = build_package(public_projects())
    projects = by_code(package)
    roles = set(codelist("partyRole"))
    for project in package["projects"]:
        ids = [party["id"] for party in project.get("parties", [])]
        assert len(ids) == len(set(ids))
        for party in project.get("parties", []):
            assert isinstance(party["id"], str) and set(party["roles"]) <= roles
        if "publicAuthority" in project:
            assert project["publicAuthority"]["id"] in ids

    sj = {p["name"]: p["roles"] for p in projects["SJ-001"]["parties"]}
    assert sj == {
        "上海云廊建设有限公司": ["buyer"],
        "松江区发改委": ["administrativeEntity"],
        "松江区人民政府": ["administrativeEntity"],
    }
    assert "publicAuthority" not in projects["SJ-001"]  # an enterprise owner is not a public authority

    government_owned = projects["PUB-1"]
    assert government_owned["publicAuthority"]["name"] == "市重大办"
    assert {"publicAuthority", "buyer"} <= set(
        next(p for p in government_owned["parties"] if p["name"] == "市重大办")["roles"]
    )
    # The same unit as owner and responsible unit is one party with both roles.
    assert projects["PUB-CANCELLED"]["parties"] == [
        {
            "id": f"unit-{published.enterprise.pk}",
            "name": "上海云廊建设有限公司",
            "roles": ["buyer", "administrativeEntity"],
        }
    ]


def test_milestones_are_met_overdue_or_scheduled(published):
    sj = by_code(build_package(public_projects()))["SJ-001"]
    milestones = {m["title"]: m for m in sj["milestones"]}
    permit = milestones["建筑工程施工许可证"]
    assert permit["status"] == "met"
    assert permit["type"] == "approval" and permit["code"] == "projectApproval"
    assert permit["dateMet"] == f"{days(-45).isoformat()}T00:00:00+08:00"
    groundbreaking = milestones["开工"]
    assert groundbreaking["status"] == "notMet" and "dateMet" not in groundbreaking
    assert groundbreaking["code"] == "commencement"
    assert milestones["主体结顶（A区）"]["status"] == "scheduled"
    assert all(isinstance(m["id"], str) for m in sj["milestones"])


def test_completed_projects_say_when_they_were_completed(published):
    projects = by_code(build_package(public_projects()))
    assert projects["PUB-4"]["completion"] == {"endDate": f"{days(-20).isoformat()}T00:00:00+08:00"}
    # Without a met acceptance node the stage history tells when it was (at the latest) complete.
    assert projects["PUB-5"]["completion"] == {"endDate": f"{days(-5).isoformat()}T00:00:00+08:00"}
    assert "completion" not in projects["PUB-CANCELLED"]
    assert projects["PUB-CANCELLED"]["status"] == "cancelled"


def test_every_code_emitted_is_in_its_codelist(published):
    package = build_package(public_projects())
    sectors, types, milestone_types, milestone_codes = set(), set(), set(), set()
    for project in package["projects"]:
        sectors |= set(project.get("sector", []))
        types.add(project["type"])
        for m in project.get("milestones", []):
            milestone_types.add(m.get("type"))
            milestone_codes.add(m.get("code"))
    assert sectors <= set(codelist("projectSector"))
    assert {"economy", "transport", "transport.urban", "socialHousing"} <= sectors
    assert types <= set(codelist("projectType"))
    assert "expansion" in types  # 改扩建
    assert milestone_types - {None} <= set(codelist("milestoneType"))
    assert milestone_codes - {None} <= set(codelist("milestoneCode"))
    for kind_code, (kind_type, kind_code_value) in oc4ids.MILESTONE_CODES.items():
        assert kind_type in codelist("milestoneType"), kind_code
        assert kind_code_value is None or kind_code_value in codelist("milestoneCode"), kind_code


def test_a_project_without_optional_facts_is_still_valid(published):
    bare = by_code(build_package(public_projects()))["PUB-0"]
    assert "budget" not in bare and "period" not in bare and "milestones" not in bare
    assert "geometry" not in bare["locations"][0]
    assert not validate_package(build_package([published.projects[Stage.RESERVE]]))


def test_package_date_and_address_can_be_given(published):
    moment = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)
    package = build_package(public_projects(), published_at=moment, uri="https://data.example.gov.cn/oc4ids.json")
    assert package["publishedDate"] == "2024-05-01T17:30:00+08:00"
    assert package["uri"] == "https://data.example.gov.cn/oc4ids.json"
    assert package["publicationPolicy"] == "https://data.example.gov.cn/open-data/#about"
    assert not validate_package(package)


def test_the_same_data_gives_the_same_package(published):
    assert build_package(public_projects()) == build_package(public_projects())


def test_validation_really_checks_required_fields_and_formats(published):
    package = build_package(public_projects())
    i = next(n for n, p in enumerate(package["projects"]) if p["identifiers"][0]["id"] == "SJ-001")
    del package["publisher"]
    package["publishedDate"] = "2024-13-45"
    package["uri"] = "not a uri"
    package["projects"][i]["status"] = "paused"
    package["projects"][i]["milestones"][0]["dueDate"] = "2024-05-01"
    errors = "\n".join(validate_package(package))
    assert "'publisher' is a required property" in errors
    assert "publishedDate: '2024-13-45' is not a 'date-time'" in errors
    assert "uri: 'not a uri' is not a 'uri'" in errors
    assert f"projects/{i}/status: 'paused' is not one of" in errors
    assert f"projects/{i}/milestones/0/dueDate: '2024-05-01' is not a 'date-time'" in errors
    assert validate_package({**build_package(public_projects()), "projects": []})


def test_validation_works_offline(published, monkeypatch):
    package = build_package(public_projects())

    def no_network(*args, **kwargs):
        raise AssertionError("the validator tried to reach the network")

    package_validator.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    try:
        assert validate_package(package) == []
    finally:
        package_validator.cache_clear()


def test_validator_uses_the_vendored_schema():
    validator = package_validator()
    assert validator.schema["id"].endswith("/0__9__5/project-package-schema.json")
    assert SCHEMA_DIR.is_relative_to(Path(oc4ids.__file__).parent)
    for name in ("project-package-schema.json", "project-schema.json", "LICENSE"):
        assert (SCHEMA_DIR / name).is_file()


# SHA-256 of the files of the official OC4IDS 0.9.5 release (open-contracting/infrastructure at
# 74789408afc8c44a72922d2aa5b091cddcb21604), taken from the copy in shared/oc4ids.
OFFICIAL_SHA256 = {
    "project-package-schema.json": "0592b7680818bd470e23e66dca725ef42221f947175a66b682aeaed58d9ddda5",
    "project-schema.json": "fa58e8b15fb4c591f8af0803f2326a0348c2637f5b708b41fac393497d6ca8c2",
    "codelists/milestoneCode.csv": "09c08bd807ca0f3fcdb6a2291a170b9f4d1254e621dca545f77f5847b1cdbe7a",
    "codelists/milestoneStatus.csv": "ee8bd7b14dcdaec97bf5b2b68e0be4690b252e847a4ea009b49834666b2d4925",
    "codelists/milestoneType.csv": "c60c618681f1b58fc09c6f921a7075f06c617be6b84c16da96d04da55668cf9b",
    "codelists/partyRole.csv": "95c1c6dafd758e1b13e0dd34b6034066237b6fd19bb630e4cce99e6601235d54",
    "codelists/projectSector.csv": "7f876861379f15efa1294c88040af30c1f0212376b41fca6c186e4732a04b74a",
    "codelists/projectStatus.csv": "e5d97d8b66ff64bb668f0ab84f55dcf875a5f09ba36463c0a6d1fc41af72836b",
    "codelists/projectType.csv": "7b2910d53155cd3636df8c45dc2c7a0c75f20553ff579535aa30737f215fe3a0",
}


def test_vendored_schema_is_the_official_release():
    import hashlib

    for name, digest in OFFICIAL_SHA256.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name
    # Where shared/ lies beside the repository (CI, developers), every vendored file matches it too.
    if SHARED_OC4IDS.is_dir():
        for path in sorted(p for p in SCHEMA_DIR.rglob("*") if p.is_file()):
            relative = path.relative_to(SCHEMA_DIR)
            assert path.read_bytes() == (SHARED_OC4IDS / relative).read_bytes(), relative


def _world_of(n: int, w) -> None:
    for i in range(n):
        leader = PersonFactory(unit=UnitFactory(area=w.songjiang), is_leader=True)
        project = ProjectFactory(
            code=f"Q{n}-{i}",
            area=w.songjiang,
            zone=w.zone,
            owner_unit=UnitFactory(area=w.songjiang),
            responsible_unit=w.sj_bureau,
            lead_leader=leader,
            latitude=Decimal("31.1"),
            longitude=Decimal("121.1"),
            is_public=True,
        )
        MilestoneFactory(project=project, kind=kind("groundbreaking"), planned_date=days(-5))
        MilestoneFactory(project=project, kind=kind("topping_out"), planned_date=days(50))
        StageChange.objects.create(project=project, from_stage="reserve", to_stage="signed", on=days(-50))


def _queries_to_build(projects) -> int:
    with CaptureQueriesContext(connection) as queries:
        build_package(projects)
    return len(queries)


def test_building_the_package_takes_the_same_few_queries_for_any_number_of_projects(published):
    Project.objects.update(is_public=False)
    _world_of(2, published)
    small = _queries_to_build(public_projects())
    _world_of(8, published)
    assert public_projects().count() == 10
    large = _queries_to_build(public_projects())
    # Projects with their units, their nodes, their stage history, the areas above them.
    assert small == large == 4, (small, large)


def test_write_package_writes_utf8_json_of_the_published_projects(published, tmp_path):
    path = tmp_path / "oc4ids.json"
    count = write_package(path)
    assert count == 9
    text = path.read_text(encoding="utf-8")
    assert "松江区" in text  # real characters, not \u escapes
    package = json.loads(text)
    assert len(package["projects"]) == count
    assert not validate_package(package)
    assert "SJ-SECRET" not in text


def test_write_package_refuses_an_empty_package(world, tmp_path):
    path = tmp_path / "oc4ids.json"
    with pytest.raises(PackageError, match="at least one"):
        write_package(path)
    assert not path.exists()
