"""The demo's engagements and difficulties: the visits and meetings the seeds report, the issues
they raised, and how each was answered, escalated or closed.

The seeds report the visits and meetings (dates, places, leaders, projects); every difficulty,
deadline, response and instruction below is invented, and the people are the demo's fictional
ones with their real titles. The story is replayed day by day through the business actions and
the daily escalation, so that on the day the demo is loaded deadlines have passed, issues have
climbed the ladder and the supervision board shows issues in every status.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable

from groundbreak.coordination import actions, engagement_actions, notice_actions, notifying
from groundbreak.coordination.escalation import escalate_overdue_issues
from groundbreak.coordination.models import EscalationStep, IssueCategory
from groundbreak.schedule.models import MilestoneKind

# engagement key: kind, date, title, place, area, chair, leaders present, units present, projects, minutes
ENGAGEMENTS = {
    # seed 000: Songjiang's party secretary on the first working day after the Spring Festival
    "songjiang": (
        "site_visit",
        "2022-02-07",
        "“促发展、保安全”大走访大调研（G60高速松江段沿线）",
        "G60科创云廊二期、清控人居科技产业园",
        "songjiang",
        "sj_secretary",
        ["sj_mayor"],
        ["sj_drc", "sj_econ", "lingang_sj", "qingkong"],
        ["SJ-G60-YL2", "SJ-QKRJ"],
        "节后首个工作日，区委书记带队沿G60高速（松江段）调研城市面貌、产业和土地推进情况。\n"
        "要求紧盯项目建设，攻克技术难题，推动签约项目快落地、落地项目快开工、开工项目快投产、投产项目快达产。",
    ),
    # seed 001: Tianjin's on-site office meeting of the city's key projects, in Binhai New Area
    "binhai": (
        "office_meeting",
        "2022-02-08",
        "全市重点项目现场办公会（滨海新区）",
        "天津港保税区管委会",
        "binhai",
        "tj_secretary",
        ["tj_mayor", "tj_vice_mayor", "bh_mayor", "eco_director", "ftz_director"],
        ["tj_drc", "tj_miit", "bh_gov", "bh_drc", "eco_committee", "ftz_committee", "faw_toyota", "bh_rail"],
        ["BH-FAWTM-NEV", "BH-Z2-1"],
        "察看一汽丰田新能源汽车项目各生产线设备联调和轨道交通Z2线东六道站施工现场，随后在保税区管委会召开现场办公会。\n"
        "要求高标准高水平加快项目建设，高度重视工地安全管理，确保工程质量，确保项目按期交付。",
    ),
    # seed 003: Nanhu's district mayor on the Asia-Pacific Road innovation belt, 37 °C
    "nanhu": (
        "site_visit",
        "2022-07-16",
        "亚太路科创带重点产业项目现场调研",
        "嘉兴微创园二期、湖钠能源一期施工现场",
        "jxsc",
        "nh_mayor",
        ["nh_deputy"],
        ["nh_drc", "nh_econ", "jxsc_committee", "microport_jx", "huna"],
        ["NH-WCY-2", "NH-HN-1"],
        "高温季节，最高气温37℃。现场了解项目节点和进度，协调解决有关困难和问题。\n"
        "要求紧盯时间节点，细化施工方案，加大人员和机械投入；绷紧安全生产这根弦，落实扬尘治理；"
        "做好防暑降温，科学合理安排作息时间，切实保障一线工人身体健康。",
    ),
    # seed 004: Mianyang's party secretary and mayor at the Science City concentrated zone
    "mianyang": (
        "office_meeting",
        "2022-08-05",
        "科技城集中发展区现场办公会",
        "科技城集中发展区涪城片区、高新区片区、安县片区",
        "mysc",
        "my_secretary",
        ["my_mayor", "my_vice_zou", "my_sc_exec", "my_vice_pu", "myhtz_director"],
        ["mysc_hq", "sc_committee", "myhtz_committee", "fc_gov", "az_gov", "my_drc", "my_econ"],
        ["MY-HKC-85", "MY-KJCDD", "MY-JZAZ"],
        "实地了解科技城大道选线、集中发展区建设用地规划布局和重点产业项目落户选址情况，召开专题会协调解决困难和问题。\n"
        "一要加快建设和完善基础设施项目；二要加快推进重大产业项目开工建设；三要加快做好拆迁群众安置工作；"
        "四要加快引进和落地一批重大项目；五要明确责任抓落实，锁定完成时限，倒逼工作落实。",
    ),
}

# Issues: key → (engagement key or None, project, category, severity, title, lead unit, co-units,
# raised on, deadline, by login, source note). A None engagement is a difficulty from a monthly
# report or raised by a unit itself.
# fmt: off
ISSUES = {
    "sj_energy": ("songjiang", "SJ-G60-YL2", "approvals", 2, "能源中心节能方案专项审查意见未出具",
                  "sj_drc", ["sj_econ"], None, "2022-03-31", "songjiang", ""),
    "sj_phase3": ("songjiang", "SJ-QKRJ", "approvals", 2, "三期建筑科技展示中心方案调整，规划许可延后",
                  "sj_econ", ["sj_drc"], None, "2022-05-31", "songjiang", ""),
    "bh_commissioning": ("binhai", "BH-FAWTM-NEV", "labour", 2, "各生产线设备调试人员受疫情影响无法到位",
                         "eco_committee", ["tj_miit"], None, "2022-04-30", "binhai", ""),
    "nh_heat": ("nanhu", "NH-HN-1", "safety", 3, "高温季节施工防暑降温和作息安排",
                "huna", ["jxsc_committee"], None, "2022-07-25", None, ""),
    "nh_labour": ("nanhu", "NH-HN-1", "labour", 2, "地面工程施工人员不足，主体结顶节点吃紧",
                  "nh_econ", ["huna"], None, "2022-08-15", None, ""),
    "nh_funding": ("nanhu", "NH-WCY-2", "funding", 2, "研发综合楼总包单位资金周转困难",
                   "nh_drc", ["jxsc_committee"], None, "2022-08-31", None, ""),
    "my_avenue": ("mianyang", "MY-KJCDD", "utilities", 2, "科技城大道选线与三大片区用地规划衔接",
                  "sc_committee", ["fc_gov", "az_gov"], None, "2022-09-30", "mianyang", ""),
    "my_land": ("mianyang", "MY-HKC-85", "land", 2, "8.5代线厂区用地耕地占补平衡指标未落实",
                "fc_gov", ["mysc_hq"], None, "2022-08-31", "mianyang", ""),
    "my_resettlement": ("mianyang", "MY-HKC-85", "demolition", 3, "选址范围内拆迁群众集中安置未完成，土地无法交付",
                        "fc_gov", ["myhtz_committee", "mysc_hq"], None, "2022-08-15", "mianyang", ""),
    "my_services": ("mianyang", "MY-JZAZ", "other", 1, "集中安置点配套学校、农贸市场规划",
                    "myhtz_committee", [], None, "2022-08-20", "mianyang", ""),
    "mh_forest": (None, "MH-ST-ZL", "land", 2, "新增森林用地约120亩农户流转协议未签",
                  "mh_green", ["wujing_gov"], "2022-08-10", "2022-09-15", "minhang", "7月月报"),
    "mh_pocket": (None, "MH-ST-KDGY", "utilities", 1, "3座口袋公园选址与地下管线冲突",
                  "mh_green", [], "2022-07-15", "2022-08-12", "minhang", "6月月报"),
}
# fmt: on

# Printed notices: key → (kind, issuing unit, addressee, issues, date, reply by, subject, text,
# the notice a report answers). Invented, like the difficulties they chase.
# fmt: off
NOTICES = {
    "liaison_pipes": ("liaison", "bh_drc", "bh_rail", ["bh_pipes"], "2022-07-14", "2022-07-22",
                      "关于协助推进东六道站管线迁改的联系单",
                      "东六道站站址范围内电力管线迁改方案需重新报批，请你公司协助保税区管委会对接产权单位，"
                      "提供轨道施工进度安排，并书面回复意见。", None),
    "reminder_forest": ("reminder", "mh_drc", "mh_green", ["mh_forest"], "2022-08-12", "2022-08-19",
                        "关于加快新增森林用地流转的提示", "", None),
    "report_forest": ("report", "mh_green", "mh_drc", ["mh_forest"], "2022-08-18", None,
                      "关于新增森林用地流转进展的报告",
                      "已入户走访农户62户，签订流转协议41户；其余农户正在逐户做工作，预计9月上旬全部签订。",
                      "reminder_forest"),
    "supervision_resettlement": ("supervision", "mysc_hq", "fc_gov", ["my_resettlement", "my_land"],
                                 "2022-08-17", "2022-08-24", "关于拆迁安置和土地交付的督办", "", None),
}
# fmt: on


class _Story:
    def __init__(self, loader):
        self.loader = loader
        self.steps: dict[datetime.date, list[Callable]] = defaultdict(list)
        self.engagements = {}
        self.issues = {}
        self.deadlines = {spec[8] for spec in ISSUES.values()}
        self.categories = {c.code: c for c in IssueCategory.objects.all()}
        self.kinds = {k.code: k for k in MilestoneKind.objects.all()}

    def at(self, seed_date: str, step: Callable) -> None:
        self.steps[self.loader.shift(seed_date)].append(step)

    def user(self, username):
        # A login of that name that existed before the demo is someone's own: act as the system.
        return self.loader.users.get(username) if username else None

    def run(self) -> None:
        self.plan()
        # Issues climb the ladder only on the days a deadline plus a step's days falls on, so the
        # daily escalation runs on those days alone: same events, same dates, far fewer queries.
        ladder = EscalationStep.objects.values_list("days_overdue", flat=True)
        climbs = {self.loader.shift(d) + datetime.timedelta(days=n) for d in self.deadlines for n in ladder}
        today = self.loader.today
        with notifying.muted():
            for day in sorted({*self.steps, *climbs, today}):
                if day > today:
                    break
                for step in self.steps.get(day, ()):
                    step()
                if day in climbs or day == today:
                    escalate_overdue_issues(day, notify=False)

    # ---- the story ---------------------------------------------------------------------------

    def plan(self) -> None:
        for key, spec in ENGAGEMENTS.items():
            self.at(spec[1], lambda key=key: self.engagement(key))
        for key, spec in ISSUES.items():
            engagement, raised = spec[0], spec[7]
            self.at(raised or ENGAGEMENTS[engagement][1], lambda key=key: self.issue(key))

        self.respond("sj_energy", "2022-03-10", "已组织绿色建筑专家论证，专项审查材料补正后重新报送。")
        self.resolve("sj_energy", "2022-03-28", "能源中心节能方案通过专项审查，审查意见已出具。")
        self.verify("sj_energy", "2022-03-30", "songjiang")
        self.respond("sj_phase3", "2022-04-20", "展示中心方案已调整，正在组织专家评审。")
        self.resolve("sj_phase3", "2022-05-25", "调整后方案已报规划资源部门。")
        self.give_back("sj_phase3", "2022-05-30", "songjiang", "方案尚未通过专家评审，规划许可仍未取得，请继续跟进。")
        self.instruct(
            "2022-07-20",
            "sj_deputy_lu",
            "leader",
            "sj_econ",
            "SJ-QKRJ-2",
            "2022-09-30",
            "二期要确保明年6月按节点投入运营，区经委牵头协调竣工验收各项准备工作。",
        )

        self.outcome_decisions(
            "binhai",
            "2022-02-08",
            [("一汽丰田新能源汽车项目确保6月首台新车下线。", "BH-FAWTM-NEV", None)],
        )
        self.decision_issue(
            "binhai",
            "2022-02-08",
            "Z2线东六道站站址范围内燃气、电力管线迁改由保税区管委会牵头，6月底前完成。",
            "BH-Z2-1",
            ("utilities", 2, "东六道站站址范围内燃气、电力管线迁改滞后", "ftz_committee", ["bh_rail"], "2022-06-30"),
            key="bh_pipes",
        )
        self.respond("bh_commissioning", "2022-03-15", "已协调外地调试人员闭环管理入津，首批12人到位。")
        self.deadline("bh_commissioning", "2022-04-28", "2022-05-31", "奥密克戎疫情，外地调试人员入津受限。")
        self.resolve("bh_commissioning", "2022-05-26", "各生产线设备联调完成。")
        self.verify("bh_commissioning", "2022-05-30", "binhai")
        self.respond("bh_pipes", "2022-05-20", "燃气管线迁改方案已确定，电力管线迁改正在与产权单位对接。")
        self.deadline("bh_pipes", "2022-07-12", "2022-08-10", "电力管线产权单位迁改方案需重新报批。")

        self.respond("nh_heat", "2022-07-20", "调整为早晚两班作业，11时至15时停止露天作业，现场设置防暑降温点。")
        self.resolve("nh_heat", "2022-07-22", "防暑降温措施全部落实，作息时间已调整。")
        self.verify("nh_heat", "2022-07-26", None)
        self.respond("nh_labour", "2022-08-05", "已对接区人力社保部门组织用工招聘，首批30名工人进场。")
        self.respond("nh_funding", "2022-08-10", "已协调两家银行对接总包单位授信需求。")
        self.resolve("nh_funding", "2022-08-19", "银行授信8000万元已获批，总包单位资金周转恢复正常。")
        self.at("2022-08-18", self.owner_issue)

        self.outcome_decisions(
            "mianyang",
            "2022-08-05",
            [
                ("推行一个重点项目、一名市级领导联系推动，逐个项目落实责任人，明确时间节点。", None, None),
                (
                    "就地就近安置好拆迁群众，9月底前拆迁清零、交付土地。",
                    "MY-HKC-85",
                    ("demolition_cleared", "2022-09-30"),
                ),
            ],
        )
        self.respond("my_land", "2022-08-15", "已向省自然资源厅申请调剂耕地占补平衡指标。")
        self.respond("my_services", "2022-08-12", "配套学校、农贸市场已纳入安置点控制性详细规划。")
        self.resolve("my_services", "2022-08-17", "控规调整已获批复。")
        self.verify("my_services", "2022-08-19", "mianyang")
        self.instruct(
            "2022-08-18",
            "my_mayor",
            "mianyang",
            "sc_committee",
            None,
            None,
            "拆迁安置要“下深水”解决，涪城区政府牵头，科技城管委会全力配合，月底前拿出集中安置方案。",
            issue="my_resettlement",
        )
        self.respond("mh_pocket", "2022-08-01", "已与管线权属单位现场踏勘，2座调整选址。")
        self.notices = {}
        for key, spec in NOTICES.items():
            self.at(spec[4], lambda key=key: self.notice(key))

    # ---- steps -------------------------------------------------------------------------------

    def engagement(self, key: str) -> None:
        kind, date, title, place, area, chair, leaders, units, projects, minutes = ENGAGEMENTS[key]
        people, loader = self.loader.people, self.loader
        self.engagements[key] = engagement_actions.create_engagement(
            by=None,
            kind=kind,
            date=loader.shift(date),
            title=title,
            place=place,
            area=loader.areas[area],
            chair=people[chair],
            minutes=minutes,
            leaders=[people[p] for p in leaders],
            units=[loader.units[u] for u in units],
            projects=[loader.projects[code] for code in projects],
        )

    def issue(self, key: str) -> None:
        engagement, code, category, severity, title, lead, co, raised, deadline, by, note = ISSUES[key]
        units = self.loader.units
        fields = {
            "project": self.loader.projects[code],
            "title": title,
            "category": self.categories[category],
            "severity": severity,
            "lead_unit": units[lead],
            "co_units": [units[u] for u in co],
            "deadline": self.loader.shift(deadline),
            "description": "",
        }
        if engagement is not None:
            result = engagement_actions.record_outcomes(
                engagement=self.engagements[engagement], by=self.user(by), issues=[fields], decisions=[]
            )
            self.issues[key] = result["issues"][0]
        else:
            self.issues[key] = actions.raise_issue(
                by=self.user(by), source="report", source_note=note, raised_on=self.loader.shift(raised), **fields
            )

    def notice(self, key: str) -> None:
        kind, issuer, addressee, issues, on, reply_by, subject, body, answers = NOTICES[key]
        units = self.loader.units
        self.notices[key] = notice_actions.issue_notice(
            by=None,
            kind=kind,
            issuer_unit=units[issuer],
            addressee=units[addressee],
            issues=[self.issues[issue] for issue in issues],
            on=self.loader.shift(on),
            reply_by=self.loader.shift(reply_by),
            subject=subject,
            body=body,
            answers=self.notices[answers] if answers else None,
        )

    def owner_issue(self) -> None:
        actions.raise_issue(
            project=self.loader.projects["NH-WCY-2"],
            by=self.user("owner"),
            title="园区道路与市政雨污管网接驳",
            category=self.categories["utilities"],
            description="二期研发综合楼雨污水管需接入亚太路市政管网，需管委会协调接驳点位和审批。",
            raised_on=self.loader.shift("2022-08-18"),
        )

    def respond(self, key, on, text):
        self.at(
            on, lambda: actions.respond_to_issue(issue=self.issues[key], by=None, text=text, on=self.loader.shift(on))
        )

    def resolve(self, key, on, text):
        self.at(
            on,
            lambda: actions.resolve_issue(issue=self.issues[key], by=None, resolution=text, on=self.loader.shift(on)),
        )

    def verify(self, key, on, by):
        self.at(on, lambda: actions.verify_issue(issue=self.issues[key], by=self.user(by), on=self.loader.shift(on)))

    def give_back(self, key, on, by, reason):
        self.at(
            on,
            lambda: actions.return_issue(
                issue=self.issues[key], by=self.user(by), reason=reason, on=self.loader.shift(on)
            ),
        )

    def deadline(self, key, on, new, reason):
        self.deadlines.add(new)
        self.at(
            on,
            lambda: actions.change_deadline(
                issue=self.issues[key],
                by=None,
                new_deadline=self.loader.shift(new),
                reason=reason,
                on=self.loader.shift(on),
            ),
        )

    def instruct(self, on, leader, by, unit, code, deadline, text, issue=None):
        if deadline:
            self.deadlines.add(deadline)

        def step():
            actions.give_instruction(
                by=self.user(by),
                leader=self.loader.people[leader],
                text=text,
                target_unit=self.loader.units[unit],
                project=self.loader.projects[code] if code else None,
                issue=self.issues[issue] if issue else None,
                given_on=self.loader.shift(on),
                deadline=self.loader.shift(deadline) if deadline else None,
            )

        self.at(on, step)

    def outcome_decisions(self, engagement, on, decisions):
        def step():
            rows = []
            for text, code, node in decisions:
                row = {"text": text, "project": self.loader.projects[code] if code else None}
                if node:
                    row |= {"milestone_kind": self.kinds[node[0]], "planned_date": self.loader.shift(node[1])}
                rows.append(row)
            engagement_actions.record_outcomes(
                engagement=self.engagements[engagement], by=None, issues=[], decisions=rows
            )

        self.at(on, step)

    def decision_issue(self, engagement, on, text, code, spec, key):
        category, severity, title, lead, co, deadline = spec
        self.deadlines.add(deadline)

        def step():
            result = engagement_actions.record_outcomes(
                engagement=self.engagements[engagement],
                by=None,
                issues=[],
                decisions=[{"text": text, "project": self.loader.projects[code]}],
            )
            self.issues[key] = engagement_actions.decision_to_issue(
                decision=result["decisions"][0],
                by=None,
                title=title,
                category=self.categories[category],
                severity=severity,
                lead_unit=self.loader.units[lead],
                co_units=[self.loader.units[u] for u in co],
                deadline=self.loader.shift(deadline),
            )

        self.at(on, step)


def load(loader) -> None:
    """Add the engagements and issues to a demo being loaded by `demo.load._Loader`."""
    _Story(loader).run()
