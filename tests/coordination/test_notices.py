"""Printable notices: numbering, who may issue and see them, the documents, the pages."""

import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from groundbreak.audit.models import ObjectChange
from groundbreak.coordination import notice_actions
from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.models import Notice
from groundbreak.coordination.notice_choices import NoticeKind, NoticeStatus
from groundbreak.coordination.notice_documents import render_docx, render_pdf
from groundbreak.coordination.notice_queries import visible_notices
from groundbreak.notify.models import Notification
from tests.coordination.conftest import DAY, today
from tests.factories import IssueFactory


@pytest.fixture
def issues(co):
    """Two Songjiang issues of Songjiang's bureau (Minhang's helps with one), one of Minhang's."""
    co.sj_issue = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="土地未交付")
    co.sj_issue.co_units.add(co.mh_bureau)
    co.sj_other = IssueFactory(project=co.sj_project, lead_unit=co.sj_bureau, title="施工许可未取得")
    co.mh_issue = IssueFactory(project=co.mh_project, lead_unit=co.mh_bureau, title="闵行管线迁改")
    return co


def supervise(w, issues=None, **overrides):
    fields = dict(
        kind=NoticeKind.SUPERVISION,
        addressee=w.sj_bureau,
        issues=[w.sj_issue] if issues is None else issues,
        reply_by=today() + 7 * DAY,
        by=w.coordinator,
        subject="关于加快土地交付的督办",
    )
    return notice_actions.issue_notice(**(fields | overrides))


# --- numbering -----------------------------------------------------------------------------------


def test_numbers_run_per_kind_and_year(issues):
    year = today().year
    first, second = supervise(issues), supervise(issues)
    reminder = supervise(issues, kind=NoticeKind.REMINDER)
    last_year = supervise(issues, by=None, on=datetime.date(year - 1, 12, 30), reply_by=datetime.date(year, 1, 5))
    third = supervise(issues)
    assert [first.number, second.number, third.number] == [f"督办〔{year}〕{n}号" for n in (1, 2, 3)]
    assert reminder.number == f"提示〔{year}〕1号"
    assert last_year.number == f"督办〔{year - 1}〕1号"
    with translation.override("en"):
        assert third.display_number == f"Supervision order [{year}] No. 3"
    with translation.override("zh-hans"):
        assert third.display_number == f"督办〔{year}〕3号"
    # The coordinator's notices go out under the headquarters of his area.
    assert first.issuer_unit == issues.hq


def test_a_number_taken_meanwhile_is_not_reused(issues, monkeypatch):
    """Two issuers at once may read the same highest number: the unique constraint makes the
    second take the next one instead of failing."""
    supervise(issues)
    real = notice_actions.next_serial
    stale = iter([1])  # what a concurrent issuer read before the first notice was saved
    monkeypatch.setattr(notice_actions, "next_serial", lambda kind, year: next(stale, None) or real(kind, year))
    notice = supervise(issues)
    assert notice.serial == 2 and Notice.objects.count() == 2


# --- issuing: rules and refusals -----------------------------------------------------------------


def test_issuing_checks_the_notice(issues):
    with pytest.raises(ValidationError) as error:
        supervise(issues, reply_by=today() - DAY)
    assert "reply_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        supervise(issues, reply_by=None)
    assert "reply_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        supervise(issues, issues=[], addressee=None)
    assert {"issues", "addressee"} <= set(error.value.message_dict)
    # A supervision order chases the unit doing the work.
    with pytest.raises(ValidationError) as error:
        supervise(issues, issues=[issues.sj_issue, issues.mh_issue])
    assert "not assigned to" in error.value.message_dict["issues"][0]
    issues.sj_other.status = IssueStatus.CLOSED
    issues.sj_other.save()
    with pytest.raises(ValidationError):
        supervise(issues, issues=[issues.sj_other])
    # A liaison note may ask any unit to help, about issues it does not lead.
    note = supervise(issues, kind=NoticeKind.LIAISON, addressee=issues.mh_bureau, issues=[issues.sj_other])
    assert note.number.startswith("联系") and note.status == NoticeStatus.AWAITING
    assert Notice.objects.count() == 1


def test_who_may_issue_what(issues):
    # Units do not send supervision orders; a Minhang coordinator cannot write about Songjiang.
    with pytest.raises(PermissionDenied):
        supervise(issues, by=issues.unit_member)
    with pytest.raises(PermissionDenied):
        supervise(issues, by=issues.viewer)
    with pytest.raises(ObjectDoesNotExist):
        supervise(issues, by=issues.mh_coordinator)
    # A report is a unit's: a coordinator without a unit cannot write one, nor a unit about
    # another unit's issue.
    report = dict(kind=NoticeKind.REPORT, addressee=issues.hq, reply_by=None, subject="情况报告")
    with pytest.raises(PermissionDenied):
        notice_actions.issue_notice(by=issues.coordinator, issues=[issues.sj_issue], **report)
    with pytest.raises(ObjectDoesNotExist):
        notice_actions.issue_notice(by=issues.unit_member, issues=[issues.mh_issue], **report)
    with pytest.raises(PermissionDenied):
        notice_actions.issue_notice(by=issues.owner, issues=[issues.sj_issue], **report)
    # Minhang's bureau helps with the Songjiang issue, so it may report on it; the project's
    # coordinators read it (the headquarters addressed may have no login of its own).
    mine = notice_actions.issue_notice(by=issues.mh_member, issues=[issues.sj_issue], **report)
    told = set(Notification.objects.filter(dedup_key=f"notice.issued:{mine.pk}").values_list("recipient", flat=True))
    assert told == {issues.coordinator.pk, issues.sj_coordinator.pk}
    assert mine.issuer_unit == issues.mh_bureau and mine.status == NoticeStatus.FILED
    assert mine.number == f"报告〔{today().year}〕1号"


def test_the_units_report_answers_the_notice(issues, sent):
    notice = supervise(issues, issues=[issues.sj_issue, issues.sj_other])
    # Only the addressed unit answers it.
    with pytest.raises(PermissionDenied):
        notice_actions.issue_notice(
            kind=NoticeKind.REPORT, by=issues.mh_member, addressee=None, issues=[], reply_by=None, answers=notice
        )
    report = notice_actions.issue_notice(
        kind=NoticeKind.REPORT,
        by=issues.unit_member,
        addressee=None,
        issues=[],
        reply_by=None,
        answers=notice,
        body="土地已于本周完成交付。",
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED and notice.replied_on == today()
    assert report.addressee == issues.hq and report.issuer_unit == issues.sj_bureau
    assert set(report.issues.all()) == {issues.sj_issue, issues.sj_other}
    # The issuer of the notice is told of the answer.
    assert sent[-1]["kind"] == "notice.report" and issues.coordinator in sent[-1]["recipients"]
    with pytest.raises(ValidationError):
        notice_actions.mark_replied(notice=notice, by=issues.coordinator)
    with pytest.raises(ValidationError):  # a report answers a notice, not a report
        notice_actions.issue_notice(
            kind=NoticeKind.REPORT, by=issues.coordinator, addressee=None, issues=[], reply_by=None, answers=report
        )


def test_coordinator_marks_a_paper_reply(issues):
    notice = supervise(issues)
    with pytest.raises(PermissionDenied):
        notice_actions.mark_replied(notice=notice, by=issues.unit_member)
    with pytest.raises(ObjectDoesNotExist):
        notice_actions.mark_replied(notice=notice, by=issues.mh_coordinator)
    notice_actions.mark_replied(notice=notice, by=issues.sj_coordinator, note="电话答复")
    notice.refresh_from_db()
    assert (notice.status, notice.reply_note) == (NoticeStatus.REPLIED, "电话答复")
    # Both writes are in the change log.
    logged = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Notice), object_id=str(notice.pk)
    ).order_by("seq")
    assert [change.action for change in logged] == ["create", "update"]
    assert logged.last().changes["status"] == {"before": "awaiting", "after": "replied"}


# --- notifications -------------------------------------------------------------------------------


def test_the_addressee_units_users_are_notified(issues, sent):
    notice = supervise(issues)
    (call,) = sent
    assert call["recipients"] == [issues.unit_member]
    assert call["kind"] == "notice.supervision" and call["url"] == notice.get_absolute_url()
    assert notice.number in call["title"] and "土地未交付" in call["body"]


def test_the_notification_reaches_the_bell(issues):
    notice = supervise(issues)
    delivered = Notification.objects.filter(dedup_key=f"notice.issued:{notice.pk}")
    assert list(delivered.values_list("recipient", flat=True)) == [issues.unit_member.pk]
    assert delivered.get().url == notice.get_absolute_url()


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("admin", True),
        ("coordinator", True),
        ("sj_coordinator", True),
        ("unit_member", True),  # addressed to his unit
        ("mh_member", False),  # his unit helps with another issue, not this one
        ("leader_user", True),  # he leads the project
        ("mh_coordinator", False),
        ("owner", True),  # the enterprise owns the project
    ],
)
def test_who_sees_a_notice(issues, persona, sees):
    notice = supervise(issues, issues=[issues.sj_other])
    assert visible_notices(getattr(issues, persona)).filter(pk=notice.pk).exists() is sees


def test_minhang_member_sees_only_what_concerns_his_unit(issues):
    sj_only = supervise(issues, issues=[issues.sj_other])
    helped = supervise(issues)
    assert set(visible_notices(issues.mh_member)) == {helped}
    assert sj_only not in visible_notices(issues.mh_member)


def test_refusals_on_the_pages(issues, login):
    notice = supervise(issues, issues=[issues.sj_other])
    urls = [
        reverse("coordination:notice-detail", args=[notice.pk]),
        reverse("coordination:notice-docx", args=[notice.pk]),
        reverse("coordination:notice-pdf", args=[notice.pk]),
    ]
    outsider = login(issues.mh_coordinator)
    assert [outsider.get(url).status_code for url in urls] == [404, 404, 404]
    assert outsider.post(reverse("coordination:notice-replied", args=[notice.pk])).status_code == 404
    assert outsider.get(reverse("coordination:notice-create"), {"issue": issues.sj_other.pk}).status_code == 404
    assert outsider.get(reverse("coordination:notice-create"), {"issue": "x"}).status_code == 404
    unit = login(issues.unit_member)
    assert unit.get(reverse("coordination:notice-create")).status_code == 403
    assert unit.post(reverse("coordination:notice-replied", args=[notice.pk])).status_code == 403
    assert login(issues.viewer).get(reverse("coordination:notice-report")).status_code == 403
    # A coordinator has no unit to report for; the owner sees the notice but is not its addressee.
    assert login(issues.coordinator).get(reverse("coordination:notice-report")).status_code == 403
    owner = login(issues.owner)
    assert owner.get(urls[0]).status_code == 200
    assert owner.get(reverse("coordination:notice-report"), {"answers": notice.pk}).status_code == 403
    # Posting an out-of-scope issue to the form is refused, and nothing is issued.
    response = login(issues.sj_coordinator).post(
        reverse("coordination:notice-create"),
        {
            "kind": "reminder",
            "addressee": issues.mh_bureau.pk,
            "reply_by": (today() + DAY).isoformat(),
            "issues": [issues.mh_issue.pk],
        },
    )
    assert response.status_code == 200 and "issues" in response.context["form"].errors
    assert Notice.objects.count() == 1


# --- documents -----------------------------------------------------------------------------------


def _pdf_strings(data: bytes) -> str:
    """The text shown by an uncompressed PDF whose text is all in a UCS-2 CID font, read without
    any PDF library: every `(…) Tj` string, unescaped and decoded as UTF-16BE."""
    shown = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
        out, i = bytearray(), 0
        while i < len(raw):
            if raw[i : i + 1] != b"\\":
                out.append(raw[i])
                i += 1
                continue
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
            else:
                escaped = raw[i + 1 : i + 2]
                out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(escaped, escaped)
                i += 2
        shown.append(out.decode("utf-16-be"))
    return "\n".join(shown)


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", data))


def _docx_text(data: bytes) -> tuple[list[str], list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    return paragraphs, rows


def test_the_word_document_reads_back(issues):
    notice = supervise(issues, issues=[issues.sj_issue, issues.sj_other])
    with translation.override("zh-hans"):
        paragraphs, rows = _docx_text(render_docx(notice))
    year = today().year
    # The number is Chinese whatever the language; dates follow the reader's.
    assert paragraphs[0] == "市重大办" and paragraphs[2] == f"督办〔{year}〕1号"
    assert paragraphs[3] == f"{year}年{today().month}月{today().day}日"
    assert "关于加快土地交付的督办" in paragraphs[5]
    assert {row[2] for row in rows[1:]} == {"土地未交付", "施工许可未取得"} and len(rows[0]) == 6
    assert rows[1][1].startswith("SJ-001") and rows[1][3] == "松江区发改委"
    with translation.override("en"):
        paragraphs, rows = _docx_text(render_docx(notice))
    assert paragraphs[1:3] == ["Supervision Order", f"Supervision order [{year}] No. 1"]
    assert "To: 松江区发改委" in paragraphs
    assert rows[0] == ["No.", "Project", "Issue", "Lead unit", "Deadline", "Status"]
    assert any(p.startswith("Please reply in writing by") for p in paragraphs)


def test_the_pdf_is_a4_with_the_number_and_issues(issues):
    notice = supervise(issues)
    with translation.override("zh-hans"):
        data = render_pdf(notice, compress=False)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4
    assert b"/BaseFont /STSong-Light" in data and _pages(data) == 1
    text = _pdf_strings(data)
    for expected in (f"督办〔{today().year}〕1号", "松江区发改委", "土地未交付", "SJ-001", "市重大办", "关于加快"):
        assert expected in text
    # Many issues run over several pages, the table's head repeated on each.
    many = [IssueFactory(project=issues.sj_project, lead_unit=issues.sj_bureau) for _ in range(60)]
    long = supervise(issues, issues=many)
    with translation.override("en"):
        data = render_pdf(long, compress=False)
    text = _pdf_strings(data)
    assert _pages(data) >= 2 and text.count("Lead unit") == _pages(data)
    assert "Supervision Order" in text and many[-1].title in text


def test_downloads_from_the_page(issues, login):
    notice = supervise(issues)
    client = login(issues.unit_member)
    response = client.get(reverse("coordination:notice-pdf", args=[notice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment") and ".pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("coordination:notice-docx", args=[notice.pk]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    paragraphs, _rows = _docx_text(b"".join(response.streaming_content))
    assert "Supervision Order" in paragraphs  # the reader's language (English in the tests)


# --- pages ---------------------------------------------------------------------------------------


def test_issue_a_notice_from_the_issue_page(issues, login, sent):
    client = login(issues.sj_coordinator)
    page = client.get(issues.sj_issue.get_absolute_url()).content.decode()
    form_url = reverse("coordination:notice-create")
    assert f"{form_url}?issue={issues.sj_issue.pk}" in page
    response = client.get(form_url, {"issue": issues.sj_issue.pk, "kind": "supervision"})
    form = response.context["form"]
    # The issues of the same unit are offered, that one ticked, the unit addressed.
    assert set(form.fields["issues"].queryset) == {issues.sj_issue, issues.sj_other}
    assert form.initial["issues"] == [issues.sj_issue.pk] and form.initial["addressee"] == issues.sj_bureau.pk
    data = {
        "kind": "supervision",
        "addressee": issues.sj_bureau.pk,
        "reply_by": (today() + 5 * DAY).isoformat(),
        "subject": "督办",
        "issues": [issues.sj_issue.pk, issues.sj_other.pk],
    }
    response = client.post(f"{form_url}?issue={issues.sj_issue.pk}", data | {"reply_by": "2000-01-01"})
    assert response.status_code == 200 and "reply_by" in response.context["form"].errors
    response = client.post(f"{form_url}?issue={issues.sj_issue.pk}", data)
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.issuer_unit is None  # no headquarters in Songjiang: the document says so generically
    assert len(sent) == 1
    # The issue page loads its notices after itself (its own query budget stays as it was).
    page = client.get(issues.sj_issue.get_absolute_url()).content.decode()
    fragment_url = reverse("coordination:issue-notices", args=[issues.sj_issue.pk])
    assert fragment_url in page and f"{reverse('coordination:notice-list')}?issue={issues.sj_issue.pk}" in page
    assert notice.get_absolute_url() in client.get(fragment_url).content.decode()
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert reverse("coordination:notice-pdf", args=[notice.pk]) in detail
    assert reverse("coordination:notice-docx", args=[notice.pk]) in detail
    assert login(issues.mh_coordinator).get(fragment_url).status_code == 404


def test_issue_a_notice_on_the_issues_the_board_selected(issues, login):
    extra = IssueFactory(project=issues.sj_project, lead_unit=issues.hq, title="市级协调")
    client = login(issues.coordinator)
    board = client.get(reverse("coordination:board"), {"unit": issues.sj_bureau.pk}).content.decode()
    assert 'id="notice-from-board"' in board and f"unit={issues.sj_bureau.pk}" in board
    response = client.get(reverse("coordination:notice-create"), {"kind": "supervision", "unit": issues.sj_bureau.pk})
    form = response.context["form"]
    assert set(form.fields["issues"].queryset) == {issues.sj_issue, issues.sj_other}
    assert set(form.initial["issues"]) == {issues.sj_issue.pk, issues.sj_other.pk}
    assert extra not in form.fields["issues"].queryset


def test_the_unit_answers_from_the_notice_page(issues, login):
    notice = supervise(issues)
    client = login(issues.unit_member)
    detail = client.get(notice.get_absolute_url()).content.decode()
    answer_url = f"{reverse('coordination:notice-report')}?answers={notice.pk}"
    assert answer_url in detail
    response = client.post(answer_url, {"issues": [issues.sj_issue.pk], "body": ""})
    assert response.status_code == 200 and "body" in response.context["form"].errors
    response = client.post(answer_url, {"issues": [issues.sj_issue.pk], "subject": "回复", "body": "已完成交付"})
    report = Notice.objects.get(kind=NoticeKind.REPORT)
    assert response["Location"] == report.get_absolute_url()
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert report.get_absolute_url() in detail and 'data-status="replied"' in detail
    # From the issue page, a unit reports on its own issue to the headquarters.
    page = client.get(issues.sj_other.get_absolute_url()).content.decode()
    assert f"{reverse('coordination:notice-report')}?issue={issues.sj_other.pk}" in page


def test_coordinator_marks_replied_on_the_page(issues, login):
    notice = supervise(issues)
    client = login(issues.coordinator)
    assert "Mark replied" in client.get(notice.get_absolute_url()).content.decode()
    client.post(
        reverse("coordination:notice-replied", args=[notice.pk]), {"on": today().isoformat(), "note": "书面答复"}
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED


def test_notice_list_search_filters_and_sorting(issues, login):
    old = supervise(issues, by=None, on=today() - 30 * DAY, reply_by=today() - 20 * DAY, subject="逾期未回复")
    reminder = supervise(issues, kind=NoticeKind.REMINDER, subject="节点提示")
    liaison = supervise(issues, kind=NoticeKind.LIAISON, addressee=issues.mh_bureau, subject="请协助")
    notice_actions.mark_replied(notice=liaison, by=None)
    client = login(issues.coordinator)
    url = reverse("coordination:notice-list")

    def listed(**params):
        return list(client.get(url, params).context["page"].object_list)

    assert listed() == [liaison, reminder, old]  # newest first
    assert listed(sort="date") == [old, reminder, liaison]
    assert listed(kind="reminder") == [reminder]
    assert listed(status="replied") == [liaison]
    assert listed(overdue="on") == [old]
    assert listed(q="协助") == [liaison]
    assert listed(q=reminder.number) == [reminder]
    assert listed(issue=issues.sj_issue.pk) == [liaison, reminder, old]
    assert listed(issue=issues.mh_issue.pk) == []
    assert listed(sort="addressee")[-1] == liaison and listed(sort="-addressee")[0] == liaison
    fragment = client.get(url, {"kind": "liaison"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and liaison.display_number in fragment
    assert "No notice matches" in client.get(url, {"q": "不存在"}).content.decode()
    # A unit's list holds only what concerns it.
    assert listed(sort="date") != list(login(issues.mh_member).get(url).context["page"].object_list)
    assert set(login(issues.mh_member).get(url).context["page"].object_list) == {old, reminder, liaison}


def test_notice_list_runs_a_bounded_number_of_queries(issues, login):
    client = login(issues.sj_coordinator)
    url = reverse("coordination:notice-list")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            notice = supervise(issues, issues=[issues.sj_issue, issues.sj_other], subject=f"督办{i}")
            notice_actions.issue_notice(
                kind=NoticeKind.REPORT, by=issues.unit_member, addressee=None, issues=[], reply_by=None, answers=notice
            )

    grow(2)
    client.get(url)  # warm the session and content-type caches
    few = count()
    grow(12)
    many = count()
    assert many == few and many <= 8


def test_notice_detail_runs_a_bounded_number_of_queries(issues, login):
    notice = supervise(issues, issues=[issues.sj_issue, issues.sj_other])
    client = login(issues.unit_member)
    url = notice.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.get(url)
    few = count()
    more = [IssueFactory(project=issues.sj_project, lead_unit=issues.sj_bureau) for _ in range(8)]
    notice.issues.add(*more)
    for _ in range(3):
        notice_actions.issue_notice(
            kind=NoticeKind.REPORT, by=issues.unit_member, addressee=None, issues=[], reply_by=None, answers=notice
        )
    assert count() == few <= 10


def test_navigation_offers_the_notices(issues, login):
    page = login(issues.viewer).get(reverse("coordination:notice-list")).content.decode()
    assert reverse("coordination:notice-list") in page and "No notice in your scope yet." in page


def test_the_demo_has_one_notice_of_each_kind(db, media):
    from groundbreak.demo.load import load_demo

    assert load_demo() is True
    notices = {n.kind: n for n in Notice.objects.select_related("addressee", "answers")}
    assert set(notices) == set(NoticeKind.values)
    assert notices["report"].answers == notices["reminder"]
    assert notices["reminder"].status == NoticeStatus.REPLIED
    assert notices["supervision"].addressee.name == "绵阳市涪城区人民政府"
    assert notices["supervision"].issues.count() == 2
    assert all(n.serial == 1 for n in notices.values())
    with translation.override("en"):
        paragraphs, rows = _docx_text(render_docx(notices["supervision"]))
        assert render_pdf(notices["liaison"]).startswith(b"%PDF")
    assert "Fucheng District People's Government" in " ".join(paragraphs) and len(rows) == 3
