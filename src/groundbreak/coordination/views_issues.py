"""Pages of issues: raise one, the issue page with its timeline, and each action on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.audit.queries import history_page
from groundbreak.coordination import actions
from groundbreak.coordination.choices import OPEN_STATUSES, IssueStatus
from groundbreak.coordination.forms import (
    AssignForm,
    DeadlineForm,
    InstructionForm,
    IssueForm,
    ResolveForm,
    RespondForm,
    ReturnForm,
    VerifyForm,
)
from groundbreak.coordination.models import Attachment, IssueResponse
from groundbreak.coordination.queries import acts_for_unit, get_visible_issue, visible_issues
from groundbreak.coordination.views import permissions, run_action, serve_attachment
from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import get_visible_project


def _back(request, issue, anchor: str = "timeline") -> str:
    """Where to go after an action: the page the form came from (the inbox), else the issue page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return f"{issue.get_absolute_url()}#{anchor}"


@login_required
def issue_create(request):
    require_perm(request.user, "issue.create")
    initial = {}
    if code := request.GET.get("project"):
        initial["project"] = Project.objects.for_user(request.user).filter(code=code).first()
    form = IssueForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            issue = actions.raise_issue(by=request.user, **{k: v for k, v in data.items() if v not in (None, "")})
        except ObjectDoesNotExist:
            form.add_error("project", _("You can only raise issues on projects in your scope."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Issue raised."))
            return redirect_to(request, issue.get_absolute_url())
    return render(request, "coordination/issue_form.html", {"form": form})


@login_required
def issue_detail(request, pk):
    user = request.user
    issue = get_object_or_404(
        visible_issues(user).select_related(
            "project__lead_leader",
            "project__area",
            "category",
            "lead_unit",
            "responsible_person__unit",
            "engagement",
            "raised_by__person",
            "escalation_step",
        ),
        pk=pk,
    )
    today = timezone.localdate()
    working = issue.status in OPEN_STATUSES
    assigned = issue.lead_unit_id is not None
    coordinator = has_perm(user, "issue.assign")
    can = permissions(user, "issue.assign", "issue.verify", "issue.change_deadline", "instruction.give")
    can["assign"] = can["issue_assign"] and working
    can["respond"] = (
        has_perm(user, "issue.respond") and working and assigned and (coordinator or acts_for_unit(user, issue))
    )
    can["resolve"] = can["respond"] and (coordinator or acts_for_unit(user, issue, lead_only=True))
    can["verify"] = can["issue_verify"] and issue.status == IssueStatus.RESOLVED
    can["deadline"] = can["issue_change_deadline"] and issue.status != IssueStatus.CLOSED and assigned
    can["instruct"] = can["instruction_give"] and issue.status != IssueStatus.CLOSED
    context = {
        "issue": issue,
        "co_units": list(issue.co_units.all()),
        "events": list(issue.events.select_related("by__person", "step", "unit")),
        "responses": list(
            issue.responses.select_related("unit", "by__person").prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
            )
        ),
        "deadline_changes": list(issue.deadline_changes.select_related("by__person")),
        "instructions": list(issue.instructions.select_related("leader", "target_unit")),
        "overdue": working and issue.deadline is not None and issue.deadline < today,
        "today": today,
        "can": can,
        **history_page(request, issue),
    }
    if can["assign"]:
        context["assign_form"] = AssignForm(
            has_deadline=issue.deadline is not None,
            issue=issue,
            initial={"lead_unit": issue.lead_unit, "responsible_person": issue.responsible_person_id},
        )
    if can["respond"]:
        context["respond_form"] = RespondForm()
        context["resolve_form"] = ResolveForm()
    if can["verify"]:
        context["verify_form"] = VerifyForm()
        context["return_form"] = ReturnForm()
    if can["deadline"]:
        context["deadline_form"] = DeadlineForm()
    if can["instruct"]:
        context["instruction_form"] = InstructionForm(user=user, on_project=False, project=issue.project)
    return render(request, "coordination/issue_detail.html", context)


@login_required
@require_POST
def issue_assign(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.assign")
    return run_action(
        request,
        AssignForm(request.POST, has_deadline=issue.deadline is not None, issue=issue),
        lambda d: actions.assign_issue(issue=issue, by=request.user, **d),
        _("Issue assigned."),
        _back(request, issue),
    )


@login_required
@require_POST
def issue_respond(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.respond")
    return run_action(
        request,
        RespondForm(request.POST, request.FILES),
        lambda d: actions.respond_to_issue(
            issue=issue, by=request.user, text=d["text"], on=d["on"], uploads=d["files"]
        ),
        _("Response recorded."),
        _back(request, issue),
    )


@login_required
@require_POST
def issue_resolve(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.respond")
    return run_action(
        request,
        ResolveForm(request.POST),
        lambda d: actions.resolve_issue(issue=issue, by=request.user, resolution=d["resolution"], on=d["on"]),
        _("Marked resolved: the coordinator will verify it."),
        _back(request, issue),
    )


@login_required
@require_POST
def issue_verify(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.verify")
    return run_action(
        request,
        VerifyForm(request.POST),
        lambda d: actions.verify_issue(issue=issue, by=request.user, note=d["note"]),
        _("Issue verified and closed."),
        _back(request, issue),
    )


@login_required
@require_POST
def issue_return(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.verify")
    return run_action(
        request,
        ReturnForm(request.POST),
        lambda d: actions.return_issue(issue=issue, by=request.user, reason=d["reason"]),
        _("Issue returned to the unit for more work."),
        _back(request, issue),
    )


@login_required
@require_POST
def issue_deadline(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "issue.change_deadline")
    return run_action(
        request,
        DeadlineForm(request.POST),
        lambda d: actions.change_deadline(
            issue=issue, by=request.user, new_deadline=d["new_deadline"], reason=d["reason"]
        ),
        _("Deadline changed."),
        _back(request, issue),
    )


def _leader(user, data):
    return data.get("leader") or getattr(user, "person", None)


@login_required
@require_POST
def issue_instruct(request, pk):
    issue = get_visible_issue(request.user, pk)
    require_perm(request.user, "instruction.give")
    return run_action(
        request,
        InstructionForm(request.POST, user=request.user, on_project=False, project=issue.project),
        lambda d: actions.give_instruction(
            by=request.user,
            leader=_leader(request.user, d),
            issue=issue,
            text=d["text"],
            target_unit=d["target_unit"],
            deadline=d["deadline"],
            given_on=d["given_on"],
        ),
        _("Instruction recorded."),
        _back(request, issue),
    )


@login_required
def project_instruct(request, code):
    """A leader's instruction on a project: its own page, so the project page stays light."""
    project = get_visible_project(request.user, code)
    require_perm(request.user, "instruction.give")
    form = InstructionForm(request.POST or None, user=request.user, on_project=True, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.give_instruction(
                by=request.user,
                leader=_leader(request.user, data),
                project=project,
                text=data["text"],
                target_unit=data["target_unit"],
                deadline=data["deadline"],
                category=data["category"],
                given_on=data["given_on"],
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Instruction recorded: the unit has it as an issue with its deadline."))
            return redirect_to(request, project.get_absolute_url() + "#issues")
    return render(request, "coordination/instruction_form.html", {"form": form, "project": project})


@login_required
def issue_attachment(request, pk, attachment):
    """A response's photo or document, for users who may see the issue."""
    issue = get_visible_issue(request.user, pk)
    responses = IssueResponse.objects.filter(issue=issue)
    return serve_attachment(get_object_or_404(Attachment.objects.filter(response__in=responses), pk=attachment))
