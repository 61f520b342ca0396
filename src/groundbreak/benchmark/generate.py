"""A deterministic (seeded) generator of province- or city-sized data, written in bulk.

It writes rows directly (COPY on PostgreSQL, executemany on SQLite), not through the business
actions: no change-log entries are written (the benchmark data has no change history) and no
model `save()` or signal runs. Ids are assigned here, so foreign keys cost no round trip.

Sizes at `province` (per project: 10 milestones, 2 re-plans per milestone, 4 issues with 5
responses each, 12 monthly reports): 150 areas, 5,000 users, 50,000 projects, 500,000 milestones,
1,000,000 re-plans, 200,000 issues, 1,000,000 responses, 600,000 reports (and their versions).
`city` is about 2,000 projects with everything under them in the same proportions; `tiny` a few
dozen, for tests.
"""

import datetime
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from groundbreak.benchmark.writer import Writer

BENCH_PASSWORD = "bench-pass-2026"
# The data is "as of" this day, so one seed always gives the same rows.
AS_OF = datetime.date(2026, 11, 25)


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int  # 0: the root is a city and its districts hang below it
    districts: int
    zones: int
    projects: int
    users: int
    enterprises: int


SCALES = {
    "province": Scale("province", cities=13, districts=100, zones=36, projects=50_000, users=5_000, enterprises=10_000),
    "city": Scale("city", cities=0, districts=12, zones=4, projects=2_000, users=200, enterprises=400),
    "tiny": Scale("tiny", cities=0, districts=3, zones=1, projects=40, users=20, enterprises=8),
    # Three times tiny: the second size of the query-count pins.
    "tiny3": Scale("tiny3", cities=0, districts=9, zones=3, projects=120, users=60, enterprises=24),
}

STAGES = ["reserve", "signed", "landed", "construction", "completed", "production", "full_production"]
STAGE_WEIGHTS = [10, 10, 12, 40, 10, 12, 6]
CATEGORIES = ["industrial", "infrastructure", "livelihood", "urban_renewal", "ecology", "social"]
INDUSTRIES = [
    "集成电路",
    "生物医药",
    "人工智能",
    "新能源汽车",
    "高端装备",
    "新材料",
    "现代物流",
    "文化旅游",
    "城市更新",
    "交通",
]
CITY_NAMES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "义乌", "海宁"]
DEPARTMENTS = ["发展和改革委员会", "住房和城乡建设局", "规划和自然资源局", "生态环境局"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬建国志宏晓东海波"
ISSUE_STATUSES = ["open", "in_progress", "resolved", "returned", "closed"]
ISSUE_WEIGHTS = [15, 20, 10, 5, 50]
ISSUE_TITLES = [
    "用地指标未落实",
    "施工许可待办",
    "资金到位滞后",
    "征迁未完成",
    "管线迁改",
    "环评批复待办",
    "用工短缺",
    "安全隐患整改",
]


def _dt(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=datetime.UTC)


def _month_end(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


class Generator:
    def __init__(self, scale: Scale, seed: int = 2026, verbose: bool = True, dry: bool = False):
        self.scale = scale
        self.rng = random.Random(seed)
        self.verbose = verbose
        self.dry = dry
        self.w = Writer(verbose=verbose, dry=dry)
        self.now = _dt(AS_OF, 2)

    def log(self, text: str) -> None:
        if self.verbose:
            print(text, flush=True)

    # ---- entry point -------------------------------------------------------------------------

    def run(self) -> dict:
        from groundbreak.portfolio.models import Project

        if Project.objects.exists():
            raise SystemExit("The database already holds projects: generate into an empty, migrated database.")
        if connection.vendor == "postgresql" and not self.dry:
            # The bench settings cancel statements after 35 s (a page that slow is a finding); a
            # bulk load of 500,000 rows on a busy machine may take longer and must not be cancelled.
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        started = time.perf_counter()
        with transaction.atomic():
            self.reference_data()
            self.areas()
            self.units_people_users()
            self.projects()
            self.keylists()
            self.milestones()
            self.engagements_issues()
            self.reports()
            self.w.reset_sequences()
        if not self.dry:
            # What the worker's daily step does: store every project's light (the data is written
            # without signals). Timed apart, since a real deployment pays it once a day.
            from groundbreak.portfolio.stored_lights import refresh_stale_lights

            lights_started = time.perf_counter()
            self.log("  storing the warning lights …")
            refreshed = refresh_stale_lights()
            self.log(f"  {refreshed:,} lights stored in {time.perf_counter() - lights_started:.1f} s")
        if connection.vendor == "postgresql" and not self.dry:
            # After the lights: storing them rewrites every project row, and with the dead rows
            # left behind (our servers run without autovacuum) the planner's row estimates for
            # projects doubled.
            # VACUUM cannot run in a transaction (a test's): there, statistics are what count.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            self.log(f"  {command} …")
            with connection.cursor() as cursor:
                cursor.execute(command)
        elapsed = time.perf_counter() - started
        self.log(f"Generated {sum(self.w.counts.values()):,} rows in {elapsed:.0f} s")
        return {"seconds": elapsed, "counts": dict(self.w.counts), "digest": self.w.digest.hexdigest()}

    # ---- reference rows the migrations create ---------------------------------------------

    def reference_data(self):
        from groundbreak.coordination.models import IssueCategory
        from groundbreak.schedule.models import MilestoneKind, ReplanReason

        self.kinds = list(MilestoneKind.objects.order_by("order", "code").values_list("pk", flat=True))
        self.reasons = list(ReplanReason.objects.values_list("pk", flat=True))
        self.issue_categories = list(IssueCategory.objects.values_list("pk", flat=True))
        if not (self.kinds and self.reasons and self.issue_categories):
            raise SystemExit("Reference data missing: run `groundbreak migrate` first.")

    # ---- areas -------------------------------------------------------------------------------

    def areas(self):
        from groundbreak.org.models import Area

        s, rng = self.scale, self.rng
        rows = []
        self.area_path = {}
        self.districts, self.zones, self.cities = [], [], []
        self.city_of = {}
        aid = 0

        def add(kind, name, parent, code=""):
            nonlocal aid
            aid += 1
            path = f"{self.area_path[parent] if parent else '/'}{aid}/"
            self.area_path[aid] = path
            depth = path.count("/") - 2
            rows.append((aid, name, "", kind, parent, code, path, depth, self.now, self.now))
            return aid

        if s.cities:
            self.root = add("province", "浙江省", None, "330000")
            for i in range(s.cities):
                self.cities.append(add("city", f"{CITY_NAMES[i % len(CITY_NAMES)]}市", self.root, f"33{i + 1:02d}00"))
        else:
            self.root = add("city", "示范市", None, "330100")
            self.cities = [self.root]
        for i in range(s.districts):
            city = self.cities[i % len(self.cities)]
            d = add("district", f"第{i + 1}区", city, f"{330100 + 100 * (i % 99) + i % 100:06d}"[:6])
            self.districts.append(d)
            self.city_of[d] = city
        for i in range(s.zones):
            city = self.cities[i % len(self.cities)]
            z = add("zone", f"第{i + 1}园区", city)
            self.zones.append(z)
            self.city_of[z] = city
        for c in self.cities:
            self.city_of[c] = c
        self.city_of[self.root] = self.root
        self.zones_of_city = {c: [z for z in self.zones if self.city_of[z] == c] for c in self.cities}
        self.all_areas = [r[0] for r in rows]
        self.w.write(
            Area,
            ["id", "name", "name_en", "kind", "parent", "gb_code", "path", "depth", "created_at", "updated_at"],
            rows,
        )
        del rng

    # ---- units, people, users -----------------------------------------------------------------

    def units_people_users(self):
        from groundbreak.org.models import Person, Unit, User

        s, rng, now = self.scale, self.rng, self.now
        units = []
        uid = 0
        self.gov_unit = {}  # area -> its government unit
        self.dept_units = {}  # area -> departments
        for area in self.all_areas:
            uid += 1
            kind = {True: "headquarters"}.get(area in self.cities or area == self.root, None)
            if kind is None:
                kind = "zone_committee" if area in self.zones else "district_government"
            units.append((uid, f"区域{area}政府", "", kind, area, "", now, now))
            self.gov_unit[area] = uid
            self.dept_units[area] = []
            for dept in DEPARTMENTS:
                uid += 1
                units.append((uid, f"区域{area}{dept}", "", "department", area, "", now, now))
                self.dept_units[area].append(uid)
        self.enterprises = []
        self.enterprise_area = {}
        for i in range(s.enterprises):
            uid += 1
            area = rng.choice(self.districts)
            units.append(
                (uid, f"{rng.choice(INDUSTRIES)}建设发展有限公司{i + 1}", "", "enterprise", area, "", now, now)
            )
            self.enterprises.append(uid)
            self.enterprise_area[uid] = area
        self.enterprises_in = {}
        for e, a in self.enterprise_area.items():
            self.enterprises_in.setdefault(a, []).append(e)
        self.w.write(Unit, ["id", "name", "name_en", "kind", "area", "short_name", "created_at", "updated_at"], units)

        # Users: a coordinator per area, leaders, unit members, owners, viewers.
        # A fixed salt keeps the rows identical from run to run (it is one shared bench password).
        password = make_password(BENCH_PASSWORD, salt="groundbreakbench")
        users = []
        self.user_ids = {}
        uid = 0

        def user(username, role, area=None, unit=None):
            nonlocal uid
            uid += 1
            users.append(
                (uid, password, None, False, username, "", "", "", False, True, now, role, area, unit, "zh-hans")
            )
            self.user_ids[username] = uid
            return uid

        self.coordinators = {}
        for area in self.all_areas:
            self.coordinators[area] = user(f"coord-{area}", "coordinator", area=area)
        n_leaders = max(3, int(s.users * 0.09))
        people = []
        pid = 0
        self.leaders = []
        self.leaders_in_city = {}
        leader_user = {}
        for i in range(n_leaders):
            pid += 1
            area = self.cities[i % len(self.cities)] if i % 3 == 0 else self.districts[i % len(self.districts)]
            leader_user[pid] = user(f"leader-{pid}", "leader")
            self.leaders.append(pid)
            self.leaders_in_city.setdefault(self.city_of[area], []).append(pid)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            people.append(
                (
                    pid,
                    name,
                    "",
                    "副区长" if area in self.districts else "副市长",
                    "",
                    self.gov_unit[area],
                    "",
                    leader_user[pid],
                    True,
                    now,
                    now,
                )
            )
        self.contacts = {}
        for area in self.all_areas:
            pid += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            people.append((pid, name, "", "科长", "", self.dept_units[area][0], "0571-8888", None, False, now, now))
            self.contacts[area] = pid
        # Districts' units first: they are the ones responsible for projects.
        ordered = self.districts + [a for a in self.all_areas if a not in set(self.districts)]
        gov_units = [u for a in ordered for u in [self.gov_unit[a], *self.dept_units[a]]]
        n_members = max(2, int(s.users * 0.28))
        for i in range(n_members):
            user(f"unit-{i + 1}", "unit_member", unit=gov_units[i % len(gov_units)])
        remaining = s.users - len(users)
        n_owners = max(1, remaining - max(1, remaining // 20))
        for i in range(n_owners):
            user(f"owner-{i + 1}", "owner", unit=self.enterprises[i % len(self.enterprises)])
        while len(users) < s.users:
            user(f"viewer-{len(users)}", "viewer", area=self.rng.choice(self.cities))
        self.w.write(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "role",
                "scope_area",
                "scope_unit",
                "language",
            ],
            users,
        )
        self.all_users = list(range(1, uid + 1))
        self.w.write(
            Person,
            [
                "id",
                "name",
                "name_en",
                "title",
                "title_en",
                "unit",
                "phone",
                "user",
                "is_leader",
                "created_at",
                "updated_at",
            ],
            people,
        )

    # ---- projects ----------------------------------------------------------------------------

    def projects(self):
        from groundbreak.portfolio.models import Project, StageChange

        s, rng, now = self.scale, self.rng, self.now
        rows, changes = [], []
        self.project = []  # (id, area, stage, status, start, end, investment, responsible_unit, parent)
        cid = 0
        by_area = {}
        for i in range(s.projects):
            pk = i + 1
            area = rng.choice(self.districts)
            city = self.city_of[area]
            zone = rng.choice(self.zones_of_city[city]) if self.zones_of_city[city] and rng.random() < 0.3 else None
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            r = rng.random()
            status = "active" if r < 0.93 else ("paused" if r < 0.98 else "cancelled")
            sidx = STAGES.index(stage)
            # Later stages started earlier.
            start = AS_OF + datetime.timedelta(days=int(rng.gauss(300 - 260 * sidx, 200)))
            end = start + datetime.timedelta(days=rng.randint(360, 1500))
            investment = Decimal(min(int(math.exp(rng.gauss(math.log(5e8), 1.2))), 9 * 10**12) // 10_000 * 10_000)
            owner = rng.choice(self.enterprises_in.get(area) or self.enterprises)
            responsible = rng.choice(self.dept_units[area] + [self.gov_unit[area]])
            leader = rng.choice(self.leaders_in_city.get(city) or self.leaders)
            parent = None
            siblings = by_area.get(area)
            if siblings and rng.random() < 0.1:
                parent = rng.choice(siblings)
            else:
                by_area.setdefault(area, []).append(pk)
            lat = Decimal(f"{28 + rng.random() * 3:.6f}")
            lng = Decimal(f"{118 + rng.random() * 4:.6f}")
            code = f"BP{pk:06d}"
            created = _dt(min(start, AS_OF) - datetime.timedelta(days=rng.randint(30, 400)))
            rows.append(
                (
                    pk,
                    f"{rng.choice(INDUSTRIES)}项目{pk}",
                    "",
                    code,
                    f"{start.year}-{330100 + (area % 900):06d}-47-01-{pk:06d}",
                    rng.choice(CATEGORIES),
                    rng.choice(INDUSTRIES),
                    area,
                    zone,
                    f"第{area}区{pk}号地块",
                    lat,
                    lng,
                    owner,
                    leader,
                    responsible,
                    self.contacts[area],
                    stage,
                    status,
                    investment,
                    start,
                    end,
                    "",
                    parent,
                    "暂缓：资金待落实" if status == "paused" else "",
                    AS_OF + datetime.timedelta(days=60) if status == "paused" else None,
                    rng.random() < 0.2,
                    1,
                    created,
                    now,
                )
            )
            self.project.append((pk, area, stage, status, start, end, investment, responsible, parent))
            on = created.date()
            for k in range(1, sidx + 1):
                on = min(AS_OF, on + datetime.timedelta(days=rng.randint(20, 200)))
                cid += 1
                changes.append((cid, pk, "stage", STAGES[k - 1], STAGES[k], on, "", None, _dt(on)))
            if status == "paused":
                cid += 1
                pon = AS_OF - datetime.timedelta(days=rng.randint(5, 90))
                changes.append((cid, pk, "pause", "", "", pon, "资金待落实", None, _dt(pon)))
            elif status == "cancelled":
                cid += 1
                changes.append((cid, pk, "cancel", "", "", AS_OF - datetime.timedelta(days=30), "规划调整", None, now))
        self.w.write(
            Project,
            [
                "id",
                "name",
                "name_en",
                "code",
                "investment_code",
                "category",
                "industry",
                "area",
                "zone",
                "address",
                "latitude",
                "longitude",
                "owner_unit",
                "lead_leader",
                "responsible_unit",
                "responsible_person",
                "stage",
                "status",
                "total_investment",
                "planned_start",
                "planned_end",
                "description",
                "parent",
                "pause_reason",
                "expected_resume_on",
                "is_public",
                "version",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.w.write(
            StageChange, ["id", "project", "kind", "from_stage", "to_stage", "on", "note", "by", "created_at"], changes
        )

    def keylists(self):
        from groundbreak.portfolio.models import KeyList, KeyListMembership

        rng, now = self.rng, self.now
        lists, members = [], []
        kid = 0
        city_list = {}
        district_list = {}
        root_list = {}
        for year in (2025, 2026):
            kid += 1
            level = "provincial" if self.scale.cities else "municipal"
            lists.append((kid, f"{year}年重点建设项目", "", year, level, self.root, "", now, now))
            root_list[year] = kid
            if self.scale.cities:
                for c in self.cities:
                    kid += 1
                    lists.append((kid, f"{year}年市级重点项目", "", year, "municipal", c, "", now, now))
                    city_list[(year, c)] = kid
            for d in self.districts[::4]:
                kid += 1
                lists.append((kid, f"{year}年区级实事项目", "", year, "district", d, "", now, now))
                district_list[(year, d)] = kid
        mid = 0
        for pk, area, stage, _status, _s, _e, investment, _r, _p in self.project:
            city = self.city_of[area]
            for year in (2025, 2026):
                if year == 2025 and rng.random() > 0.3:
                    continue
                targets = [city_list.get((year, city))]
                if rng.random() < 0.2 or not self.scale.cities:
                    targets.append(root_list[year])
                if (year, area) in district_list and rng.random() < 0.3:
                    targets.append(district_list[(year, area)])
                for kl in targets:
                    if kl is None:
                        continue
                    mid += 1
                    plan = (investment * Decimal(rng.randint(10, 40)) / 100).quantize(Decimal("1"))
                    target = STAGES[min(len(STAGES) - 1, STAGES.index(stage) + rng.randint(0, 1))]
                    members.append((mid, kl, pk, plan, target, ""))
        self.w.write(
            KeyList,
            ["id", "name", "name_en", "year", "level", "area", "description", "created_at", "updated_at"],
            lists,
        )
        self.w.write(
            KeyListMembership, ["id", "key_list", "project", "annual_investment_plan", "target_stage", "note"], members
        )

    # ---- milestones and re-plans ---------------------------------------------------------------

    def milestones(self):
        from groundbreak.schedule.models import Milestone, Replan

        rng, now = self.rng, self.now
        kinds = self.kinds
        per_project = 10
        replan_choices = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # 2 re-plans per node on average
        mid = rid = 0

        def milestone_rows():
            nonlocal mid
            for pk, _area, stage, status, start, _end, _inv, responsible, _parent in self.project:
                done_until = STAGES.index(stage)
                for k in range(per_project):
                    mid += 1
                    kind = kinds[k % len(kinds)]
                    baseline = start + datetime.timedelta(days=60 * k - 180)
                    n = rng.choice(replan_choices)
                    planned = baseline
                    dates = []
                    for _ in range(n):
                        new = planned + datetime.timedelta(days=rng.randint(-10, 60))
                        dates.append((planned, new))
                        planned = new
                    actual = None
                    if planned < AS_OF and (k < done_until * 2 or rng.random() < 0.97):
                        actual = min(AS_OF, planned + datetime.timedelta(days=rng.randint(-5, 10)))
                    elif status == "active" and planned < AS_OF and rng.random() < 0.4:
                        actual = planned  # most overdue nodes do get done in the end
                    self._replans.append((mid, dates))
                    yield (
                        mid,
                        pk,
                        kind,
                        "",
                        "",
                        baseline,
                        planned,
                        actual,
                        responsible,
                        "",
                        "",
                        "",
                        n,
                        k,
                        1,
                        now,
                        now,
                    )

        def replan_rows():
            nonlocal rid
            for milestone, dates in self._replans:
                for old, new in dates:
                    rid += 1
                    status = "pending" if rng.random() < 0.01 else "applied"
                    at = _dt(min(AS_OF, old))
                    yield (
                        rid,
                        milestone,
                        old,
                        new,
                        rng.choice(self.reasons),
                        "施工条件变化",
                        status,
                        None,
                        at,
                        None,
                        None,
                        "",
                    )

        self._replans = []
        self.w.write(
            Milestone,
            [
                "id",
                "project",
                "kind",
                "name",
                "name_en",
                "baseline_date",
                "planned_date",
                "actual_date",
                "responsible_unit",
                "document_number",
                "evidence",
                "completion_note",
                "replan_count",
                "order",
                "version",
                "created_at",
                "updated_at",
            ],
            milestone_rows(),
        )
        self.w.write(
            Replan,
            [
                "id",
                "milestone",
                "old_date",
                "new_date",
                "reason",
                "note",
                "status",
                "requested_by",
                "requested_at",
                "decided_by",
                "decided_at",
                "decision_note",
            ],
            replan_rows(),
        )
        del self._replans

    # ---- engagements, issues, responses ------------------------------------------------------

    def engagements_issues(self):
        from groundbreak.coordination.models import Engagement, Issue, IssueEvent, IssueResponse

        rng, now = self.rng, self.now
        n_eng = max(1, len(self.project) * 2 // 5)
        engagements, eng_projects, eng_leaders = [], [], []
        self.eng_of_project = {}
        epid = elid = 0
        kinds = ["site_visit", "office_meeting", "dispatch_meeting", "inspection"]
        for i in range(n_eng):
            eid = i + 1
            first = rng.choice(self.project)
            area = first[1]
            day = AS_OF - datetime.timedelta(days=rng.randint(0, 700))
            chair = rng.choice(self.leaders_in_city.get(self.city_of[area]) or self.leaders)
            engagements.append(
                (
                    eid,
                    rng.choice(kinds),
                    f"现场办公会{eid}",
                    day,
                    f"第{area}区",
                    area,
                    chair,
                    "会议纪要",
                    None,
                    1,
                    now,
                    now,
                )
            )
            covered = {first[0]}
            for _ in range(rng.randint(0, 2)):
                covered.add(rng.choice(self.project)[0])
            for p in sorted(covered):
                epid += 1
                eng_projects.append((epid, eid, p))
                self.eng_of_project.setdefault(p, eid)
            elid += 1
            eng_leaders.append((elid, eid, chair))
        self.w.write(
            Engagement,
            [
                "id",
                "kind",
                "title",
                "date",
                "place",
                "area",
                "chair",
                "minutes",
                "created_by",
                "version",
                "created_at",
                "updated_at",
            ],
            engagements,
        )
        self.w.write(Engagement.projects.through, ["id", "engagement", "project"], eng_projects)
        self.w.write(Engagement.leaders.through, ["id", "engagement", "person"], eng_leaders)

        iid = rsp = evid = 0
        issue_rows, response_rows, event_rows = [], [], []
        issue_counts = [0, 1, 2, 3, 4, 4, 5, 6, 7, 8]  # 4 per project on average
        response_counts = [2, 3, 4, 5, 5, 6, 7, 8]  # 5 per issue on average
        for pk, _area, _stage, _status, _start, _end, _inv, responsible, _parent in self.project:
            for _ in range(rng.choice(issue_counts)):
                iid += 1
                raised = AS_OF - datetime.timedelta(days=rng.randint(0, 600))
                status = rng.choices(ISSUE_STATUSES, ISSUE_WEIGHTS)[0]
                deadline = raised + datetime.timedelta(days=rng.randint(15, 120))
                if status in ("open", "in_progress", "returned") and deadline < AS_OF and rng.random() < 0.85:
                    # Most unfinished work is still within its (moved) deadline.
                    deadline = AS_OF + datetime.timedelta(days=rng.randint(1, 90))
                resolved = closed = None
                if status in ("resolved", "closed"):
                    resolved = min(AS_OF, raised + datetime.timedelta(days=rng.randint(5, 100)))
                if status == "closed":
                    closed = min(AS_OF, resolved + datetime.timedelta(days=rng.randint(0, 10)))
                eng = self.eng_of_project.get(pk) if rng.random() < 0.3 else None
                source = "engagement" if eng else rng.choice(["unit", "report", "unit"])
                issue_rows.append(
                    (
                        iid,
                        pk,
                        rng.choice(ISSUE_TITLES),
                        "",
                        rng.choice(self.issue_categories),
                        rng.choice([1, 1, 1, 2, 3]),
                        source,
                        eng,
                        "",
                        raised,
                        None,
                        responsible,
                        None,
                        deadline,
                        status,
                        "已协调解决" if closed else "",
                        False,
                        resolved,
                        closed,
                        None,
                        1,
                        _dt(raised),
                        now,
                    )
                )
                evid += 1
                event_rows.append(
                    (evid, iid, "issue.raised", raised, _dt(raised), None, "", "open", "", None, deadline, None)
                )
                if closed:
                    evid += 1
                    event_rows.append(
                        (
                            evid,
                            iid,
                            "issue.closed",
                            closed,
                            _dt(closed),
                            None,
                            "resolved",
                            "closed",
                            "",
                            None,
                            deadline,
                            None,
                        )
                    )
                span = max(1, ((resolved or AS_OF) - raised).days)
                for _ in range(rng.choice(response_counts)):
                    rsp += 1
                    on = raised + datetime.timedelta(days=rng.randint(0, span))
                    response_rows.append((rsp, iid, on, "已对接协调，正在推进。", responsible, None, _dt(on)))
        self.w.write(
            Issue,
            [
                "id",
                "project",
                "title",
                "description",
                "category",
                "severity",
                "source",
                "engagement",
                "source_note",
                "raised_on",
                "raised_by",
                "lead_unit",
                "responsible_person",
                "deadline",
                "status",
                "resolution",
                "evidence_required",
                "resolved_on",
                "closed_on",
                "escalation_step",
                "version",
                "created_at",
                "updated_at",
            ],
            issue_rows,
        )
        del issue_rows
        self.w.write(
            IssueEvent,
            ["id", "issue", "kind", "on", "at", "by", "from_status", "to_status", "note", "step", "deadline", "unit"],
            event_rows,
        )
        del event_rows
        self.w.write(IssueResponse, ["id", "issue", "on", "text", "unit", "by", "created_at"], response_rows)

    # ---- reporting ------------------------------------------------------------------------------

    def reports(self):
        from groundbreak.reporting.models import Report, ReportingRound, ReportVersion, year_fraction

        rng, now = self.rng, self.now
        months = []
        y, m = AS_OF.year, AS_OF.month
        for _ in range(12):
            months.append((y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.reverse()
        rounds = []
        round_of = {}
        rid = 0
        for c in self.cities:
            for idx, (y, m) in enumerate(months):
                rid += 1
                start, end = datetime.date(y, m, 1), _month_end(y, m)
                last = idx == len(months) - 1
                status = "open" if last else "closed"
                rounds.append(
                    (
                        rid,
                        c,
                        start,
                        end,
                        end + datetime.timedelta(days=5),
                        status,
                        end.year,
                        year_fraction(end),
                        None,
                        None if last else _dt(end + datetime.timedelta(days=10)),
                        None,
                        now,
                        now,
                    )
                )
                round_of[(c, idx)] = rid
        self.w.write(
            ReportingRound,
            [
                "id",
                "area",
                "period_start",
                "period_end",
                "due_on",
                "status",
                "year",
                "year_fraction",
                "opened_by",
                "closed_at",
                "closed_by",
                "created_at",
                "updated_at",
            ],
            rounds,
        )
        self.open_rounds = [round_of[(c, len(months) - 1)] for c in self.cities]
        report_rows, version_rows = [], []
        n = 0
        for pk, area, _stage, _status, _start, _end, investment, responsible, _p in self.project:
            city = self.city_of[area]
            progress = rng.uniform(0, 40)
            monthly = investment / 36
            for idx, (y, m) in enumerate(months):
                n += 1
                last = idx == len(months) - 1
                end = _month_end(y, m)
                submitted = end + datetime.timedelta(days=rng.randint(1, 7))
                if last:
                    status = "draft" if rng.random() < 0.8 else "submitted"
                else:
                    r = rng.random()
                    status = "accepted" if r < 0.97 else ("returned" if r < 0.98 else "submitted")
                awaiting, awaiting_unit = ("responsible_unit", responsible) if status == "submitted" else ("", None)
                accepted = n if status == "accepted" else None
                report_rows.append(
                    (
                        n,
                        round_of[(city, idx)],
                        pk,
                        status,
                        0,
                        awaiting,
                        awaiting_unit,
                        None if status == "draft" else submitted,
                        None if status == "draft" else submitted,
                        "数据有误" if status == "returned" else "",
                        n,
                        accepted,
                        _dt(end),
                        now,
                    )
                )
                progress = min(100.0, progress + rng.uniform(0, 6))
                inv = (monthly * Decimal(rng.uniform(0.3, 1.7))).quantize(Decimal("0.01"))
                version_rows.append(
                    (
                        n,
                        n,
                        1,
                        inv,
                        Decimal(f"{progress:.2f}"),
                        rng.randint(0, 400),
                        "按计划推进",
                        "",
                        "",
                        "",
                        _dt(end),
                        None,
                        _dt(submitted) if accepted else None,
                        None,
                    )
                )
        self.w.write(
            Report,
            [
                "id",
                "round",
                "project",
                "status",
                "step",
                "awaiting",
                "awaiting_unit",
                "first_submitted_on",
                "submitted_on",
                "return_reason",
                "working",
                "accepted",
                "created_at",
                "updated_at",
            ],
            report_rows,
        )
        del report_rows
        self.w.write(
            ReportVersion,
            [
                "id",
                "report",
                "number",
                "investment",
                "physical_progress",
                "workers_on_site",
                "progress",
                "next_steps",
                "difficulties",
                "correction_reason",
                "created_at",
                "created_by",
                "accepted_at",
                "accepted_by",
            ],
            version_rows,
        )


def generate(scale: str = "city", seed: int = 2026, verbose: bool = True, dry: bool = False) -> dict:
    return Generator(SCALES[scale], seed=seed, verbose=verbose, dry=dry).run()
