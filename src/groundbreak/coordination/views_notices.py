"""Pages of printable notices: the list, a notice with its downloads, issuing one (from an issue
page or from the supervision board, several issues at once), a unit's report, marking replied."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.coordination import notice_actions
from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.models import Issue, Notice
from groundbreak.coordination.notice_choices import COORDINATOR_KINDS, NoticeKind, NoticeStatus
from groundbreak.coordination.notice_documents import render_docx, render_pdf
from groundbreak.coordination.notice_forms import NoticeFilter, NoticeForm, ReplyForm, ReportForm
from groundbreak.coordination.notice_queries import for_list, get_visible_notice, notice_issues, visible_notices
from groundbreak.coordination.queries import get_visible_issue, unit_issues, visible_issues
from groundbreak.coordination.views import permissions, run_action
from groundbreak.core.form_actions import perform
from groundbreak.core.htmx import redirect_to, template_for
from groundbreak.core.pagination import paginate
from groundbreak.core.sorting import sort_by
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project

SORTS = {
    "date": ("issued_on", "id"),
    "number": ("kind", "year", "serial"),
    "reply_by": ("reply_by", "id"),
    "addressee": ("addressee__name", "id"),
    "status": ("status", "-issued_on", "id"),
}

# The board's filter fields that can narrow the issues offered on the notice form.
_BOARD_FILTERS = ("q", "status", "overdue", "category", "severity", "unit", "area", "project", "leader", "escalated_to")


@login_required
def notice_list(request):
    user = request.user
    base = visible_notices(user)
    notice_filter = NoticeFilter(request.GET or None, queryset=base)
    filtered = notice_filter.qs if notice_filter.is_bound and notice_filter.is_valid() else base
    ordered, sort = sort_by(request, for_list(filtered), SORTS, "-date")
    context = {
        "filter": notice_filter,
        "page": paginate(request, ordered),
        "sort": sort,
        "today": timezone.localdate(),
        "can": permissions(user, "issue.assign"),
        "filtered": any(request.GET.get(name) for name in ("q", "kind", "status", "overdue", "issue")),
    }
    return render(
        request,
        template_for(request, "coordination/notice_list.html", "coordination/notice_list_results.html"),
        context,
    )


@login_required
def issue_notices(request, pk):
    """The notices on an issue, as a fragment the issue page loads after itself."""
    issue = get_visible_issue(request.user, pk)
    notices = (
        visible_notices(request.user)
        .filter(pk__in=Notice.issues.through.objects.filter(issue=issue).values("notice"))
        .select_related("addressee")
        .order_by("-issued_on", "-id")
    )
    return render(
        request,
        "coordination/notice_issue_section.html",
        {"issue": issue, "notices": notices[:10], "more": notices[10:11].exists(), "today": timezone.localdate()},
    )


@login_required
def notice_detail(request, pk):
    user = request.user
    notice = get_visible_notice(user, pk)
    awaiting = notice.status == NoticeStatus.AWAITING
    can = {
        "reply": awaiting and has_perm(user, "issue.assign"),
        "answer": notice.kind != NoticeKind.REPORT
        and has_perm(user, "issue.respond")
        and user.scope_unit_id is not None
        and user.scope_unit_id == notice.addressee_id,
    }
    return render(
        request,
        "coordination/notice_detail.html",
        {
            "notice": notice,
            "issues": list(notice_issues(notice)),
            "reports": list(visible_notices(user).filter(answers=notice).select_related("issuer_unit")),
            "can": can,
            "reply_form": ReplyForm() if can["reply"] else None,
            "today": timezone.localdate(),
        },
    )


@login_required
def notice_document(request, pk, fmt):
    """The printable notice, in the reader's language: .docx or .pdf."""
    notice = get_visible_notice(request.user, pk)
    if fmt == "pdf":
        data, content_type = render_pdf(notice), "application/pdf"
    else:
        data = render_docx(notice)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{notice.number}.{fmt}")
    response["Content-Type"] = content_type
    return response


def _pk(value: str) -> int:
    """A record id from the query string; anything else is a 404, like a missing record."""
    if not value.isdigit():
        raise Http404
    return int(value)


def _coordinator_candidates(user):
    """Issues a coordinator may write a notice about: unclosed, of projects in their scope."""
    return (
        visible_issues(user)
        .filter(project__in=Project.objects.for_user(user).values("pk"))
        .exclude(status=IssueStatus.CLOSED)
        .select_related("project", "lead_unit")
        .order_by("lead_unit__name", "deadline", "id")
    )


@login_required
def notice_create(request):
    """Issue a reminder, supervision order or liaison note. From an issue page (`?issue=`) the
    issues of the same lead unit are offered with that one ticked; from the board, the issues its
    filters selected, all ticked."""
    user = request.user
    require_perm(user, "issue.assign")
    candidates = _coordinator_candidates(user)
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in COORDINATOR_KINDS else None}
    issue = None
    if request.GET.get("issue"):
        issue = get_visible_issue(user, _pk(request.GET["issue"]))
        if issue.lead_unit_id:
            candidates = candidates.filter(lead_unit=issue.lead_unit_id)
            initial["addressee"] = issue.lead_unit_id
        initial["issues"] = [issue.pk]
        initial["subject"] = issue.title
    elif any(request.GET.get(name) for name in _BOARD_FILTERS):
        issue_filter = IssueFilter(request.GET, queryset=candidates, user=user)
        if issue_filter.is_valid():
            candidates = issue_filter.qs
        if request.GET.get("unit"):
            initial["addressee"] = request.GET["unit"]
        initial["issues"] = list(candidates.values_list("pk", flat=True)[:200])
    form = NoticeForm(request.POST or None, user=user, candidates=candidates, initial=initial)
    created = []
    if request.method == "POST" and perform(
        request,
        form,
        lambda d: created.append(notice_actions.issue_notice(by=user, **d)),
        _("Notice issued and sent to the unit."),
    ):
        return redirect_to(request, created[0].get_absolute_url())
    return render(
        request,
        "coordination/notice_form.html",
        {"form": form, "issue": issue, "report": False, "query": request.GET.urlencode()},
    )


@login_required
def notice_report(request):
    """A unit's written report (报告单): answering a notice (`?answers=`) or on one of its issues
    (`?issue=`)."""
    user = request.user
    require_perm(user, "issue.respond")
    if not user.scope_unit_id:
        raise PermissionDenied("a report is written by a unit")
    answers = issue = None
    candidates = unit_issues(user)
    initial = {}
    if request.GET.get("answers"):
        answers = get_visible_notice(user, _pk(request.GET["answers"]))
        if answers.addressee_id != user.scope_unit_id or answers.kind == NoticeKind.REPORT:
            raise PermissionDenied("only the addressed unit answers a notice")
        candidates = Issue.objects.filter(pk__in=answers.issues.values("pk"))
        initial["issues"] = list(candidates.values_list("pk", flat=True))
        initial["subject"] = _("Reply to %(number)s") % {"number": answers.display_number}
    elif request.GET.get("issue"):
        issue = get_visible_issue(user, _pk(request.GET["issue"]))
        initial["issues"] = [issue.pk]
        initial["subject"] = issue.title
        candidates = candidates.exclude(status=IssueStatus.CLOSED)
    candidates = candidates.select_related("project", "lead_unit").order_by("deadline", "id")
    form = ReportForm(request.POST or None, user=user, candidates=candidates, answers=answers, initial=initial)
    created = []
    if request.method == "POST" and perform(
        request,
        form,
        lambda d: created.append(
            notice_actions.issue_notice(
                kind=NoticeKind.REPORT,
                by=user,
                addressee=d.get("addressee"),
                issues=d["issues"],
                subject=d["subject"],
                body=d["body"],
                reply_by=None,
                answers=answers,
            )
        ),
        _("Report sent."),
    ):
        return redirect_to(request, created[0].get_absolute_url())
    return render(
        request,
        "coordination/notice_form.html",
        {"form": form, "issue": issue, "answers": answers, "report": True, "query": request.GET.urlencode()},
    )


@login_required
@require_POST
def notice_replied(request, pk):
    notice = get_visible_notice(request.user, pk)
    require_perm(request.user, "issue.assign")
    return run_action(
        request,
        ReplyForm(request.POST),
        lambda d: notice_actions.mark_replied(notice=notice, by=request.user, note=d["note"], on=d["on"]),
        _("Notice marked replied."),
        notice.get_absolute_url(),
    )
