"""The supervision board (督办台) over every issue in scope, and a unit's own inbox."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from groundbreak.coordination.choices import OPEN_STATUSES, IssueStatus
from groundbreak.coordination.filters import IssueFilter
from groundbreak.coordination.queries import board_rollups, for_list, issue_counts, unit_issues, visible_issues
from groundbreak.coordination.views import permissions
from groundbreak.core.htmx import template_for
from groundbreak.core.pagination import paginate
from groundbreak.core.sorting import sort_by

SORTS = {
    "deadline": ("deadline", "id"),
    "raised": ("raised_on", "id"),
    "severity": ("-severity", "deadline", "id"),
    "project": ("project__code", "deadline", "id"),
    "unit": ("lead_unit__name", "deadline", "id"),
    "status": ("status", "deadline", "id"),
}


@login_required
def board(request):
    """Issues in scope grouped by unit and category, with overdue counts and the average days to
    resolve, then the list itself (unclosed ones unless a status is asked for)."""
    user = request.user
    today = timezone.localdate()
    base = visible_issues(user)
    issue_filter = IssueFilter(request.GET or None, queryset=base, user=user, today=today)
    filtered = issue_filter.qs if issue_filter.is_bound and issue_filter.is_valid() else base
    listed = filtered if request.GET.getlist("status") else filtered.exclude(status=IssueStatus.CLOSED)
    ordered, sort = sort_by(request, for_list(listed), SORTS, "deadline")
    context = {
        "filter": issue_filter,
        "page": paginate(request, ordered),
        "sort": sort,
        "today": today,
        "can": permissions(user, "issue.create", "issue.verify"),
        **board_rollups(filtered, today),
    }
    return render(
        request, template_for(request, "coordination/board.html", "coordination/_board_results.html"), context
    )


INBOX_TABS = {
    "todo": Q(status__in=OPEN_STATUSES),
    "awaiting": Q(status=IssueStatus.RESOLVED),
    "closed": Q(status=IssueStatus.CLOSED),
}


@login_required
def inbox(request):
    """The issues assigned to the user's unit (as lead or co-unit), with what the unit may do."""
    user = request.user
    today = timezone.localdate()
    mine = unit_issues(user)
    tab = request.GET.get("tab") if request.GET.get("tab") in INBOX_TABS else "todo"
    rows = mine.filter(INBOX_TABS[tab])
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(project__code__icontains=q) | Q(project__name__icontains=q))
    ordered, sort = sort_by(request, for_list(rows), SORTS, "deadline")
    return render(
        request,
        "coordination/inbox.html",
        {
            "unit": user.scope_unit if user.scope_unit_id else None,
            "tab": tab,
            "q": q,
            "page": paginate(request, ordered),
            "sort": sort,
            "counts": issue_counts(mine, today),
            "today": today,
            "can": permissions(user, "issue.respond"),
        },
    )
