"""Load the demo data (see `seeds.py`) through the same business actions the site uses."""

import datetime
import zlib
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from groundbreak.audit.context import acting_as
from groundbreak.demo import coordination, evidence, fieldwork, reporting, seeds
from groundbreak.org.models import Area, Person, Unit, User
from groundbreak.portfolio.actions import (
    add_pause_update,
    cancel_project,
    change_stage,
    create_project,
    pause_project,
    set_membership,
)
from groundbreak.portfolio.models import KeyFigure, KeyList, Project
from groundbreak.portfolio.publishing import publish_project
from groundbreak.portfolio.stored_lights import refresh_lights
from groundbreak.schedule.actions import add_milestone, apply_template, complete_milestone, replan_milestone
from groundbreak.schedule.choices import Evidence
from groundbreak.schedule.defaults import TEMPLATES
from groundbreak.schedule.models import MilestoneKind, MilestoneTemplate, ReplanReason

# Long enough and uncommon enough for Django's password validators.
DEMO_PASSWORD = "Groundbreak-2026"

YI = Decimal(100_000_000)

# How each approval node's document number is written; `abbr` is the issuing area's short form
# ("沪松"), `gb` its GB/T 2260 code.
APPROVAL_NUMBERS = {
    "project_filing": "{abbr}发改备〔{year}〕{serial}号",
    "feasibility": "{abbr}发改投〔{year}〕{serial}号",
    "eia": "{abbr}环审〔{year}〕{serial}号",
    "land_use_permit": "地字第{gb}{year}{serial:05d}号",
    "planning_permit": "{abbr}规建〔{year}〕{serial}号",
    "construction_permit": "{gb}{ymd}{small:02d}01",
}


def demo_logins() -> list[tuple[str, str]]:
    return [(username, description) for username, *_, description in seeds.USERS]


def load_demo() -> bool:
    """Load the demo once; False (and nothing written) if it is already there."""
    with acting_as(None, source="demo"), transaction.atomic():
        if Project.objects.filter(code=seeds.MARKER_CODE).exists():
            return False
        _Loader(timezone.localdate()).run()
        # Parts of the demo are written in bulk (no signals): compute every stored light once.
        refresh_lights(Project.objects.values_list("pk", flat=True))
    return True


class _Loader:
    def __init__(self, today: datetime.date):
        self.offset = today - seeds.SEED_NOW
        self.today = today
        self.areas: dict[str, Area] = {}
        self.abbr: dict[int, str] = {}
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.users: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.kinds = {k.code: k for k in MilestoneKind.objects.all()}
        self.reasons = {r.code: r for r in ReplanReason.objects.all()}

    def shift(self, value: str | None) -> datetime.date | None:
        if value is None:
            return None
        return datetime.date.fromisoformat(value) + self.offset

    def shift_year(self, year: int) -> int:
        # The seeds' current year is the year the demo is loaded in.
        return year + self.today.year - seeds.SEED_NOW.year

    def run(self) -> None:
        self.load_areas()
        self.load_units()
        self.load_users()
        self.load_people()
        for spec in seeds.PROJECTS:
            self.load_project(spec)
        self.load_key_lists()
        coordination.load(self)
        reporting.load(self)
        fieldwork.load(self)

    # ---- org --------------------------------------------------------------------------------

    def load_areas(self) -> None:
        for key, parent_key, kind, gb_code, name, name_en, abbr in seeds.AREAS:
            parent = self.areas[parent_key] if parent_key else None
            # An installation that already holds its territory keeps it; the demo hangs under it.
            existing = (
                Area.objects.filter(gb_code=gb_code) if gb_code else Area.objects.filter(name=name, parent=parent)
            )
            area = existing.order_by("pk").first()
            if area is None:
                area = Area.objects.create(kind=kind, parent=parent, gb_code=gb_code, name=name, name_en=name_en)
            self.areas[key] = area
            if abbr:
                self.abbr[area.pk] = abbr

    def load_units(self) -> None:
        for key, area_key, kind, name, name_en, short_name in seeds.UNITS:
            area = self.areas[area_key]
            unit = Unit.objects.filter(name=name, area=area).order_by("pk").first()
            if unit is None:
                unit = Unit.objects.create(kind=kind, area=area, name=name, name_en=name_en, short_name=short_name)
            self.units[key] = unit

    def load_users(self) -> None:
        # One hash for all: hashing is deliberately slow, and ten of them would dominate the load.
        password = make_password(DEMO_PASSWORD)
        for username, role, area_key, unit_key, _person, _description in seeds.USERS:
            if User.objects.filter(username=username).exists():
                # Someone's own account of that name stays as it is.
                continue
            admin = role == "administrator"
            self.users[username] = User.objects.create(
                username=username,
                password=password,
                role=role,
                scope_area=self.areas[area_key] if area_key else None,
                scope_unit=self.units[unit_key] if unit_key else None,
                is_staff=admin,
                is_superuser=admin,
            )

    def load_people(self) -> None:
        logins = {person: username for username, *_, person, _description in seeds.USERS if person}
        for key, unit_key, name, name_en, title, title_en, is_leader, phone in seeds.PEOPLE:
            self.people[key] = Person.objects.create(
                name=name,
                name_en=name_en,
                title=title,
                title_en=title_en,
                unit=self.units[unit_key],
                is_leader=is_leader,
                phone=phone,
                user=self.users.get(logins.get(key)),
            )

    # ---- projects ---------------------------------------------------------------------------

    def load_project(self, spec: dict) -> None:
        fields = {
            "code": spec["code"],
            "name": spec["name"],
            "name_en": spec["name_en"],
            "category": spec["category"],
            "industry": spec.get("industry", ""),
            "area": self.areas[spec["area"]],
            "zone": self.areas[spec["zone"]] if spec.get("zone") else None,
            "address": spec.get("address", ""),
            "latitude": Decimal(spec["lat"]),
            "longitude": Decimal(spec["lon"]),
            "owner_unit": self.units[spec["owner"]],
            "lead_leader": self.people[spec["leader"]],
            "responsible_unit": self.units[spec["unit"]],
            "responsible_person": self.people[spec["person"]],
            "total_investment": Decimal(spec["invest"]) * YI,
            "planned_start": self.shift(spec.get("start")),
            "planned_end": self.shift(spec.get("end")),
            "description": spec.get("description", ""),
            "parent": self.projects[spec["parent"]] if spec.get("parent") else None,
        }
        if spec.get("investment_code"):
            year, rest = spec["investment_code"].split("-", 1)
            fields["investment_code"] = f"{self.shift_year(int(year))}-{rest}"
        project = create_project(by=None, **fields)
        if spec.get("public"):
            publish_project(project=project, public=True, by=None)
        self.projects[project.code] = project

        for order, (kind, label, label_en, value, unit) in enumerate(spec.get("figures", ())):
            KeyFigure.objects.create(
                project=project, kind=kind, label=label, label_en=label_en, value=Decimal(value), unit=unit, order=order
            )
        for stage, on, *note in spec.get("history", ()):
            change_stage(project=project, to_stage=stage, on=self.shift(on), note="".join(note), by=None)
        if pause := spec.get("pause"):
            pause_project(
                project=project,
                reason=pause["reason"],
                expected_resume_on=self.shift(pause["resume"]),
                on=self.shift(pause["on"]),
                by=None,
            )
            for on, note in pause.get("updates", ()):
                add_pause_update(project=project, note=note, on=self.shift(on), by=None)
        if cancel := spec.get("cancel"):
            cancel_project(project=project, reason=cancel["reason"], on=self.shift(cancel["on"]), by=None)

        if plan := spec.get("template"):
            self.apply_template(project, plan)
        for order, node in enumerate(spec.get("nodes", ()), start=1):
            milestone = add_milestone(
                project=project,
                kind=self.kinds[node["kind"]],
                planned_date=self.shift(node["planned"]),
                by=None,
                name=node["name"],
                name_en=node["name_en"],
                responsible_unit=project.responsible_unit,
                order=order * 10,
            )
            self.progress(milestone, node["replans"], node["done"], node["note"])

    def apply_template(self, project: Project, plan: dict) -> None:
        name = TEMPLATES[project.category][0]
        templates = MilestoneTemplate.objects.filter(category=project.category)
        template = templates.filter(name=name).first() or templates.order_by("pk").first()
        done_through = datetime.date.fromisoformat(plan["done_through"])
        for milestone in apply_template(project=project, template=template, by=None):
            code = milestone.kind.code
            replans = plan.get("replans", {}).get(code, ())
            planned = milestone.planned_date - self.offset
            if replans:
                planned = datetime.date.fromisoformat(replans[-1][0])
            done = None
            if planned <= done_through and code not in plan.get("open", ()):
                done = (planned + datetime.timedelta(days=plan.get("late", {}).get(code, 0))).isoformat()
            self.progress(milestone, replans, done, "")

    def progress(self, milestone, replans, done: str | None, note: str) -> None:
        for new_date, reason, why in replans:
            replan_milestone(
                milestone=milestone, new_date=self.shift(new_date), reason=self.reasons[reason], note=why, by=None
            )
        if done is None:
            return
        actual = self.shift(done)
        if actual > self.today:
            raise ValueError(f"{milestone}: seed completion {done} lies after SEED_NOW")
        kind = milestone.kind
        number, file = "", None
        if kind.evidence == Evidence.APPROVAL_NUMBER or kind.code in APPROVAL_NUMBERS:
            number = self.approval_number(milestone.project, kind.code, actual)
        if kind.evidence == Evidence.PHOTO:
            file = ContentFile(evidence.site_photo(kind.code), name=f"{milestone.project.code}-{kind.code}.png")
        elif kind.evidence == Evidence.DOCUMENT:
            lines = [
                "Groundbreak demo evidence",
                f"Project: {milestone.project.code} {milestone.project.name_en}",
                f"Node: {milestone.name_en or kind.name_en}",
                f"Date: {actual.isoformat()}",
            ]
            file = ContentFile(evidence.document(lines), name=f"{milestone.project.code}-{kind.code}.pdf")
        complete_milestone(
            milestone=milestone, actual_date=actual, document_number=number, evidence=file, note=note, by=None
        )

    def approval_number(self, project: Project, kind: str, on: datetime.date) -> str:
        pattern = APPROVAL_NUMBERS.get(kind, "{abbr}〔{year}〕{serial}号")
        # Derived from the project and kind so that every load writes the same numbers.
        serial = zlib.crc32(f"{project.code}/{kind}".encode()) % 380 + 20
        return pattern.format(
            abbr=self.abbr.get(project.area_id, ""),
            gb=project.area.gb_code,
            year=on.year,
            ymd=on.strftime("%Y%m%d"),
            serial=serial,
            small=serial % 90 + 1,
        )

    # ---- key lists --------------------------------------------------------------------------

    def load_key_lists(self) -> None:
        year = self.shift_year(seeds.SEED_NOW.year)
        for _key, level, area_key, name, name_en, description, members in seeds.KEY_LISTS:
            key_list = KeyList.objects.create(
                name=name.format(year=year),
                name_en=name_en.format(year=year),
                year=year,
                level=level,
                area=self.areas[area_key],
                description=description,
            )
            for code, plan, target_stage, note in members:
                set_membership(
                    key_list=key_list,
                    project=self.projects[code],
                    annual_investment_plan=Decimal(plan) * YI,
                    target_stage=target_stage,
                    note=note,
                    by=None,
                )
