"""Demo reporting: a year of monthly rounds for the seeds' districts and zones.

Every project under construction or later reports each month from the month it started. Its
investment follows an S-curve of its total investment over its planned period; in the year of the
key lists it keeps pace with its annual plan, except for the projects the seeds show in trouble,
which fall behind so that the reporting light rules turn them yellow or red. Hu Na Energy phase I
has its 200-odd workers on site, Minhang's practical projects carry the seed's targets (650 mu of
forest, 80 ha of green space, 30 km of greenways, 20 pocket parks, 30,000 m² of
three-dimensional greening), and five practical projects meet their annual targets ahead of
schedule.

The eleven earlier rounds are history: written in bulk as accepted (some after a return), then
closed and frozen through the round actions and sent up to the level above. The latest round
goes through the report actions: most reports accepted, some awaiting review, one returned to
its owner, one returned and resubmitted, one missing; and one accepted report of an earlier,
closed round is corrected as a new version.
"""

import datetime
import math
import zlib
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max
from django.utils import timezone

from groundbreak.audit.context import acting_as
from groundbreak.portfolio.choices import Stage
from groundbreak.portfolio.models import KeyListMembership, StageChange
from groundbreak.reporting import actions, round_actions
from groundbreak.reporting.choices import EventKind, ReportStatus, Reviewer, SubmissionStatus
from groundbreak.reporting.models import (
    IndicatorValue,
    Report,
    ReportEvent,
    ReportingRound,
    ReportVersion,
    ReviewStep,
    RoundSubmission,
    year_fraction,
)

MONTHS = 12
CENT = Decimal("0.01")
WAN = Decimal(10_000)

# area key: the username of its coordinator (None: the system acts)
ROUND_AREAS = {
    "songjiang": "songjiang",
    "minhang": "minhang",
    "binhai": "binhai",
    "nanhu": None,
    "mianyang": "mianyang",
}

# Investment this year against the annual plan (1 = on plan): the seeds' troubled projects lag.
PACE = {
    "SH-JCLLX": Decimal("0.55"),  # stations stopped during the lockdown
    "NH-WCY-2": Decimal("0.50"),  # the owner's financing came late
    "BH-Z2-1": Decimal("0.78"),  # utilities relocation behind
    "SJ-G60-YL2": Decimal("0.82"),  # energy centre and curtain wall redesigned
    "MH-ST-LVD": Decimal("0.80"),  # greenways stopped during the lockdown
}

WORKERS = {"NH-HN-1": 228, "SJ-G60-YL2": 860, "BH-Z2-1": 640, "SH-JCLLX": 520, "SH-HSH-RAIL": 700}

# code, name, English name, unit, target, reports needed to meet it (None: still short), share
# reached by the latest report when not met.
INDICATORS = [
    ("MH-ST-ZL", "新增森林", "New forest", "mu", 650, 2, None),
    ("MH-ST-LD", "新建绿地", "New green space", "ha", 80, None, Decimal("0.78")),
    ("MH-ST-LVD", "新建绿道", "New greenways", "km", 30, None, Decimal("0.63")),
    ("MH-ST-KDGY", "新建口袋公园", "New pocket parks", "count", 20, 2, None),
    ("MH-ST-LTLH", "立体绿化", "Three-dimensional greening", "m2", 30000, 3, None),
    ("MH-PJ-ZJL", "城中村改造建筑面积", "Urban-village floor area renewed", "m2", 120000, 8, None),
    ("MH-QB-JXC", "一期安置房开工", "Phase I resettlement flats started", "count", 1600, 6, None),
]

WORK = {
    "industrial": ["主体结构施工", "钢结构吊装", "机电安装", "幕墙施工", "设备进场安装调试", "室外总体工程"],
    "infrastructure": ["车站主体结构施工", "盾构区间掘进", "桥梁桩基施工", "管线迁改", "附属结构施工"],
    "ecology": ["地形整理", "苗木种植", "绿道铺装", "配套设施施工", "养护管理"],
    "urban_renewal": ["居民签约搬迁", "房屋拆除", "安置房桩基施工", "安置房主体施工"],
    "livelihood": ["基础施工", "主体结构施工", "装饰装修", "室外配套"],
    "social": ["主体结构施工", "装饰装修", "室外配套", "竣工验收准备"],
}

DIFFICULTIES = {
    "NH-WCY-2": "企业融资到位滞后，总包单位资金周转困难，研发综合楼施工进度受影响。",
    "BH-Z2-1": "东六道站站址范围内燃气、电力管线迁改滞后，影响主体结构封顶。",
    "SJ-G60-YL2": "能源中心与幕墙节能方案深化设计尚未定稿，需协调设计审查。",
    "SH-JCLLX": "七宝站周边交通导改方案待交警部门批复。",
    "MH-ST-LVD": "部分绿道沿线用地尚未完成移交。",
}

# The latest round, project by project: how far each report gets (the rest are accepted).
LATEST = {
    "NH-WCY-2": "returned",
    "SJ-G60-YL2": "returned_then_accepted",
    "MH-ST-LD": "submitted",
    "MH-HQ-BSWL": "submitted",
    "MH-HQ-QW": "reviewed",
    "BH-Z4-1": "draft",
    "MY-JZAZ": "missing",
}

# The report corrected after its round closed: (code, rounds before the latest).
CORRECTED = ("SJ-G60-YL2", 3)


def _jitter(key: str, spread: str = "0.12") -> Decimal:
    """A factor within ±spread, the same on every load."""
    unit = Decimal(zlib.crc32(key.encode()) % 1000) / 1000
    return 1 + (unit * 2 - 1) * Decimal(spread)


def _s_curve(project, day: datetime.date) -> Decimal:
    """The share of the total investment spent by `day` on a smooth S over the planned period."""
    start, end = project.planned_start, project.planned_end
    if start is None or end is None or end <= start:
        return Decimal(1) if start is not None and day >= start else Decimal(0)
    x = min(max((day - start).days / (end - start).days, 0.0), 1.0)
    return Decimal(str(round(x * x * (3 - 2 * x), 6)))


def _month_ends(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The twelve full months before the current one, oldest first."""
    months = []
    end = today.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(MONTHS):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - datetime.timedelta(days=1)
    return months[::-1]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def load(loader) -> None:
    """Add the demo's reporting to what `loader` (demo.load._Loader) has just written."""
    if ReportingRound.objects.filter(area__in=[loader.areas[key] for key in ROUND_AREAS]).exists():
        return
    _Reporting(loader).run()


class _Reporting:
    def __init__(self, loader):
        self.loader = loader
        self.today = loader.today
        self.months = _month_ends(self.today)
        self.year = self.months[-1][1].year
        plans = (
            KeyListMembership.objects.filter(key_list__year=self.today.year, annual_investment_plan__gt=0)
            .values("project")
            .annotate(plan=Max("annual_investment_plan"))
        )
        self.plans = {row["project"]: row["plan"] for row in plans}
        started = StageChange.objects.filter(kind=StageChange.Kind.STAGE, to_stage=Stage.CONSTRUCTION)
        self.started = {row["project"]: row["on"] for row in started.values("project", "on")}
        completed = StageChange.objects.filter(kind=StageChange.Kind.STAGE, to_stage=Stage.COMPLETED)
        self.completed = {row["project"]: row["on"] for row in completed.values("project", "on")}
        self.cumulative: dict[int, Decimal] = {}  # this year's investment so far, by project
        self.indicators: dict[int, list] = {}
        self.reached: dict[int, Decimal] = {}  # indicator: achieved so far

    def user(self, username):
        """A demo login the loader created (never someone's own account of that name)."""
        return self.loader.users.get(username) if username else None

    def login_of(self, unit_id, username):
        """The demo login `username` if it belongs to that unit; else the system acts."""
        user = self.user(username)
        return user if user is not None and unit_id is not None and user.scope_unit_id == unit_id else None

    def run(self) -> None:
        # Mianyang's concentrated zone headquarters both answers for its projects and accepts them:
        # one level of review there.
        ReviewStep.objects.get_or_create(area=self.loader.areas["mianyang"], order=1, reviewer=Reviewer.COORDINATOR)
        self.add_indicators()
        rounds = {}
        for key in ROUND_AREAS:
            area = self.loader.areas[key]
            projects = list(round_actions.reportable_projects(area).order_by("code"))
            history = ReportingRound.objects.bulk_create(
                [
                    ReportingRound(
                        area=area, period_start=start, period_end=end, due_on=end + datetime.timedelta(days=5)
                    ).derive()
                    for start, end in self.months[:-1]
                ]
            )
            rounds[key] = [self.history_round(round, projects) for round in history]
            self.latest_round(key, area, projects, *self.months[-1])
        self.correct_one(rounds)
        self.send_up(rounds)

    # ---- figures --------------------------------------------------------------------------

    def reporting(self, projects, end):
        return [p for p in projects if p.pk in self.started and self.started[p.pk] <= end]

    def investment(self, project, start: datetime.date, end: datetime.date) -> Decimal:
        jitter = _jitter(f"{project.code}/{end:%Y-%m}")
        plan = self.plans.get(project.pk)
        if end.year == self.today.year and plan:
            # The year's cumulative keeps pace with the plan and the share of the year elapsed; a
            # project that starts mid-year catches up with its first reports (land, equipment).
            pace = PACE.get(project.code, Decimal(1))
            target = plan * pace * year_fraction(end) * jitter
            done = self.cumulative.get(project.pk, Decimal(0))
            # Never nothing at all in a month on site: at least a fifth of the month's share.
            month_share = year_fraction(end) - (
                year_fraction(start - datetime.timedelta(days=1)) if start.month > 1 else 0
            )
            amount = max(target - done, plan * pace * month_share / 5)
        else:
            before = _s_curve(project, start - datetime.timedelta(days=1))
            amount = (project.total_investment or 0) * (_s_curve(project, end) - before) * jitter
        amount = (amount / WAN).quantize(Decimal(1), rounding=ROUND_HALF_UP) * WAN
        if end.year == self.today.year:
            self.cumulative[project.pk] = self.cumulative.get(project.pk, Decimal(0)) + amount
        return amount.quantize(CENT)

    def figures(self, project, start, end) -> dict:
        finished = self.completed.get(project.pk)
        progress = Decimal(100) if finished and finished <= end else min(_s_curve(project, end) * 100, Decimal(99))
        base = WORKERS.get(project.code) or int(30 + math.sqrt(float(project.total_investment or 0) / 1e8) * 40)
        season = Decimal("0.55") if end.month == 2 else Decimal(1)  # the Spring Festival
        workers = base * season * _jitter(f"w/{project.code}/{end:%Y-%m}", "0.06")
        if finished and finished <= end:
            workers = workers / 8
        investment = self.investment(project, start, end)
        work = WORK.get(project.category, WORK["industrial"])
        step = zlib.crc32(f"{project.code}/{end:%Y-%m}".encode()) % len(work)
        return {
            "investment": investment,
            "physical_progress": progress.quantize(Decimal("0.1")),
            "workers_on_site": int(workers),
            "progress": f"本月{work[step]}，完成投资{(investment / WAN):.0f}万元。",
            "next_steps": f"下月重点推进{work[(step + 1) % len(work)]}。",
            "difficulties": DIFFICULTIES.get(project.code, "") if end >= self.months[-4][0] else "",
        }

    # ---- indicators -----------------------------------------------------------------------

    def add_indicators(self) -> None:
        for order, (code, name, name_en, unit, target, needed, share) in enumerate(INDICATORS):
            project = self.loader.projects.get(code)
            if project is None:
                continue
            indicator = actions.set_indicator(
                project=project,
                by=None,
                name=name,
                name_en=name_en,
                unit=unit,
                target=Decimal(target),
                year=self.year,
                order=order,
            )
            self.indicators.setdefault(project.pk, []).append((indicator, needed, share))

    def indicator_values(self, project, end, index: int, total: int) -> dict:
        """What the project's `index`-th report of the year (of `total`) achieved on each target."""
        values = {}
        if end.year != self.year:
            return values
        for indicator, needed, share in self.indicators.get(project.pk, ()):
            reach = min(Decimal(index) / needed, Decimal(1)) if needed else share * index / total
            places = Decimal(1) if indicator.unit in ("mu", "count", "m2") else Decimal("0.1")
            cumulative = (indicator.target * reach).quantize(places, rounding=ROUND_HALF_UP)
            before = self.reached.get(indicator.pk, Decimal(0))
            if cumulative > before:
                values[indicator] = cumulative - before
                self.reached[indicator.pk] = cumulative
        return values

    def reports_this_year(self, project, until=None) -> int:
        """How many of the demo's rounds of the indicators' year the project reports in (up to `until`)."""
        started = self.started[project.pk]
        return sum(1 for _s, end in self.months if end.year == self.year and started <= end <= (until or end))

    # ---- rounds ---------------------------------------------------------------------------

    def history_round(self, round, projects) -> ReportingRound:
        """A past round written in bulk as accepted, then closed (snapshot) through the action."""
        start, end = round.period_start, round.period_end
        expected = self.reporting(projects, end)
        reports = Report.objects.bulk_create(
            [Report(round=round, project=p, status=ReportStatus.ACCEPTED) for p in expected]
        )
        versions, values, events = [], [], []
        for report in reports:
            project = report.project
            submitted = end + datetime.timedelta(days=self.submission_lag(project, end))
            accepted = submitted + datetime.timedelta(days=3)
            report.first_submitted_on = report.submitted_on = submitted
            version = ReportVersion(
                report=report, number=1, accepted_at=_at(accepted), **self.figures(project, start, end)
            )
            versions.append(version)
            index = self.reports_this_year(project, until=end)
            values.append((version, self.indicator_values(project, end, index, self.reports_this_year(project))))
            kinds = [EventKind.SUBMITTED, EventKind.REVIEWED, EventKind.ACCEPTED]
            if zlib.crc32(f"r/{project.code}/{end}".encode()) % 14 == 0:
                kinds = [
                    EventKind.SUBMITTED,
                    EventKind.RETURNED,
                    EventKind.RESUBMITTED,
                    EventKind.REVIEWED,
                    EventKind.ACCEPTED,
                ]
            events += self.events(report, kinds, submitted)
        ReportVersion.objects.bulk_create(versions)
        for report, version in zip(reports, versions, strict=True):
            report.working = report.accepted = version
        Report.objects.bulk_update(reports, ["working", "accepted", "first_submitted_on", "submitted_on"])
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(version=v, indicator=i, value=x)
                for v, by_indicator in values
                for i, x in by_indicator.items()
            ]
        )
        ReportEvent.objects.bulk_create(events)
        return round_actions.close_round(round=round, by=None)

    def events(self, report, kinds, submitted) -> list[ReportEvent]:
        status = {
            EventKind.SUBMITTED: (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
            EventKind.RETURNED: (ReportStatus.SUBMITTED, ReportStatus.RETURNED),
            EventKind.RESUBMITTED: (ReportStatus.RETURNED, ReportStatus.SUBMITTED),
            EventKind.REVIEWED: (ReportStatus.SUBMITTED, ReportStatus.REVIEWED),
            EventKind.ACCEPTED: (ReportStatus.REVIEWED, ReportStatus.ACCEPTED),
        }
        return [
            ReportEvent(
                report=report,
                kind=kind,
                from_status=status[kind][0],
                to_status=status[kind][1],
                step=1 if kind == EventKind.ACCEPTED else 0,
                reason="本月完成投资与财务报表不一致，请核实后重报。" if kind == EventKind.RETURNED else "",
                at=_at(submitted, 9 + hour),
            )
            for hour, kind in enumerate(kinds)
        ]

    def latest_round(self, key, area, projects, start, end) -> None:
        """The round still open: every step through the report actions, by the demo's logins."""
        expected = self.reporting(projects, end)
        round = round_actions.open_round(area=area, period_start=start, period_end=end, projects=expected, by=None)
        coordinator = self.user(ROUND_AREAS[key])
        for report in round.reports.select_related("project__responsible_unit", "project__owner_unit"):
            project = report.project
            plan = LATEST.get(project.code, "accepted")
            if plan == "missing":
                continue
            owner = self.login_of(project.owner_unit_id, "owner")
            reviewer = self.login_of(project.responsible_unit_id, "bureau")
            index = self.reports_this_year(project, until=end)
            figures = self.figures(project, start, end)
            values = self.indicator_values(project, end, index, self.reports_this_year(project))
            with acting_as(owner, source="demo"):
                actions.save_report(report=report, by=owner, values=figures, indicator_values=values)
            if plan == "draft":
                continue
            with acting_as(owner, source="demo"):
                report = actions.submit_report(report=report, by=owner)
            if plan == "submitted":
                continue
            if plan in ("returned", "returned_then_accepted"):
                returner = coordinator if report.awaiting != Reviewer.UNIT else None
                with acting_as(returner, source="demo"):
                    report = actions.return_report(
                        report=report, by=returner, reason="请补充本月现场照片，并核实本月完成投资口径（不含预付款）。"
                    )
                if plan == "returned":
                    continue
                with acting_as(owner, source="demo"):
                    actions.save_report(
                        report=report,
                        by=owner,
                        values={
                            "investment": (figures["investment"] * Decimal("0.95") / WAN).quantize(Decimal(1)) * WAN
                        },
                    )
                    report = actions.submit_report(report=report, by=owner)
            self.approve_all(report, reviewer, coordinator, stop_before_last=plan == "reviewed")
        self.backdate(round)

    @staticmethod
    def submission_lag(project, end) -> int:
        """Days after the period's end a report came in: two to five, and one in twelve late."""
        draw = zlib.crc32(f"s/{project.code}/{end}".encode())
        return 2 + draw % 4 + (4 if draw % 12 == 0 else 0)

    def backdate(self, round) -> None:
        """The latest round's reports came in over the days after the period, as in the earlier
        rounds, not all on the day the demo was loaded."""
        for report in round.reports.filter(first_submitted_on__isnull=False).select_related("project"):
            day = min(
                round.period_end + datetime.timedelta(days=self.submission_lag(report.project, round.period_end)),
                self.today,
            )
            shift = _at(day) - _at(report.first_submitted_on)
            Report.objects.filter(pk=report.pk).update(first_submitted_on=day, submitted_on=day)
            for event in report.events.all():
                ReportEvent.objects.filter(pk=event.pk).update(at=min(event.at + shift, timezone.now()))

    def approve_all(self, report, reviewer, coordinator, *, stop_before_last: bool = False) -> Report:
        while report.status != ReportStatus.ACCEPTED:
            at_coordinators = report.awaiting == Reviewer.COORDINATOR
            if at_coordinators and stop_before_last:
                return report
            by = coordinator if at_coordinators else reviewer
            with acting_as(by, source="demo"):
                report = actions.approve_report(report=report, by=by)
        return report

    def correct_one(self, rounds) -> None:
        """An accepted report of a closed round, corrected as version 2 with its reason."""
        code, back = CORRECTED
        report = (
            Report.objects.filter(round=rounds["songjiang"][-back], project__code=code)
            .select_related("accepted")
            .first()
        )
        if report is None:
            return
        actions.start_correction(
            report=report, by=None, reason="财务决算调整：本月完成投资含预付工程款，按统计口径剔除。"
        )
        corrected = (report.accepted.investment * Decimal("0.85") / WAN).quantize(Decimal(1)) * WAN
        text = report.accepted.progress.split("，")[0] + f"，完成投资{corrected / WAN:.0f}万元（已剔除预付工程款）。"
        actions.save_report(report=report, by=None, values={"investment": corrected, "progress": text})
        report = actions.submit_report(report=report, by=None)
        self.approve_all(report, None, self.user("songjiang"))

    def send_up(self, rounds) -> None:
        """Closed rounds went up a level: the older ones accepted there (history, in bulk), the
        one before through the actions, and the latest closed one still waits for acceptance."""
        parents = {"songjiang": "shanghai", "minhang": "shanghai"}
        for key, closed in rounds.items():
            area = self.loader.areas[key]
            *older, second, last = closed
            RoundSubmission.objects.bulk_create(
                RoundSubmission(
                    round=round,
                    to_area_id=area.parent_id,
                    status=SubmissionStatus.ACCEPTED,
                    checksum=round.snapshot.checksum,
                    submitted_at=_at(round.due_on),
                    decided_at=_at(round.due_on + datetime.timedelta(days=3)),
                )
                for round in ReportingRound.objects.filter(pk__in=[r.pk for r in older]).select_related("snapshot")
            )
            decider = self.user(parents.get(key))
            submission = round_actions.submit_round(round=second, by=None)
            with acting_as(decider, source="demo"):
                round_actions.decide_submission(submission=submission, accept=True, by=decider)
            round_actions.submit_round(round=last, by=None)
