from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.core.form_actions import perform_or_notice
from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.choices import Light
from groundbreak.portfolio.queries import get_visible_project, visible_projects
from groundbreak.schedule import actions
from groundbreak.schedule.forms import CompleteForm, DecideForm, MilestoneForm, ReopenForm, ReplanForm, TemplateForm
from groundbreak.schedule.queries import due_soon, pending_replans


def _milestone(request, code, pk):
    """A node fetched through its visible project: 404 for missing and out-of-scope alike."""
    project = get_visible_project(request.user, code)
    return project, get_object_or_404(project.milestones.select_related("kind", "project"), pk=pk)


def _back(project):
    return project.get_absolute_url() + "#milestones"


def _run(request, project, form, perform, success):
    return perform_or_notice(request, form, perform, success, _back(project))


@login_required
@require_POST
def milestone_complete(request, code, pk):
    project, milestone = _milestone(request, code, pk)
    require_perm(request.user, "milestone.complete")
    form = CompleteForm(request.POST, request.FILES)
    return _run(
        request,
        project,
        form,
        lambda d: actions.complete_milestone(
            milestone=milestone,
            actual_date=d["actual_date"],
            document_number=d["document_number"],
            evidence=d["evidence"],
            note=d["note"],
            by=request.user,
        ),
        _("Node “%(name)s” marked as met.") % {"name": milestone.display_name},
    )


@login_required
@require_POST
def milestone_reopen(request, code, pk):
    project, milestone = _milestone(request, code, pk)
    require_perm(request.user, "milestone.complete")
    return _run(
        request,
        project,
        ReopenForm(request.POST),
        lambda d: actions.reopen_milestone(milestone=milestone, reason=d["reason"], by=request.user),
        _("Completion withdrawn."),
    )


@login_required
@require_POST
def milestone_replan(request, code, pk):
    project, milestone = _milestone(request, code, pk)
    require_perm(request.user, "milestone.replan")
    holder = {}

    def perform(d):
        holder["replan"] = actions.replan_milestone(
            milestone=milestone, new_date=d["new_date"], reason=d["reason"], note=d["note"], by=request.user
        )

    response = _run(request, project, ReplanForm(request.POST), perform, _("Node re-planned."))
    replan = holder.get("replan")
    if replan is not None and replan.status == "pending":
        messages.info(request, _("The re-plan awaits a coordinator's approval; the date has not moved yet."))
    return response


@login_required
@require_POST
def milestone_add(request, code):
    project = get_visible_project(request.user, code)
    require_perm(request.user, "milestone.create")
    return _run(
        request,
        project,
        MilestoneForm(request.POST, project=project),
        lambda d: actions.add_milestone(
            project=project,
            kind=d["kind"],
            name=d["name"],
            planned_date=d["planned_date"],
            responsible_unit=d["responsible_unit"],
            by=request.user,
        ),
        _("Node added."),
    )


@login_required
@require_POST
def template_apply(request, code):
    project = get_visible_project(request.user, code)
    require_perm(request.user, "milestone.create")
    holder = {}

    def perform(d):
        holder["created"] = actions.apply_template(project=project, template=d["template"], by=request.user)

    response = _run(request, project, TemplateForm(request.POST), perform, _("Template applied."))
    if "created" in holder:
        messages.info(request, _("%(n)d nodes created.") % {"n": len(holder["created"])})
    return response


@login_required
def milestone_evidence(request, code, pk):
    """Evidence is served only to users who may see the project: no public media URL."""
    _project, milestone = _milestone(request, code, pk)
    if not milestone.evidence:
        raise Http404
    return FileResponse(
        milestone.evidence.open("rb"), as_attachment=False, filename=milestone.evidence.name.split("/")[-1]
    )


@login_required
def replan_queue(request):
    require_perm(request.user, "milestone.decide_replan")
    return render(
        request,
        "schedule/replan_queue.html",
        {"page": paginate(request, pending_replans(request.user)), "form": DecideForm()},
    )


@login_required
@require_POST
def replan_decide(request, pk):
    require_perm(request.user, "milestone.decide_replan")
    replan = get_object_or_404(pending_replans(request.user), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_replan(
                replan=replan, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Re-plan approved.") if form.cleaned_data["approve"] else _("Re-plan rejected.")
            )
    else:
        messages.error(request, _("Choose approve or reject."))
    from django.urls import reverse

    return redirect_to(request, reverse("schedule:replan-queue"))


@login_required
def my_work(request):
    """What needs the user today: their projects, their nodes due in 30 days, red lights in scope."""
    user = request.user
    today = timezone.localdate()
    projects = visible_projects(user, today=today)
    mine = Q(lead_leader__user=user) | Q(responsible_person__user=user)
    if user.scope_unit_id:
        mine |= Q(responsible_unit=user.scope_unit_id) | Q(owner_unit=user.scope_unit_id)
    context = {
        "my_projects": projects.filter(mine).order_by("code")[:20],
        "due": due_soon(user, days=30, today=today)[:30],
        "red": projects.filter(light=Light.RED).order_by("code")[:20],
        "red_count": projects.filter(light=Light.RED).count(),
        "today": today,
    }
    return render(request, "schedule/my_work.html", context)
