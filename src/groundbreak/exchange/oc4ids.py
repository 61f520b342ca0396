"""The projects a government chooses to publish, as an OC4IDS 0.9.5 project package.

OC4IDS (Open Contracting for Infrastructure Data Standard) is the open format the public and
transparency initiatives read; `build_package` maps our projects onto it and `validate_package`
checks a package against the official schema, vendored in `schema/oc4ids-0.9.5/` so that neither
the tests nor the running site ever fetch anything.

Only projects with `is_public=True` leave the system (`public_projects`); the caller decides
which projects go into a package, the page and the command both pass the public ones.
"""

import csv
import datetime
import functools
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.org.choices import AreaKind, UnitKind
from groundbreak.org.models import Area
from groundbreak.portfolio.choices import STAGE_ORDER, Category, Stage, Status
from groundbreak.portfolio.models import Project, StageChange
from groundbreak.schedule.models import Milestone

SCHEMA_DIR = Path(__file__).resolve().parent / "schema" / "oc4ids-0.9.5"
PROJECT_SCHEMA_URI = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"
VERSION = "0.9"
LANGUAGE = "zh"
CURRENCY = "CNY"
COUNTRY = "China"

# Identifier schemes are free text in OC4IDS; these name where each identifier comes from.
PROJECT_CODE_SCHEME = "groundbreak"
# The code of 全国投资项目在线审批监管平台 (www.tzxm.gov.cn), the national investment project register.
INVESTMENT_CODE_SCHEME = "CN-TZXM"
# GB/T 2260 is not in the open locationGazetteers codelist; we name it as the standard does.
GAZETTEER_SCHEME = "GB/T 2260"

# OC4IDS has no "paused" status (the codelist is closed): a paused project keeps the status of its
# stage, and "cancelled" wins over any stage.
STAGE_STATUS = {
    Stage.RESERVE: "identification",
    Stage.SIGNED: "preparation",
    Stage.LANDED: "preparation",
    Stage.CONSTRUCTION: "implementation",
    Stage.COMPLETED: "completion",
    Stage.PRODUCTION: "maintenance",
    Stage.FULL_PRODUCTION: "maintenance",
}
COMPLETED_STAGES = frozenset(STAGE_ORDER[STAGE_ORDER.index(Stage.COMPLETED) :])

# Node kinds to (milestoneType, milestoneCode); kinds an administrator adds later fall back on
# their `is_approval` flag.
MILESTONE_CODES = {
    "signing": ("approval", None),
    "project_filing": ("approval", "projectApproval"),
    "feasibility": ("approval", "projectApproval"),
    "eia": ("approval", "projectApproval"),
    "land_use_permit": ("approval", "projectApproval"),
    "planning_permit": ("approval", "projectApproval"),
    "construction_permit": ("approval", "projectApproval"),
    "land_transfer": ("preProcurement", None),
    "land_handover": ("preProcurement", None),
    "demolition_cleared": ("preProcurement", None),
    "groundbreaking": ("delivery", "commencement"),
    "plus_minus_zero": ("delivery", None),
    "topping_out": ("delivery", None),
    "equipment_installed": ("delivery", "commissioning"),
    "completion_acceptance": ("delivery", "completion"),
    "partial_production": ("delivery", None),
    "full_production": ("delivery", None),
    "opening": ("delivery", None),
}

# Keywords of a project's industry (or, failing that, its name) to projectSector codes, a subsector
# always with its parent. Industrial projects are always "economy": a battery factory is not energy
# infrastructure, so keywords are not read for them.
SECTOR_KEYWORDS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("轨道交通", "地铁", "公交", "metro", "subway", "bus", "tram"), ("transport", "transport.urban")),
    (("铁路", "城际", "高铁", "rail", "railway", "intercity"), ("transport", "transport.rail")),
    (
        ("道路", "公路", "高速", "桥", "隧道", "road", "roads", "highway", "bridge", "tunnel"),
        ("transport", "transport.road"),
    ),
    (("机场", "航空", "airport", "aviation"), ("transport", "transport.air")),
    (("港口", "码头", "航道", "port", "harbour", "waterway"), ("transport", "transport.water")),
    (("防洪", "海塘", "堤防", "flood"), ("naturalResources", "naturalResources.floodProtection")),
    (
        ("供水", "污水", "排水", "水厂", "水务", "垃圾", "固废", "环卫", "sewage", "wastewater", "waste"),
        ("waterAndWaste",),
    ),
    (("光伏", "太阳能", "solar"), ("energy", "energy.solar")),
    (("风电", "风力", "wind"), ("energy", "energy.wind")),
    (("电力", "电网", "变电站", "燃气", "供热", "power", "grid", "gas", "heating"), ("energy",)),
    (("通信", "5G", "数据中心", "宽带", "telecom", "broadband"), ("communications",)),
    (("学校", "中学", "小学", "幼儿园", "大学", "教育", "school", "education", "university"), ("education",)),
    (("医院", "卫生", "养老", "hospital", "health", "clinic", "elderly"), ("health",)),
    (("住房", "公寓", "安置", "保障房", "housing", "apartments", "resettlement"), ("socialHousing",)),
    (
        ("公园", "绿道", "绿化", "园林", "体育", "文化", "博物馆", "图书馆", "旅游", "park", "parks", "greenway")
        + ("sport", "sports", "stadium", "museum", "library", "tourism", "culture"),
        ("cultureSportsAndRecreation",),
    ),
    (("林业", "造林", "森林", "湿地", "forest", "forestry", "wetland"), ("naturalResources",)),
    (("政务", "行政中心", "法院", "消防", "应急", "government", "court", "fire", "emergency"), ("governance",)),
    (("农业", "agriculture"), ("economy",)),
]
CATEGORY_SECTORS = {
    Category.INDUSTRIAL: ("economy",),
    Category.ECOLOGY: ("naturalResources",),
    Category.URBAN_RENEWAL: ("socialHousing",),
}

# Words that say a project works on an existing asset rather than building a new one.
EXPANSION_WORDS = ("扩建", "expansion", "extension")
REHABILITATION_WORDS = ("改造", "修缮", "翻新", "更新", "提升", "rehabilitation", "renovation", "retrofit")

GOVERNMENT_UNIT_KINDS = frozenset(
    {UnitKind.DEPARTMENT, UnitKind.DISTRICT_GOVERNMENT, UnitKind.ZONE_COMMITTEE, UnitKind.HEADQUARTERS}
)


class PackageError(ValueError):
    """A package that cannot be written: nothing published, or it does not match the schema."""


# --- settings -------------------------------------------------------------------------------


def public_base_url() -> str:
    """The site's public address, for links in files written without a request (the command)."""
    url = getattr(settings, "GROUNDBREAK_PUBLIC_URL", "") or os.environ.get("GROUNDBREAK_PUBLIC_URL", "")
    return (url or "http://localhost:8000").rstrip("/")


def _project_id_prefix() -> str:
    # OC4IDS wants a registered "oc4ids-xxxxxx" prefix; a publisher sets theirs once registered.
    return getattr(settings, "OC4IDS_PROJECT_ID_PREFIX", "") or os.environ.get(
        "OC4IDS_PROJECT_ID_PREFIX", "groundbreak"
    )


def _publisher_name() -> str:
    return getattr(settings, "OPEN_DATA_PUBLISHER", "") or str(settings.SITE_NAME)


def _license_url() -> str:
    return getattr(settings, "OPEN_DATA_LICENSE", "") or "https://creativecommons.org/licenses/by/4.0/"


# --- small mappings, public for the pages and the tests -------------------------------------


def project_status(project: Project) -> str:
    """The projectStatus code of a project: its stage's, or "cancelled"."""
    if project.status == Status.CANCELLED:
        return "cancelled"
    return STAGE_STATUS[project.stage]


def milestone_status(milestone: Milestone, today: datetime.date | None = None) -> str:
    """The milestoneStatus code: met when done, notMet when past its planned date, else scheduled."""
    today = today or timezone.localdate()
    if milestone.actual_date is not None:
        return "met"
    if milestone.planned_date < today:
        return "notMet"
    return "scheduled"


def _matches(text: str, words) -> bool:
    for word in words:
        if word.isascii():
            # English words match whole words only: "port" must not match "transport".
            if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
                return True
        elif word in text:
            return True
    return False


def project_sectors(project: Project) -> list[str]:
    """projectSector codes from the category and the industry (or name); may be empty."""
    if project.category == Category.INDUSTRIAL:
        return list(CATEGORY_SECTORS[Category.INDUSTRIAL])
    for text in (project.industry, f"{project.name} {project.name_en}"):
        codes = []
        for words, sectors in SECTOR_KEYWORDS:
            if text and _matches(text, words):
                codes.extend(code for code in sectors if code not in codes)
        if codes:
            return codes
    return list(CATEGORY_SECTORS.get(project.category, ()))


def project_type(project: Project) -> str:
    """The projectType code: expansion or rehabilitation when the words say so, else construction."""
    text = f"{project.name} {project.name_en} {project.industry}"
    if _matches(text, EXPANSION_WORDS):
        return "expansion"
    if project.category == Category.URBAN_RENEWAL or _matches(text, REHABILITATION_WORDS):
        return "rehabilitation"
    return "construction"


def _milestone_codes(milestone: Milestone) -> tuple[str | None, str | None]:
    if milestone.kind.code in MILESTONE_CODES:
        return MILESTONE_CODES[milestone.kind.code]
    if milestone.kind.is_approval:
        return "approval", "projectApproval"
    return None, None


# --- dates ----------------------------------------------------------------------------------


def _date_time(day: datetime.date) -> str:
    """A date as the RFC 3339 date-time OC4IDS requires: local midnight with its offset."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def _instant(moment: datetime.datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _completion_date(project: Project) -> datetime.date | None:
    """When the project was completed: the completion-acceptance node if met, else the history."""
    for milestone in project.milestones.all():
        if milestone.kind.code == "completion_acceptance" and milestone.actual_date:
            return milestone.actual_date
    reached = {}
    for change in project.stage_changes.all():
        if change.kind in (StageChange.Kind.STAGE, StageChange.Kind.CORRECTION):
            reached[change.to_stage] = change.on
            if change.kind == StageChange.Kind.CORRECTION:
                reached.pop(change.from_stage, None)
    # A project may skip from construction straight into production: it was complete by then.
    dates = [on for stage, on in reached.items() if stage in COMPLETED_STAGES]
    return min(dates) if dates else None


# --- the project ----------------------------------------------------------------------------


def _area_chain(area: Area, areas: dict[int, Area]) -> list[Area]:
    """The area and its ancestors, top first, from the preloaded areas."""
    ids = [int(pk) for pk in area.path.strip("/").split("/") if pk]
    return [areas[pk] for pk in ids if pk in areas]


def _location(project: Project, areas: dict[int, Area]) -> dict:
    chain = [a for a in _area_chain(project.area, areas) if a.kind != AreaKind.ZONE]
    place = "".join(a.name for a in chain)
    if project.zone_id:
        place = f"{place} {project.zone.name}".strip()
    location = {"id": "1", "description": project.address.strip() or place or project.area.name}
    if project.latitude is not None and project.longitude is not None:
        location["geometry"] = {"type": "Point", "coordinates": [float(project.longitude), float(project.latitude)]}
    coded = [a for a in _area_chain(project.area, areas) if a.gb_code]
    if coded:
        location["gazetteer"] = {"scheme": GAZETTEER_SCHEME, "identifiers": [coded[-1].gb_code]}
    address = {"countryName": COUNTRY}
    if chain:
        address["region"] = chain[0].name
    if len(chain) > 1:
        address["locality"] = "".join(a.name for a in chain[1:])
    if project.address.strip():
        address["streetAddress"] = project.address.strip()
    location["address"] = address
    return location


def _parties(project: Project) -> tuple[list[dict], dict | None]:
    """The project's units with their roles, and the reference to its public authority."""
    parties: dict[int, dict] = {}

    def add(unit, *roles):
        party = parties.setdefault(unit.pk, {"id": f"unit-{unit.pk}", "name": unit.name, "roles": []})
        party["roles"].extend(role for role in roles if role not in party["roles"])

    authority = None
    if project.owner_unit_id:
        owner = project.owner_unit
        if owner.kind in GOVERNMENT_UNIT_KINDS:
            # The government body developing the asset is OC4IDS's public authority (CoST's
            # "project owner"); an enterprise owner is not public, but its budget pays: a buyer.
            add(owner, "publicAuthority", "buyer")
            authority = {"id": f"unit-{owner.pk}", "name": owner.name}
        else:
            add(owner, "buyer")
    if project.responsible_unit_id:
        add(project.responsible_unit, "administrativeEntity")
    if project.lead_leader_id and project.lead_leader.unit_id:
        add(project.lead_leader.unit, "administrativeEntity")
    return list(parties.values()), authority


def _milestone(milestone: Milestone, today: datetime.date) -> dict:
    entry = {"id": str(milestone.pk), "title": milestone.name or milestone.kind.name}
    kind, code = _milestone_codes(milestone)
    if kind:
        entry["type"] = kind
    if code:
        entry["code"] = code
    entry["dueDate"] = _date_time(milestone.planned_date)
    if milestone.actual_date:
        entry["dateMet"] = _date_time(milestone.actual_date)
    entry["status"] = milestone_status(milestone, today)
    return entry


def _amount(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def project_id(project: Project) -> str:
    """The project's OC4IDS id: the publisher's prefix and our project code."""
    return f"{_project_id_prefix()}-{project.code}"


def build_project(project: Project, areas: dict[int, Area], today: datetime.date | None = None) -> dict:
    """One OC4IDS project. `project` must come from `prepare_projects` (no queries here)."""
    today = today or timezone.localdate()
    identifiers = [{"id": project.code, "scheme": PROJECT_CODE_SCHEME}]
    if project.investment_code:
        identifiers.append({"id": project.investment_code, "scheme": INVESTMENT_CODE_SCHEME})
    data = {
        "id": project_id(project),
        "updated": _instant(project.updated_at),
        "language": LANGUAGE,
        "identifiers": identifiers,
        "title": project.name,
    }
    if project.description.strip():
        data["description"] = project.description.strip()
    data["status"] = project_status(project)
    data["type"] = project_type(project)
    sectors = project_sectors(project)
    if sectors:
        data["sector"] = sectors
    if project.total_investment is not None:
        data["budget"] = {"amount": {"amount": _amount(project.total_investment), "currency": CURRENCY}}
    period = {}
    if project.planned_start:
        period["startDate"] = _date_time(project.planned_start)
    if project.planned_end:
        period["endDate"] = _date_time(project.planned_end)
    if period:
        data["period"] = period
    data["locations"] = [_location(project, areas)]
    parties, authority = _parties(project)
    if parties:
        data["parties"] = parties
    if authority:
        data["publicAuthority"] = authority
    milestones = [_milestone(m, today) for m in project.milestones.all()]
    if milestones:
        data["milestones"] = milestones
    if project.stage in COMPLETED_STAGES and project.status != Status.CANCELLED:
        ended = _completion_date(project)
        if ended:
            data["completion"] = {"endDate": _date_time(ended)}
    return data


def prepare_projects(projects) -> list[Project]:
    """The projects with everything `build_project` reads, loaded in a fixed number of queries."""
    if not isinstance(projects, QuerySet):
        projects = Project.objects.filter(pk__in=[p.pk for p in projects])
    return list(
        projects.select_related("area", "zone", "owner_unit", "responsible_unit", "lead_leader__unit")
        .prefetch_related(
            Prefetch(
                "milestones", queryset=Milestone.objects.select_related("kind").order_by("planned_date", "order", "id")
            ),
            Prefetch("stage_changes", queryset=StageChange.objects.order_by("on", "id")),
        )
        .order_by("code")
    )


def _areas_of(projects: list[Project]) -> dict[int, Area]:
    ids = {int(pk) for p in projects for pk in p.area.path.strip("/").split("/") if pk}
    return {area.pk: area for area in Area.objects.filter(pk__in=ids)} if ids else {}


def public_projects():
    """The projects published as open data: the only ones any public output may contain."""
    return Project.objects.filter(is_public=True)


def build_package(projects, *, published_at: datetime.datetime | None = None, uri: str | None = None) -> dict:
    """An OC4IDS 0.9.5 project package of `projects` (a queryset or a list), ordered by code.

    `published_at` defaults to the last change of the projects and their nodes, so the same data
    gives the same package; `uri` to the public address of the package. The schema requires at
    least one project: an empty list gives a package that does not validate.
    """
    loaded = prepare_projects(projects)
    areas = _areas_of(loaded)
    today = timezone.localdate()
    if published_at is None:
        moments = [p.updated_at for p in loaded] + [m.updated_at for p in loaded for m in p.milestones.all()]
        published_at = max(moments) if moments else timezone.now()
    uri = uri or public_base_url() + reverse("exchange:opendata-oc4ids")
    return {
        "uri": uri,
        "publishedDate": _instant(published_at),
        "version": VERSION,
        "publisher": {"name": _publisher_name()},
        "license": _license_url(),
        "publicationPolicy": urljoin(uri, reverse("exchange:opendata-list")) + "#about",
        "projects": [build_project(p, areas, today) for p in loaded],
    }


# --- validation -----------------------------------------------------------------------------

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    if not value.isascii() or not _URI.match(value) or re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return False
    try:
        urlsplit(value)
    except ValueError:
        return False
    return True


def _format_checker():
    from jsonschema import Draft4Validator, FormatChecker

    # jsonschema checks "date-time" and "uri" only with optional packages we do not install, and
    # skips them silently without; these two checks make format checking real.
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft4Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


@functools.cache
def package_validator():
    """A Draft 4 validator of the vendored package schema that resolves the project schema
    locally by its public id, and cannot fetch anything."""
    from jsonschema import Draft4Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    package_schema = json.loads((SCHEMA_DIR / "project-package-schema.json").read_text(encoding="utf-8"))
    project_schema = json.loads((SCHEMA_DIR / "project-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(PROJECT_SCHEMA_URI, DRAFT4.create_resource(project_schema))
    return Draft4Validator(package_schema, registry=registry, format_checker=_format_checker())


def validate_package(package: dict) -> list[str]:
    """Every way `package` breaks the OC4IDS schema, as "path: message" lines; empty when valid."""
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(package)'}: {e.message}" for e in errors]


def codelist(name: str) -> list[str]:
    """The codes of a vendored OC4IDS codelist ("projectStatus", …)."""
    with (SCHEMA_DIR / "codelists" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return [row["Code"] for row in csv.DictReader(handle)]


# --- the file -------------------------------------------------------------------------------


def write_package(path) -> int:
    """Write the package of all published projects to `path` as UTF-8 JSON; returns how many.

    Raises PackageError, writing nothing, when no project is published (a package needs one) or
    when the package does not validate (a bug in this mapping, never to be published).
    """
    package = build_package(public_projects())
    if not package["projects"]:
        raise PackageError(_("No project is published as open data; an OC4IDS package needs at least one."))
    errors = validate_package(package)
    if errors:
        raise PackageError(_("The OC4IDS package does not match the schema:") + "\n" + "\n".join(errors))
    Path(path).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(package["projects"])
