"""What the coordination pages share, and the leader page.

The pages themselves are split by subject: `views_engagements`, `views_issues`, `views_board`.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from groundbreak.coordination.choices import AttachmentKind, IssueStatus
from groundbreak.coordination.models import Engagement
from groundbreak.coordination.queries import (
    for_list,
    issue_counts,
    visible_engagements,
    visible_issues,
    visible_leaders,
)
from groundbreak.core.form_actions import perform_or_notice as run_action  # noqa: F401 (used by the views)
from groundbreak.core.pagination import paginate
from groundbreak.org.permissions import permission_flags as permissions  # noqa: F401
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import light_counts, visible_projects


def serve_attachment(attachment):
    """A stored photo or document, with the type we found in its content, never the browser's guess."""
    if not attachment.file:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        filename=attachment.name,
        content_type=attachment.content_type,
        # Photos open in the page; documents download rather than render in our origin.
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
    )


@login_required
def leader_detail(request, pk):
    """A leader's projects (包联), the engagements they chaired or attended, and the open issues of
    their projects, as far as the user's scope reaches."""
    user = request.user
    person = get_object_or_404(visible_leaders(user).select_related("unit"), pk=pk)
    led = visible_projects(user).filter(lead_leader=person).order_by("code")
    attended = Engagement.leaders.through.objects.filter(person=person).values("engagement")
    engagements = (
        visible_engagements(user)
        .filter(Q(chair=person) | Q(pk__in=attended))
        .select_related("chair")
        .order_by("-date", "-id")
    )
    issues = visible_issues(user).filter(project__lead_leader=person)
    today = timezone.localdate()
    return render(
        request,
        "coordination/leader_detail.html",
        {
            "person": person,
            "led": led,
            "light_counts": light_counts(led),
            "engagements": paginate(request, engagements, 20, param="engagements"),
            "issues": for_list(issues.exclude(status=IssueStatus.CLOSED)).order_by("deadline", "id")[:30],
            "issue_counts": issue_counts(issues, today),
            "instructions": person.instructions.filter(project__in=Project.objects.for_user(user).values("pk"))
            .select_related("project", "target_unit", "created_issue")
            .order_by("-given_on", "-id")[:10],
            "today": today,
        },
    )
