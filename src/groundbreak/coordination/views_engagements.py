"""Pages of engagements: list, calendar, record and edit, the engagement page with its outcomes,
photos and documents."""

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.audit.queries import history_page
from groundbreak.coordination import engagement_actions as actions
from groundbreak.coordination.choices import OPEN_STATUSES, EscalationTarget
from groundbreak.coordination.filters import EngagementFilter
from groundbreak.coordination.forms import (
    AttachmentForm,
    DecisionIssueForm,
    DecisionMilestoneForm,
    EngagementForm,
    OutcomeDecisionFormSet,
    OutcomeIssueFormSet,
)
from groundbreak.coordination.models import Engagement
from groundbreak.coordination.queries import for_list, get_visible_engagement, visible_engagements, visible_issues
from groundbreak.coordination.views import permissions, run_action, serve_attachment
from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to, template_for
from groundbreak.core.pagination import paginate
from groundbreak.core.sorting import sort_by
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import get_visible_project

SORTS = {"date": ("date", "id"), "kind": ("kind", "-date"), "title": ("title", "-date")}


def _filtered(request):
    base = visible_engagements(request.user)
    engagement_filter = EngagementFilter(request.GET or None, queryset=base, user=request.user)
    filtered = engagement_filter.qs if engagement_filter.is_bound and engagement_filter.is_valid() else base
    return engagement_filter, filtered


@login_required
def engagement_list(request):
    engagement_filter, filtered = _filtered(request)
    rows = (
        filtered.select_related("chair", "area")
        .annotate(n_issues=Count("issues"))
        .prefetch_related(Prefetch("projects", queryset=Project.objects.only("pk", "code", "name", "name_en")))
    )
    ordered, sort = sort_by(request, rows, SORTS, "-date")
    context = {
        "filter": engagement_filter,
        "page": paginate(request, ordered),
        "sort": sort,
        "can": permissions(request.user, "engagement.change"),
    }
    return render(
        request,
        template_for(request, "coordination/engagement_list.html", "coordination/_engagement_results.html"),
        context,
    )


def _month(value: str | None, today: datetime.date) -> datetime.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
def engagement_calendar(request):
    """A month grid on wide screens, the same days as a list on phones (both server-rendered)."""
    today = timezone.localdate()
    first = _month(request.GET.get("month"), today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    engagement_filter, filtered = _filtered(request)
    by_day: dict[datetime.date, list] = {}
    for engagement in filtered.filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1]).order_by("date", "id"):
        by_day.setdefault(engagement.date, []).append(engagement)
    grid = [
        [
            {"date": day, "in_month": day.month == first.month, "today": day == today, "items": by_day.get(day, [])}
            for day in week
        ]
        for week in weeks
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "coordination/engagement_calendar.html",
        {
            "filter": engagement_filter,
            "month": first,
            "weeks": grid,
            "weekdays": [week_day["date"] for week_day in grid[0]],
            "days_with_items": [day for week in grid for day in week if day["items"] and day["in_month"]],
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "this_month": today.strftime("%Y-%m"),
            "can": permissions(request.user, "engagement.change"),
        },
    )


@login_required
def project_engagements(request, code):
    """The engagements that covered a project, as a fragment the project page loads after itself."""
    project = get_visible_project(request.user, code)
    engagements = (
        visible_engagements(request.user).filter(projects=project).select_related("chair").order_by("-date", "-id")
    )
    return render(
        request,
        "coordination/_project_engagements.html",
        {"project": project, "project_engagements": engagements[:10], "more": engagements[10:11].exists()},
    )


@login_required
def engagement_create(request):
    require_perm(request.user, "engagement.change")
    initial = {"date": timezone.localdate()}
    if code := request.GET.get("project"):
        initial["projects"] = Project.objects.for_user(request.user).filter(code=code)
    form = EngagementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = actions.create_engagement(by=request.user, **form.changed_values())
        except ObjectDoesNotExist:
            form.add_error(None, _("You can only record engagements within your own scope."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Engagement recorded. Now record the issues raised and the decisions taken."))
            return redirect_to(request, engagement.get_absolute_url() + "#outcomes")
    return render(request, "coordination/engagement_form.html", {"form": form, "creating": True})


@login_required
def engagement_edit(request, pk):
    engagement = get_visible_engagement(request.user, pk)
    require_perm(request.user, "engagement.change")
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_engagement(
                engagement=Engagement.objects.get(pk=engagement.pk),
                by=request.user,
                changes=form.changed_values(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ObjectDoesNotExist:
            form.add_error(None, _("You can only record engagements within your own scope."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect_to(request, engagement.get_absolute_url())
    return render(request, "coordination/engagement_form.html", {"form": form, "engagement": engagement})


def _detail_context(request, engagement, *, issue_formset=None, decision_formset=None) -> dict:
    user = request.user
    projects = engagement.projects.order_by("code")
    can = permissions(user, "engagement.change", "issue.assign", "milestone.create")
    can["record"] = can["engagement_change"] and can["issue_assign"]
    context = {
        "engagement": engagement,
        "projects": list(projects.select_related("lead_leader")),
        # Someone who was in the room sees the meeting, but each issue only as far as their scope goes.
        "issues": list(for_list(visible_issues(user).filter(engagement=engagement)).order_by("id")),
        "decisions": list(engagement.decisions.select_related("project", "issue", "milestone__kind")),
        "attachments": list(engagement.attachments.all()),
        "leaders": list(engagement.leaders.all()),
        "units": list(engagement.units.all()),
        "can": can,
        "today": timezone.localdate(),
        **history_page(request, engagement),
    }
    # Issues a month overdue climb onto the agenda of the next on-site office meeting on their projects.
    context["agenda"] = list(
        for_list(
            visible_issues(user).filter(
                project__in=projects.values("pk"),
                status__in=OPEN_STATUSES,
                escalation_step__target=EscalationTarget.AGENDA,
            )
        ).order_by("deadline")
    )
    if can["record"]:
        context["issue_formset"] = issue_formset or OutcomeIssueFormSet(prefix="issues", projects=projects)
        context["decision_formset"] = decision_formset or OutcomeDecisionFormSet(prefix="decisions", projects=projects)
    if can["engagement_change"]:
        context["attachment_form"] = AttachmentForm()
    return context


@login_required
def engagement_detail(request, pk):
    engagement = get_object_or_404(visible_engagements(request.user).select_related("chair", "area"), pk=pk)
    return render(request, "coordination/engagement_detail.html", _detail_context(request, engagement))


@login_required
@require_POST
def engagement_outcomes(request, pk):
    """The one flow: the issues raised and decisions taken at the engagement, saved together."""
    engagement = get_object_or_404(visible_engagements(request.user).select_related("chair", "area"), pk=pk)
    require_perm(request.user, "engagement.change")
    require_perm(request.user, "issue.assign")
    projects = engagement.projects.order_by("code")
    issues = OutcomeIssueFormSet(request.POST, prefix="issues", projects=projects)
    decisions = OutcomeDecisionFormSet(request.POST, prefix="decisions", projects=projects)
    if issues.is_valid() and decisions.is_valid():
        if not issues.filled and not decisions.filled:
            messages.info(request, _("Nothing to record: fill in at least one issue or decision."))
            return redirect_to(request, engagement.get_absolute_url() + "#outcomes")
        try:
            result = actions.record_outcomes(
                engagement=engagement,
                by=request.user,
                issues=issues.filled,
                decisions=decisions.filled,
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Recorded %(issues)d issues and %(decisions)d decisions.")
                % {"issues": len(result["issues"]), "decisions": len(result["decisions"])},
            )
            return redirect_to(request, engagement.get_absolute_url() + "#outcomes")
    context = _detail_context(request, engagement, issue_formset=issues, decision_formset=decisions)
    return render(request, "coordination/engagement_detail.html", context)


@login_required
@require_POST
def engagement_attach(request, pk):
    engagement = get_visible_engagement(request.user, pk)
    require_perm(request.user, "engagement.change")
    return run_action(
        request,
        AttachmentForm(request.POST, request.FILES),
        lambda d: actions.add_engagement_attachment(engagement=engagement, upload=d["file"], by=request.user),
        _("File added."),
        engagement.get_absolute_url() + "#attachments",
    )


@login_required
def engagement_attachment(request, pk, attachment):
    """Photos and documents are served only to users who may see the engagement: no public media URL."""
    engagement = get_visible_engagement(request.user, pk)
    return serve_attachment(get_object_or_404(engagement.attachments, pk=attachment))


@login_required
def engagement_attachment_delete(request, pk, attachment):
    """Asks first (a page, so it works without scripts), deletes on the confirming post."""
    engagement = get_visible_engagement(request.user, pk)
    require_perm(request.user, "engagement.change")
    item = get_object_or_404(engagement.attachments, pk=attachment)
    if request.method == "POST":
        actions.remove_attachment(attachment=item, by=request.user)
        messages.success(request, _("File deleted."))
        return redirect_to(request, engagement.get_absolute_url() + "#attachments")
    return render(
        request,
        "coordination/confirm_delete.html",
        {
            "engagement": engagement,
            "object": item,
            "cancel_url": engagement.get_absolute_url() + "#attachments",
        },
    )


def _decision(request, pk, decision):
    engagement = get_visible_engagement(request.user, pk)
    require_perm(request.user, "engagement.change")
    return engagement, get_object_or_404(engagement.decisions.select_related("engagement", "project"), pk=decision)


def _convert(request, engagement, decision, form, perform, success: str, title: str):
    """A decision turned into something else: its form on a page of its own, kept with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, success)
            return redirect_to(request, engagement.get_absolute_url() + "#decisions")
    return render(
        request,
        "coordination/decision_form.html",
        {"engagement": engagement, "decision": decision, "form": form, "title": title},
    )


@login_required
def decision_issue(request, pk, decision):
    engagement, item = _decision(request, pk, decision)
    require_perm(request.user, "issue.assign")
    initial = {"project": item.project, "title": item.text.strip().splitlines()[0][:200]}
    form = DecisionIssueForm(request.POST or None, projects=engagement.projects.all(), initial=initial)
    return _convert(
        request,
        engagement,
        item,
        form,
        lambda d: actions.decision_to_issue(decision=item, by=request.user, **d),
        _("The decision is now an issue."),
        _("Make the decision an issue"),
    )


@login_required
def decision_milestone(request, pk, decision):
    engagement, item = _decision(request, pk, decision)
    require_perm(request.user, "milestone.create")
    form = DecisionMilestoneForm(
        request.POST or None, projects=engagement.projects.all(), initial={"project": item.project}
    )
    return _convert(
        request,
        engagement,
        item,
        form,
        lambda d: actions.decision_to_milestone(
            decision=item, by=request.user, project=d["project"], kind=d["kind"], planned_date=d["planned_date"]
        ),
        _("The decision is now a time node of the project."),
        _("Make the decision a time node"),
    )
