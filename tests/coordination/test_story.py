"""Seed 004 as a user lives it: the on-site office meeting in the Science City zone.

The party secretary and the mayor hold an on-site office meeting covering three projects; four
difficulties are assigned to four units with deadlines; one is resolved and verified, one runs
past its deadline and climbs the ladder twice, and the mayor gives an instruction on it. The
supervision board, each unit's inbox and the warning lights then show exactly that.
"""

import pytest
from django.urls import reverse

from groundbreak.coordination import actions, engagement_actions
from groundbreak.coordination.choices import EventKind, IssueStatus
from groundbreak.coordination.escalation import escalate_overdue_issues
from groundbreak.coordination.models import Issue
from groundbreak.notify.models import Notification
from groundbreak.org.choices import AreaKind, Role, UnitKind
from groundbreak.portfolio.models import Project
from tests.coordination.conftest import DAY, today
from tests.factories import AreaFactory, PersonFactory, ProjectFactory, UnitFactory, UserFactory, category


@pytest.fixture
def mianyang(db):
    class M:
        pass

    m = M()
    m.city = AreaFactory(name="绵阳市", kind=AreaKind.CITY, gb_code="510700")
    m.fucheng = AreaFactory(name="涪城区", parent=m.city, gb_code="510703")
    m.zone = AreaFactory(name="科技城集中发展区", kind=AreaKind.ZONE, parent=m.city)
    m.hq = UnitFactory(name="集中发展区建设指挥部", kind=UnitKind.HEADQUARTERS, area=m.zone)
    m.committee = UnitFactory(name="科技城管委会", kind=UnitKind.ZONE_COMMITTEE, area=m.city)
    m.drc = UnitFactory(name="绵阳市发改委", area=m.city)
    m.fucheng_gov = UnitFactory(name="涪城区政府", kind=UnitKind.DISTRICT_GOVERNMENT, area=m.fucheng)
    m.htz = UnitFactory(name="高新区管委会", kind=UnitKind.ZONE_COMMITTEE, area=m.zone)
    m.coordinator = UserFactory(username="mianyang", role=Role.COORDINATOR, scope_area=m.city, scope_unit=m.hq)
    m.secretary = PersonFactory(name="谭敬山", title="市委书记", is_leader=True)
    # The mayor looks after the whole city; the secretary has no login here.
    m.mayor_login = UserFactory(username="mayor", role=Role.LEADER, scope_area=m.city)
    m.mayor = PersonFactory(name="梅聿修", title="市长", is_leader=True, user=m.mayor_login)
    m.members = {
        unit: UserFactory(username=f"member-{unit.pk}", role=Role.UNIT_MEMBER, scope_unit=unit)
        for unit in (m.committee, m.drc, m.fucheng_gov, m.htz)
    }
    m.fucheng_head = PersonFactory(
        name="涪城区长",
        is_leader=True,
        unit=m.fucheng_gov,
        user=UserFactory(username="fc-head", role=Role.UNIT_MEMBER, scope_unit=m.fucheng_gov),
    )
    project = {"area": m.fucheng, "zone": m.zone, "responsible_unit": m.hq}
    m.panel = ProjectFactory(code="MY-HKC-85", name="8.5代面板生产线", lead_leader=m.secretary, **project)
    m.avenue = ProjectFactory(code="MY-KJCDD", name="科技城大道", lead_leader=m.mayor, **project)
    m.housing = ProjectFactory(code="MY-JZAZ", name="集中安置点", lead_leader=m.secretary, **project)
    return m


def test_the_science_city_on_site_office_meeting(mianyang, client):
    m = mianyang
    held = today() - 20 * DAY
    late = today() - 4 * DAY  # the resettlement deadline: four days past on the day we look
    meeting = engagement_actions.create_engagement(
        by=m.coordinator,
        kind="office_meeting",
        title="科技城集中发展区现场办公会",
        date=held,
        place="涪城片区、高新区片区、安县片区",
        area=m.zone,
        chair=m.secretary,
        leaders=[m.mayor],
        units=[m.hq, m.committee, m.drc, m.fucheng_gov, m.htz],
        projects=[m.panel, m.avenue, m.housing],
    )

    # The coordinator records the four difficulties in one go from the meeting's page.
    rows = [
        (m.avenue, "科技城大道选线与用地规划衔接", "utilities", m.committee, held + 60 * DAY),
        (m.panel, "耕地占补平衡指标未落实", "land", m.drc, held + 40 * DAY),
        (m.panel, "拆迁群众集中安置未完成", "demolition", m.fucheng_gov, late),
        (m.housing, "安置点配套学校和农贸市场", "other", m.htz, held + 15 * DAY),
    ]
    data = {"issues-TOTAL_FORMS": "4", "issues-INITIAL_FORMS": "0", "decisions-TOTAL_FORMS": "1"}
    data |= {"decisions-INITIAL_FORMS": "0", "decisions-0-text": "一个重点项目、一名市级领导联系推动"}
    for i, (project, title, code, unit, deadline) in enumerate(rows):
        data |= {
            f"issues-{i}-project": project.pk,
            f"issues-{i}-title": title,
            f"issues-{i}-category": category(code).pk,
            f"issues-{i}-severity": "2",
            f"issues-{i}-lead_unit": unit.pk,
            f"issues-{i}-deadline": deadline.isoformat(),
        }
    client.force_login(m.coordinator)
    assert client.post(reverse("coordination:engagement-outcomes", args=[meeting.pk]), data).status_code == 302
    avenue_issue, land, resettlement, services = meeting.issues.order_by("id")
    assert {i.lead_unit for i in (avenue_issue, land, resettlement, services)} == {
        m.committee,
        m.drc,
        m.fucheng_gov,
        m.htz,
    }

    # The high-tech zone solves its difficulty; the coordinator checks and closes it.
    actions.respond_to_issue(issue=services, by=m.members[m.htz], text="已纳入控规", on=held + 8 * DAY)
    actions.resolve_issue(issue=services, by=m.members[m.htz], resolution="控规调整获批", on=held + 12 * DAY)
    actions.verify_issue(issue=services, by=m.coordinator, on=held + 13 * DAY)

    # Days pass; the scheduler runs every day (twice on some).
    day = held
    while day <= today():
        escalate_overdue_issues(day)
        escalate_overdue_issues(day)
        day += DAY

    # The mayor presses on the overdue resettlement, asking the Science City committee to help.
    actions.give_instruction(
        by=m.mayor_login,
        leader=m.mayor,
        issue=resettlement,
        text="拆迁安置要“下深水”解决，科技城管委会全力配合。",
        target_unit=m.committee,
    )

    resettlement = Issue.objects.get(pk=resettlement.pk)
    events = list(resettlement.events.values_list("kind", "on"))
    assert events == [
        (EventKind.RAISED, held),
        (EventKind.ASSIGNED, held),
        (EventKind.ESCALATED, late + DAY),  # to the unit
        (EventKind.ESCALATED, late + 3 * DAY),  # to the unit's head
        (EventKind.INSTRUCTION, today()),
    ]
    assert resettlement.escalation_step.target == "unit_head"
    assert Issue.objects.get(pk=services.pk).status == IssueStatus.CLOSED

    # The supervision board: three being worked on, one overdue at Fucheng, 12 days to resolve.
    response = client.get(reverse("coordination:board"))
    totals = response.context["totals"]
    assert (totals["open"], totals["overdue"], totals["awaiting"], totals["avg_days"]) == (3, 1, 0, 12.0)
    by_unit = {row["name"]: (row["open"], row["overdue"], row["avg_days"]) for row in response.context["by_unit"]}
    assert by_unit == {
        "涪城区政府": (1, 1, None),
        "科技城管委会": (1, 0, None),
        "绵阳市发改委": (1, 0, None),
        "高新区管委会": (0, 0, 12.0),
    }
    assert [i.title for i in response.context["page"]] == [
        "拆迁群众集中安置未完成",
        "耕地占补平衡指标未落实",
        "科技城大道选线与用地规划衔接",
    ]

    # Each unit's inbox holds its own work; the committee now helps on the resettlement too.
    def inbox(unit, tab="todo"):
        client.force_login(m.members[unit])
        return [i.title for i in client.get(reverse("coordination:inbox"), {"tab": tab}).context["page"]]

    assert inbox(m.fucheng_gov) == ["拆迁群众集中安置未完成"]
    assert inbox(m.committee) == ["拆迁群众集中安置未完成", "科技城大道选线与用地规划衔接"]
    assert inbox(m.drc) == ["耕地占补平衡指标未落实"]
    assert inbox(m.htz) == [] and inbox(m.htz, "closed") == ["安置点配套学校和农贸市场"]

    # Lights: only the panel line, whose resettlement is overdue, is red.
    lights = dict(Project.objects.with_light().values_list("code", "light"))
    assert lights == {"MY-HKC-85": "red", "MY-KJCDD": "green", "MY-JZAZ": "green"}

    # The bell of each person holds what concerned them, once each although the scheduler ran twice a day.
    def bell(user):
        return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))

    assert bell(m.members[m.fucheng_gov]) == ["issue.assigned", "issue.escalated"]
    # The district head is a member of the district government too, and is also told at the second rung.
    assert bell(m.fucheng_head.user) == ["issue.assigned", "issue.escalated", "issue.escalated"]
    assert bell(m.members[m.committee]) == ["instruction.given", "issue.assigned"]
    assert bell(m.members[m.drc]) == bell(m.members[m.htz]) == ["issue.assigned"]
    assert bell(m.coordinator) == ["issue.resolved"]

    # The mayor's page shows the avenue he leads and the meeting he attended.
    client.force_login(m.mayor_login)
    body = client.get(reverse("coordination:leader-detail", args=[m.mayor.pk])).content.decode()
    assert "MY-KJCDD" in body and "科技城集中发展区现场办公会" in body
