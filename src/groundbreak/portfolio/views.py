from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.audit.queries import history_page
from groundbreak.core.form_actions import perform_or_notice
from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to, template_for
from groundbreak.core.pagination import paginate
from groundbreak.core.sorting import sort_by
from groundbreak.org.permissions import permission_flags, require_perm
from groundbreak.org.scoping import scope_q
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import STAGE_ORDER, Light, Stage, Status
from groundbreak.portfolio.filters import ProjectFilter
from groundbreak.portfolio.forms import (
    KeyFigureFormSet,
    MembershipForm,
    NoteForm,
    OverrideForm,
    PauseForm,
    PauseUpdateForm,
    ProjectForm,
    ReasonForm,
    StageChangeForm,
)
from groundbreak.portfolio.models import KeyList, KeyListMembership, LightOverride, Project
from groundbreak.portfolio.queries import (
    get_visible_project,
    light_counts,
    manages_key_list,
    project_detail,
    stage_counts,
    visible_projects,
)
from groundbreak.portfolio.sections import project_sections

PROJECT_SORTS = {
    "code": ("code",),
    "name": ("name", "code"),
    "stage": ("stage", "code"),
    "area": ("area__path", "code"),
    "investment": ("total_investment", "code"),
    "start": ("planned_start", "code"),
}
FIGURE_FIELDS = ("kind", "label", "label_en", "value", "unit")


@login_required
def project_list(request):
    base = visible_projects(request.user)
    project_filter = ProjectFilter(request.GET or None, queryset=base, user=request.user)
    filtered = project_filter.qs if project_filter.is_bound and project_filter.is_valid() else base
    ordered, sort = sort_by(request, filtered, PROJECT_SORTS, "code")
    page = paginate(request, ordered)
    context = {
        "filter": project_filter,
        "page": page,
        "sort": sort,
        "light_counts": light_counts(filtered),
        "stage_counts": [(Stage(s).label, s, n) for s, n in stage_counts(filtered).items()],
        "lights": Light,
        "can": permission_flags(request.user, "project.create"),
    }
    return render(
        request, template_for(request, "portfolio/project_list.html", "portfolio/_project_results.html"), context
    )


@login_required
def project_detail_view(request, code):
    context = project_detail(request.user, code)
    project = context["project"]
    sections = project_sections()
    for section in sections:
        context.update(section.context(request, project, context))
    context["sections"] = sections
    context.update(
        {
            **history_page(request, project),
            "stage_form": StageChangeForm(initial={"to_stage": _next_stage(project)}),
            "pause_form": PauseForm(),
            "pause_update_form": PauseUpdateForm(),
            "resume_form": NoteForm(),
            "cancel_form": ReasonForm(),
            "override_form": OverrideForm(),
            "membership_form": _membership_form(request.user),
            "Status": Status,
            "can": permission_flags(
                request.user,
                "project.change",
                "project.change_stage",
                "project.pause",
                "project.override_light",
                "keylist.change",
                "milestone.create",
                "milestone.complete",
                "milestone.replan",
                "milestone.decide_replan",
                "project.publish",
            ),
        }
    )
    return render(request, "portfolio/project_detail.html", context)


def _membership_form(user):
    """The key-list form offers only the lists the user manages: another district's list names stay
    unseen (the action refuses them anyway)."""
    form = MembershipForm()
    form.fields["key_list"].queryset = KeyList.objects.filter(scope_q(user, area="area"))
    return form


def _next_stage(project):
    index = STAGE_ORDER.index(project.stage)
    return STAGE_ORDER[min(index + 1, len(STAGE_ORDER) - 1)]


@login_required
def project_create(request):
    require_perm(request.user, "project.create")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.create_project(by=request.user, stage=form.cleaned_data["stage"], **form.changed_values())
        except ObjectDoesNotExist:
            form.add_error("area", _("You can only create projects in your own area."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            return redirect_to(request, project.get_absolute_url())
    return render(request, "portfolio/project_form.html", {"form": form, "creating": True})


@login_required
def project_edit(request, code):
    project = get_visible_project(request.user, code)
    require_perm(request.user, "project.change")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    figures = KeyFigureFormSet(request.POST or None, instance=project, prefix="figures")
    if request.method == "POST" and form.is_valid() and figures.is_valid():
        try:
            with transaction.atomic():
                updated = actions.update_project(
                    project=Project.objects.get(pk=project.pk),
                    by=request.user,
                    changes=form.changed_values(),
                    expected_version=form.cleaned_data.get("version"),
                )
                kept = [f for f in figures.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
                actions.save_key_figures(
                    project=updated,
                    by=request.user,
                    figures=[
                        {k: f.cleaned_data[k] for k in FIGURE_FIELDS}
                        | {"instance": f.instance if f.instance.pk else None}
                        for f in kept
                    ],
                    delete=[f.instance for f in figures.deleted_forms if f.instance.pk],
                )
        except ObjectDoesNotExist:
            form.add_error("area", _("You can only move projects within your own area."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect_to(request, updated.get_absolute_url())
    return render(request, "portfolio/project_form.html", {"form": form, "figures": figures, "project": project})


def _project_action(request, code, form_class, perform, success):
    """Run one business action on a project from a posted form; errors go back as a notice."""
    project = get_visible_project(request.user, code)
    return perform_or_notice(
        request, form_class(request.POST), lambda data: perform(project, data), success, project.get_absolute_url()
    )


@login_required
@require_POST
def project_change_stage(request, code):
    return _project_action(
        request,
        code,
        StageChangeForm,
        lambda p, d: actions.change_stage(
            project=p, to_stage=d["to_stage"], on=d["on"], note=d["note"], by=request.user
        ),
        _("Stage changed."),
    )


@login_required
@require_POST
def project_pause(request, code):
    return _project_action(
        request,
        code,
        PauseForm,
        lambda p, d: actions.pause_project(
            project=p, reason=d["reason"], expected_resume_on=d["expected_resume_on"], by=request.user
        ),
        _("Project paused."),
    )


@login_required
@require_POST
def project_pause_update(request, code):
    return _project_action(
        request,
        code,
        PauseUpdateForm,
        lambda p, d: actions.add_pause_update(
            project=p, note=d["note"], expected_resume_on=d["expected_resume_on"], by=request.user
        ),
        _("Update recorded."),
    )


@login_required
@require_POST
def project_resume(request, code):
    return _project_action(
        request,
        code,
        NoteForm,
        lambda p, d: actions.resume_project(project=p, note=d["note"], by=request.user),
        _("Project resumed."),
    )


@login_required
@require_POST
def project_cancel(request, code):
    return _project_action(
        request,
        code,
        ReasonForm,
        lambda p, d: actions.cancel_project(project=p, reason=d["reason"], by=request.user),
        _("Project cancelled."),
    )


@login_required
@require_POST
def project_override(request, code):
    return _project_action(
        request,
        code,
        OverrideForm,
        lambda p, d: actions.override_light(
            project=p, light=d["light"], reason=d["reason"], expires_on=d["expires_on"], by=request.user
        ),
        _("Light override set."),
    )


@login_required
@require_POST
def project_override_withdraw(request, code, pk):
    project = get_visible_project(request.user, code)
    override = get_object_or_404(LightOverride, project=project, pk=pk)
    actions.withdraw_override(override=override, by=request.user)
    messages.success(request, _("Override withdrawn: the rules decide the light again."))
    return redirect_to(request, project.get_absolute_url())


@login_required
@require_POST
def project_membership(request, code):
    return _project_action(
        request,
        code,
        MembershipForm,
        lambda p, d: actions.set_membership(
            key_list=d["key_list"],
            project=p,
            annual_investment_plan=d["annual_investment_plan"],
            target_stage=d["target_stage"],
            note=d["note"],
            by=request.user,
        ),
        _("Key list membership saved."),
    )


@login_required
@require_POST
def project_membership_remove(request, code, pk):
    project = get_visible_project(request.user, code)
    membership = get_object_or_404(KeyListMembership, project=project, pk=pk)
    actions.remove_membership(membership=membership, by=request.user)
    messages.success(request, _("Removed from the key list."))
    return redirect_to(request, project.get_absolute_url())


@login_required
def keylist_list(request):
    from django.db.models import Count, Q

    visible = Project.objects.for_user(request.user)
    lists = (
        KeyList.objects.select_related("area")
        .annotate(n_visible=Count("memberships", filter=Q(memberships__project__in=visible)))
        .filter(n_visible__gt=0)
    )
    q = request.GET.get("q", "").strip()
    if q:
        lists = lists.filter(Q(name__icontains=q) | Q(name_en__icontains=q))
    return render(request, "portfolio/keylist_list.html", {"page": paginate(request, lists), "q": q})


@login_required
def keylist_detail(request, pk):
    from django.db.models import Sum

    key_list = get_object_or_404(KeyList.objects.select_related("area"), pk=pk)
    visible = visible_projects(request.user)
    members = (
        KeyListMembership.objects.filter(key_list=key_list, project__in=Project.objects.for_user(request.user))
        .select_related("project__area", "project__lead_leader")
        .order_by("project__code")
    )
    if not members.exists() and not manages_key_list(request.user, key_list):
        raise Http404
    totals = members.aggregate(plan=Sum("annual_investment_plan"), investment=Sum("project__total_investment"))
    page = paginate(request, members)
    on_page = [m.project_id for m in page]
    lights = dict(visible.filter(pk__in=on_page).values_list("pk", "light"))
    return render(
        request,
        "portfolio/keylist_detail.html",
        {
            "key_list": key_list,
            "page": page,
            "lights": lights,
            "totals": totals,
            "count": members.count(),
            **history_page(request, key_list, include_children=False),
        },
    )
