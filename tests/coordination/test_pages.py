"""The coordination pages as users see them: content, flows through the forms, query counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundbreak.coordination import actions, engagement_actions
from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.models import Decision, Engagement, Issue
from groundbreak.schedule.models import Milestone
from tests.coordination.conftest import DAY, today
from tests.factories import EngagementFactory, IssueFactory, ProjectFactory, UnitFactory, category, kind


def count_queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def meeting(w, **overrides):
    fields = dict(
        by=w.coordinator, kind="office_meeting", title="科技城现场办公会", date=today(), projects=[w.sj_project]
    )
    return engagement_actions.create_engagement(**(fields | overrides))


# --- engagements ---------------------------------------------------------------------------------


def test_record_an_engagement_through_its_form(co, login):
    client = login(co.sj_coordinator)
    page = client.get(reverse("coordination:engagement-create"), {"project": "SJ-001"}).content.decode()
    assert "MH-001" not in page  # only projects in scope are offered
    response = client.post(
        reverse("coordination:engagement-create"),
        {
            "kind": "site_visit",
            "title": "G60沿线调研",
            "date": today().isoformat(),
            "place": "G60科创云廊",
            "projects": [co.sj_project.pk],
            "leaders": [co.leader.pk],
            "chair": co.leader.pk,
            "minutes": "<b>要求</b>\n加快建设",
        },
    )
    assert response.status_code == 302
    engagement = Engagement.objects.get()
    body = client.get(engagement.get_absolute_url()).content.decode()
    # Minutes keep their line breaks and never their markup.
    assert "&lt;b&gt;要求&lt;/b&gt;<br>加快建设" in body
    assert 'id="outcomes"' in body


def test_engagement_form_errors_change_nothing(co, login):
    client = login(co.sj_coordinator)
    response = client.post(reverse("coordination:engagement-create"), {"kind": "site_visit", "title": "无项目"})
    assert response.status_code == 200 and not Engagement.objects.exists()


def test_the_one_flow_records_issues_and_decisions(co, login):
    engagement = meeting(co)
    client = login(co.coordinator)
    data = {
        "issues-TOTAL_FORMS": "3",
        "issues-INITIAL_FORMS": "0",
        "issues-0-project": co.sj_project.pk,
        "issues-0-title": "拆迁安置未完成",
        "issues-0-category": category("demolition").pk,
        "issues-0-severity": "3",
        "issues-0-lead_unit": co.sj_bureau.pk,
        "issues-0-co_units": [co.mh_bureau.pk],
        "issues-0-deadline": (today() + 10 * DAY).isoformat(),
        "issues-1-project": co.sj_project.pk,
        "issues-1-title": "供电配套滞后",
        "issues-1-category": category("utilities").pk,
        "issues-1-severity": "1",
        "issues-1-lead_unit": co.hq.pk,
        "issues-1-deadline": (today() + 20 * DAY).isoformat(),
        "issues-2-severity": "1",
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "9月底前交付土地",
        "decisions-0-project": co.sj_project.pk,
        "decisions-0-milestone_kind": kind("land_handover").pk,
        "decisions-0-planned_date": (today() + 30 * DAY).isoformat(),
    }
    url = reverse("coordination:engagement-outcomes", args=[engagement.pk])
    assert client.post(url, data).status_code == 302
    assert list(engagement.issues.order_by("id").values_list("title", "severity", "lead_unit")) == [
        ("拆迁安置未完成", 3, co.sj_bureau.pk),
        ("供电配套滞后", 1, co.hq.pk),
    ]
    assert Milestone.objects.get(project=co.sj_project).baseline_date == today() + 30 * DAY
    body = client.get(engagement.get_absolute_url()).content.decode()
    assert "拆迁安置未完成" in body and "9月底前交付土地" in body

    # A row missing its deadline sends the whole form back with the error, saving nothing.
    data["issues-0-deadline"] = ""
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Issue.objects.count() == 2 and Decision.objects.count() == 1


def test_board_project_filter_offers_only_the_chosen_project(co, login):
    """A province's board would list 50,000 projects in its drop-down: the search box finds a
    project, a project page's link chooses one, and the drop-down shows just that choice."""
    IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="松江的问题")
    IssueFactory(project=co.mh_project, lead_unit=co.mh_bureau, title="闵行的问题")
    client = login(co.coordinator)
    select = _select(client.get(reverse("coordination:board")).content.decode(), "project")
    assert select.count("<option") == 1 and "All projects" in select
    response = client.get(reverse("coordination:board"), {"project": co.mh_project.pk})
    assert [i.title for i in response.context["page"]] == ["闵行的问题"]
    select = _select(response.content.decode(), "project")
    assert select.count("<option") == 2 and f'value="{co.mh_project.pk}" selected' in select
    # Out of scope or not a project at all: the filter refuses it instead of guessing.
    district = login(co.sj_coordinator)
    response = district.get(reverse("coordination:board"), {"project": co.mh_project.pk})
    assert "闵行的问题" not in response.content.decode()
    assert district.get(reverse("coordination:board"), {"project": "x"}).status_code == 200


def _select(body: str, name: str) -> str:
    start = body.index(f'<select name="{name}"')
    return body[start : body.index("</select>", start)]


def test_engagement_list_filters_and_calendar(co, login):
    old = meeting(co, title="二月调研", date=today().replace(day=1) - 40 * DAY, kind="site_visit")
    new = meeting(co, title="本月调度会", kind="dispatch_meeting")
    new.leaders.add(co.leader)
    client = login(co.coordinator)
    body = client.get(reverse("coordination:engagement-list")).content.decode()
    assert body.index("本月调度会") < body.index("二月调研")
    body = client.get(reverse("coordination:engagement-list"), {"kind": "site_visit"}).content.decode()
    assert "二月调研" in body and "本月调度会" not in body
    body = client.get(reverse("coordination:engagement-list"), {"leader": co.leader.pk}).content.decode()
    assert "本月调度会" in body and "二月调研" not in body
    since = (today() - 5 * DAY).isoformat()
    body = client.get(reverse("coordination:engagement-list"), {"date_from": since}).content.decode()
    assert "本月调度会" in body and "二月调研" not in body
    fragment = client.get(reverse("coordination:engagement-list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "本月调度会" in fragment
    old.projects.set([co.mh_project])  # the search finds an engagement by its project's code
    body = client.get(reverse("coordination:engagement-list"), {"q": co.mh_project.code.lower()}).content.decode()
    assert "二月调研" in body and "本月调度会" not in body
    body = client.get(reverse("coordination:engagement-list"), {"q": "不存在"}).content.decode()
    assert "No engagement matches" in body

    response = client.get(reverse("coordination:engagement-calendar"))
    day = next(d for week in response.context["weeks"] for d in week if d["date"] == today())
    assert day["items"] == [new]
    response = client.get(reverse("coordination:engagement-calendar"), {"month": old.date.strftime("%Y-%m")})
    assert [d["date"] for d in response.context["days_with_items"]] == [old.date]
    assert client.get(reverse("coordination:engagement-calendar"), {"month": "garbage"}).status_code == 200


def test_engagement_files_upload_download_and_delete_with_confirmation(co, login, media):
    from PIL import Image

    engagement = meeting(co)
    client = login(co.coordinator)
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(buffer, "JPEG")
    url = reverse("coordination:engagement-attach", args=[engagement.pk])
    client.post(url, {"file": SimpleUploadedFile("现场.jpg", buffer.getvalue())})
    attachment = engagement.attachments.get()
    served = client.get(reverse("coordination:engagement-attachment", args=[engagement.pk, attachment.pk]))
    assert served["Content-Type"] == "image/jpeg" and "inline" in served["Content-Disposition"]
    client.post(url, {"file": SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")})
    document = engagement.attachments.get(kind="document")
    served = client.get(reverse("coordination:engagement-attachment", args=[engagement.pk, document.pk]))
    assert served["Content-Type"] == "application/pdf" and served["Content-Disposition"].startswith("attachment")
    response = client.post(url, {"file": SimpleUploadedFile("x.png", b"not an image")})
    assert response.status_code == 302 and engagement.attachments.count() == 2
    delete = reverse("coordination:engagement-attachment-delete", args=[engagement.pk, attachment.pk])
    assert "Delete the file" in client.get(delete).content.decode()  # asks first
    assert engagement.attachments.count() == 2
    client.post(delete)
    assert engagement.attachments.count() == 1


def test_a_decision_becomes_an_issue_from_the_engagement_page(co, login):
    engagement = meeting(co)
    decision = engagement_actions.record_outcomes(
        engagement=engagement, by=co.coordinator, issues=[], decisions=[{"text": "管线迁改\n6月底前", "project": None}]
    )["decisions"][0]
    client = login(co.coordinator)
    url = reverse("coordination:decision-issue", args=[engagement.pk, decision.pk])
    assert url in client.get(engagement.get_absolute_url()).content.decode()
    form = client.get(url).content.decode()
    assert 'value="管线迁改"' in form  # the decision's first line as the title
    data = {
        "project": co.sj_project.pk,
        "title": "管线迁改滞后",
        "category": category("utilities").pk,
        "severity": "2",
        "lead_unit": co.sj_bureau.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, data | {"deadline": (today() + 9 * DAY).isoformat()})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.issue.title == "管线迁改滞后"
    milestone_url = reverse("coordination:decision-milestone", args=[engagement.pk, decision.pk])
    response = client.post(
        milestone_url, {"project": co.sj_project.pk, "kind": kind().pk, "planned_date": today().isoformat()}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.milestone.project == co.sj_project
    assert login(co.viewer).get(url).status_code == 403


# --- issues --------------------------------------------------------------------------------------


def test_owner_raises_and_coordinator_assigns_through_the_pages(co, login):
    client = login(co.owner)
    form = client.get(reverse("coordination:issue-create"), {"project": "SJ-001"}).content.decode()
    assert 'name="lead_unit"' not in form  # an owner does not pick who works on it
    response = client.post(
        reverse("coordination:issue-create"),
        {
            "project": co.sj_project.pk,
            "title": "雨污管网接驳",
            "category": co.other.pk,
            "severity": "1",
            "source": "unit",
        },
    )
    issue = Issue.objects.get()
    assert response.status_code == 302 and issue.lead_unit is None
    client = login(co.coordinator)
    assert "not assigned yet" in client.get(reverse("coordination:board")).content.decode()
    response = client.post(
        reverse("coordination:issue-assign", args=[issue.pk]),
        {"lead_unit": co.sj_bureau.pk, "deadline": (today() + 7 * DAY).isoformat()},
    )
    assert response.status_code == 302
    assert Issue.objects.get().lead_unit == co.sj_bureau


def test_unit_answers_coordinator_returns_then_closes(co, login, media):
    from PIL import Image

    issue = actions.raise_issue(
        project=co.sj_project,
        by=co.coordinator,
        title="土地未交付",
        category=co.land,
        lead_unit=co.sj_bureau,
        deadline=today() + 5 * DAY,
    )
    client = login(co.unit_member)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    inbox = reverse("coordination:inbox")
    response = client.post(
        reverse("coordination:issue-respond", args=[issue.pk]),
        {
            "text": "已完成测绘",
            "on": today().isoformat(),
            "files": [SimpleUploadedFile("测绘.png", buffer.getvalue())],
            "next": inbox,
        },
    )
    assert response["Location"] == inbox
    response = client.post(
        reverse("coordination:issue-resolve", args=[issue.pk]),
        {"resolution": "土地已交付", "on": today().isoformat(), "next": "https://elsewhere.example/"},
    )
    assert Issue.objects.get().status == IssueStatus.RESOLVED
    # A `next` pointing elsewhere is ignored.
    assert response["Location"].startswith(issue.get_absolute_url())
    client = login(co.coordinator)
    body = client.get(issue.get_absolute_url()).content.decode()
    assert "Verify and close" in body and "测绘.png" in body
    client.post(reverse("coordination:issue-return", args=[issue.pk]), {"reason": "缺交付确认书"})
    assert Issue.objects.get().status == IssueStatus.RETURNED
    client = login(co.unit_member)
    client.post(
        reverse("coordination:issue-resolve", args=[issue.pk]), {"resolution": "补交确认书", "on": today().isoformat()}
    )
    client = login(co.coordinator)
    client.post(reverse("coordination:issue-verify", args=[issue.pk]), {"note": "核实无误"})
    assert Issue.objects.get().status == IssueStatus.CLOSED
    body = client.get(issue.get_absolute_url()).content.decode()
    assert "verified and closed" in body and "What you can do" not in body


def test_deadline_change_and_instruction_from_the_pages(co, login):
    issue = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, deadline=today() - 2 * DAY)
    client = login(co.coordinator)
    url = reverse("coordination:issue-deadline", args=[issue.pk])
    client.post(url, {"new_deadline": (today() + 9 * DAY).isoformat(), "reason": ""})
    assert Issue.objects.get().deadline == today() - 2 * DAY  # no reason, no move
    client.post(url, {"new_deadline": (today() + 9 * DAY).isoformat(), "reason": "审批窗口延后"})
    body = client.get(issue.get_absolute_url()).content.decode()
    assert 'id="deadline-history"' in body and "审批窗口延后" in body
    client = login(co.leader_user)
    url = reverse("coordination:project-instruct", args=["SJ-001"])
    assert url in client.get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    form = client.get(url).content.decode()
    assert 'name="leader"' not in form  # a leader instructs in his own name
    data = {"text": "请尽快解决供电问题", "target_unit": co.hq.pk, "given_on": today().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200 and not Issue.objects.filter(source="instruction").exists()
    response = client.post(url, data | {"deadline": (today() + 14 * DAY).isoformat()})
    assert response.status_code == 302
    work = Issue.objects.get(source="instruction")
    assert (work.lead_unit, work.raised_by) == (co.hq, co.leader_user)
    body = client.get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    assert "请尽快解决供电问题" in body  # the work it created, on the project's issues


def test_project_page_shows_its_issues_and_turns_red(co, login):
    IssueFactory(project=co.sj_project, title="逾期的问题", deadline=today() - DAY)
    IssueFactory(project=co.sj_project, title="已关闭的问题", status=IssueStatus.CLOSED, closed_on=today())
    meeting(co, title="现场推进会")
    body = login(co.coordinator).get(reverse("portfolio:project-detail", args=["SJ-001"])).content.decode()
    section = body[body.index('id="issues"') :]
    section = section[: section.index("</section>")]
    assert "逾期的问题" in section and "1 overdue" in section
    assert "已关闭的问题" not in section and f"?project={co.sj_project.pk}&amp;status=closed" in section
    fragment = login(co.coordinator).get(reverse("coordination:project-engagements", args=["SJ-001"]))
    assert "现场推进会" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert login(co.mh_coordinator).get(reverse("coordination:project-engagements", args=["SJ-001"])).status_code == 404
    assert "an issue is past its deadline" in body
    assert 'id="project-light"><span class="light light-red"' in body


def test_leader_page(co, login):
    engagement = meeting(co, chair=co.leader, title="副区长调研")
    IssueFactory(project=co.sj_project, title="待解决")
    client = login(co.leader_user)
    body = client.get(reverse("coordination:leader-detail", args=[co.leader.pk])).content.decode()
    assert "SJ-001" in body and "副区长调研" in body and "待解决" in body
    assert reverse("coordination:leader-detail", args=[co.leader.pk]) in body  # his menu links here
    assert login(co.mh_coordinator).get(reverse("coordination:leader-detail", args=[co.leader.pk])).status_code == 404
    assert engagement.chair == co.leader


def test_board_groups_counts_and_filters(co, login):
    late = IssueFactory(
        project=co.sj_project, lead_unit=co.sj_bureau, category=category("land"), deadline=today() - 3 * DAY
    )
    IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, category=category("funding"))
    IssueFactory(
        project=co.mh_project,
        lead_unit=co.mh_bureau,
        category=category("land"),
        raised_on=today() - 10 * DAY,
        resolved_on=today() - 4 * DAY,
        closed_on=today() - 2 * DAY,
        status=IssueStatus.CLOSED,
        title="已办结",
    )
    client = login(co.coordinator)
    response = client.get(reverse("coordination:board"))
    totals = response.context["totals"]
    assert (totals["open"], totals["overdue"], totals["awaiting"], totals["avg_days"]) == (2, 1, 0, 6.0)
    by_unit = {row["name"]: (row["open"], row["overdue"], row["avg_days"]) for row in response.context["by_unit"]}
    assert by_unit == {"松江区发改委": (2, 1, None), "闵行区发改委": (0, 0, 6.0)}
    by_category = {row["name"]: (row["open"], row["overdue"]) for row in response.context["by_category"]}
    assert by_category == {"Land": (1, 1), "Funding": (1, 0)} | {"Land": (1, 1)}
    body = response.content.decode()
    assert "已办结" not in body[body.index('id="issue-list"') :]  # closed issues are listed only on request
    response = client.get(reverse("coordination:board"), {"overdue": "on"})
    assert [i.pk for i in response.context["page"]] == [late.pk]
    response = client.get(reverse("coordination:board"), {"status": "closed"})
    assert [i.title for i in response.context["page"]] == ["已办结"]
    response = client.get(reverse("coordination:board"), {"unit": co.mh_bureau.pk})
    assert response.context["totals"]["open"] == 0
    fragment = client.get(reverse("coordination:board"), {"q": "已办结"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="by-unit"' in fragment


def test_inbox_tabs_and_actions(co, login):
    IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="我们牵头", deadline=today() - DAY)
    helping = IssueFactory(project=co.mh_project, lead_unit=co.mh_bureau, title="我们配合")
    helping.co_units.add(co.sj_bureau)
    IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="待核实", status=IssueStatus.RESOLVED)
    client = login(co.unit_member)
    response = client.get(reverse("coordination:inbox"))
    body = response.content.decode()
    assert "我们牵头" in body and "我们配合" in body and "待核实" not in body
    assert response.context["counts"] == {"open": 2, "overdue": 1, "awaiting": 1, "closed": 0}
    # Both are answered from here; only the one the unit leads can be marked resolved.
    assert body.count("Send the response") == 2 and body.count(">Mark resolved</button>") == 1
    body = client.get(reverse("coordination:inbox"), {"tab": "awaiting"}).content.decode()
    assert "待核实" in body and "我们牵头" not in body
    body = client.get(reverse("coordination:inbox"), {"q": "不存在"}).content.decode()
    assert "No issue matches this search." in body


# --- bounded queries -----------------------------------------------------------------------------


def _grow(w, n):
    """`n` more projects in Songjiang, each with issues in several states, responses and an engagement."""
    for i in range(n):
        project = ProjectFactory(area=w.songjiang, lead_leader=w.leader, responsible_unit=w.sj_bureau)
        unit = UnitFactory(area=w.songjiang)
        for status in (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED, IssueStatus.CLOSED):
            issue = IssueFactory(
                project=project,
                lead_unit=w.sj_bureau,
                status=status,
                deadline=today() - (i % 3) * DAY,
                resolved_on=today() if status in ("resolved", "closed") else None,
                category=category(["land", "funding", "labour"][i % 3]),
            )
            issue.co_units.add(unit, w.mh_bureau)
        engagement = EngagementFactory(projects=[project, w.sj_project], chair=w.leader)
        engagement.leaders.add(w.leader)
        engagement.units.add(unit, w.sj_bureau)
        IssueFactory(project=w.sj_project, engagement=engagement, lead_unit=unit)


@pytest.mark.parametrize(
    ("name", "persona", "limit"),
    [
        ("board", "coordinator", 15),
        ("inbox", "unit_member", 8),
        ("engagement-list", "coordinator", 10),
        ("engagement-calendar", "coordinator", 8),
        ("leader", "leader_user", 16),
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(co, login, name, persona, limit):
    client = login(getattr(co, persona))
    url = (
        reverse("coordination:leader-detail", args=[co.leader.pk])
        if name == "leader"
        else reverse(f"coordination:{name}")
    )
    _grow(co, 2)
    client.get(url)  # warm the session and content-type caches
    few = count_queries(client, url)
    _grow(co, 12)
    many = count_queries(client, url)
    assert many == few
    assert many <= limit


def test_detail_pages_run_a_bounded_number_of_queries(co, login, media):
    from tests.coordination.test_actions import png

    engagement = meeting(co)
    issue = actions.raise_issue(
        project=co.sj_project,
        by=co.coordinator,
        title="土地未交付",
        category=co.land,
        lead_unit=co.sj_bureau,
        deadline=today() + 5 * DAY,
        engagement=engagement,
    )
    client = login(co.coordinator)
    urls = [
        engagement.get_absolute_url(),
        issue.get_absolute_url(),
        reverse("portfolio:project-detail", args=["SJ-001"]),
    ]

    def grow(n):
        for i in range(n):
            actions.respond_to_issue(issue=issue, by=co.unit_member, text=f"进展{i}", uploads=[png()])
            other = actions.raise_issue(
                project=co.sj_project,
                by=co.coordinator,
                title=f"问题{i}",
                category=co.land,
                lead_unit=co.sj_bureau,
                co_units=[co.mh_bureau, co.hq],
                deadline=today() + i * DAY,
                engagement=engagement,
            )
            actions.give_instruction(
                by=co.leader_user, leader=co.leader, issue=other, text=f"批示{i}", target_unit=co.hq
            )
            actions.change_deadline(issue=other, by=co.coordinator, new_deadline=today() + 30 * DAY, reason="延期")
            engagement_actions.record_outcomes(
                engagement=engagement,
                by=co.coordinator,
                issues=[],
                decisions=[
                    {"text": f"决定{i}", "project": co.sj_project, "milestone_kind": kind(), "planned_date": today()}
                ],
            )
            engagement.leaders.add(co.leader)

    grow(1)
    for url in urls:
        client.get(url)
    few = [count_queries(client, url) for url in urls]
    grow(6)
    many = [count_queries(client, url) for url in urls]
    assert many == few
    # The project page shares its budget with every app's section (see the portfolio pin).
    assert many[0] <= 28 and many[1] <= 19 and many[2] <= 27
