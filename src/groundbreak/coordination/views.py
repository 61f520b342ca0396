"""What the coordination pages share, and the leader page.

The pages themselves are split by subject: `views_engagements`, `views_issues`, `views_board`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
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
from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.org.permissions import has_perm
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import light_counts, visible_projects


def permissions(user, *perms) -> dict:
    """`{"issue_assign": True, …}` for the template's `can`."""
    return {perm.replace(".", "_"): has_perm(user, perm) for perm in perms}


def run_action(request, form, perform, success: str, back: str):
    """Run one business action from a posted form and go back; errors come back as notices.

    Out of scope is a 404; a role or unit that may not act gets the 403 of PermissionDenied.
    """
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, success)
            return redirect_to(request, back)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect_to(request, back)


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
