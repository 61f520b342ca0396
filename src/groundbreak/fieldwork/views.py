"""Pages of field work: safety inspections filled in on a phone, snap-and-report, and the
coordinators' triage queue of snaps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.coordination.choices import EngagementKind
from groundbreak.coordination.models import IssueCategory
from groundbreak.coordination.queries import get_visible_engagement
from groundbreak.core.form_actions import perform, perform_or_notice
from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.fieldwork import actions
from groundbreak.fieldwork.forms import (
    InspectionAnswersForm,
    InspectionStartForm,
    NearbyForm,
    RejectForm,
    SnapForm,
    TriageForm,
)
from groundbreak.fieldwork.queries import (
    SUGGEST_RADIUS_M,
    get_visible_inspection,
    get_visible_snap,
    nearest_projects,
    triage_queue,
    visible_inspections,
)
from groundbreak.org.models import Unit
from groundbreak.org.permissions import has_perm, permission_flags, require_perm
from groundbreak.portfolio.models import Project

# --- safety inspections --------------------------------------------------------------------------


@login_required
def inspection_list(request):
    """The checklists filled in for projects in scope, newest first."""
    inspections = visible_inspections(request.user).select_related("engagement", "project", "checklist", "inspected_by")
    return render(
        request,
        "fieldwork/inspection_list.html",
        {"page": paginate(request, inspections), "can": permission_flags(request.user, "inspection.record")},
    )


@login_required
def inspection_create(request):
    """Start a checklist for a project: at an inspection already recorded (?engagement=…) or at a
    new one recorded with it."""
    user = request.user
    require_perm(user, "inspection.record")
    engagement = None
    engagement_pk = request.POST.get("engagement") or request.GET.get("engagement")
    if engagement_pk:
        if not str(engagement_pk).isdigit():
            raise Http404
        engagement = get_visible_engagement(user, int(engagement_pk))
        if engagement.kind != EngagementKind.INSPECTION:
            raise Http404
    initial = {}
    if code := request.GET.get("project"):
        initial["project"] = Project.objects.for_user(user).filter(code=code).first()
    form = InspectionStartForm(request.POST or None, user=user, engagement=engagement, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = actions.start_inspection(
                by=user,
                project=data["project"],
                checklist=data["checklist"],
                engagement=engagement,
                date=data.get("date"),
                place=data.get("place", ""),
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect_to(request, inspection.get_absolute_url())
    return render(request, "fieldwork/inspection_start.html", {"form": form, "engagement": engagement})


@login_required
def inspection_detail(request, pk):
    """The checklist: a form of every item while it is being filled in, the answers and the
    rectifications they raised once submitted."""
    user = request.user
    inspection = get_visible_inspection(user, pk)
    fillable = inspection.submitted_at is None and has_perm(user, "inspection.record")
    form = None
    if fillable:
        items = inspection.checklist.items.filter(is_active=True)
        form = InspectionAnswersForm(
            request.POST or None, request.FILES or None, items=items, project=inspection.project
        )
        if request.method == "POST":
            done = perform(
                request,
                form,
                lambda d: actions.submit_inspection(
                    inspection=inspection,
                    by=user,
                    answers=form.answers(),
                    lead_unit=d.get("lead_unit"),
                    deadline=d.get("deadline"),
                ),
                _("Checklist submitted: each failed item is now a rectification with its deadline."),
            )
            if done:
                return redirect_to(request, inspection.get_absolute_url())
    elif request.method == "POST":
        require_perm(user, "inspection.record")
        messages.error(request, _("This checklist has already been submitted."))
        return redirect_to(request, inspection.get_absolute_url())
    answers = list(
        inspection.answers.select_related("item", "photo", "rectification__lead_unit").order_by("item__order", "id")
    )
    return render(
        request,
        "fieldwork/inspection_detail.html",
        {
            "inspection": inspection,
            "form": form,
            "answers": answers,
            "failed": sum(a.result == "fail" for a in answers),
        },
    )


# --- snap-and-report ------------------------------------------------------------------------------


def _suggestions(user, position):
    return nearest_projects(user, *position) if position else None


@login_required
def snap_create(request):
    """Take a photo, say what it shows; the phone's position suggests the project to confirm."""
    user = request.user
    require_perm(user, "snap.create")
    form = SnapForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            snap = actions.report_snap(
                by=user,
                project=data["project"],
                text=data["text"],
                photo=data["photo"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                accuracy=data.get("accuracy"),
                keep_location=data.get("keep_location", False),
            )
        except ObjectDoesNotExist:
            form.add_error("project", _("You can only report on projects in your scope."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Thank you: your report has reached the coordinators."))
            return redirect_to(request, snap.get_absolute_url())
    position = form.position() if form.is_bound else None
    return render(
        request,
        "fieldwork/snap_form.html",
        {
            "form": form,
            "suggestions": _suggestions(user, position),
            "chosen": form.data.get("project", "") if form.is_bound else "",
            "radius_km": SUGGEST_RADIUS_M // 1000,
        },
    )


@login_required
def snap_nearby(request):
    """The projects in scope nearest to the phone, to confirm (a fragment the page's script loads)."""
    require_perm(request.user, "snap.create")
    nearby = NearbyForm(request.GET)
    if not nearby.is_valid():
        raise Http404
    form = SnapForm(user=request.user)
    suggestions = nearest_projects(request.user, nearby.cleaned_data["lat"], nearby.cleaned_data["lon"])
    return render(
        request,
        "fieldwork/_project_choice.html",
        {"form": form, "suggestions": suggestions, "radius_km": SUGGEST_RADIUS_M // 1000},
    )


@login_required
def snap_detail(request, pk):
    snap = get_visible_snap(request.user, pk)
    return render(request, "fieldwork/snap_detail.html", {"snap": snap, "issue": snap.issue})


@login_required
def snap_photo(request, pk):
    """The snap's photo, only for users who may see the snap: there is no public media URL."""
    snap = get_visible_snap(request.user, pk)
    if not snap.photo:
        raise Http404
    response = FileResponse(snap.photo.open("rb"), content_type=snap.content_type, as_attachment=False)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def triage(request):
    """Snaps of projects in scope waiting for a coordinator: file each under a category and give it
    to a unit with a deadline, or reject it."""
    user = request.user
    require_perm(user, "snap.triage")
    page = paginate(request, triage_queue(user))
    return render(
        request,
        "fieldwork/triage.html",
        {
            "page": page,
            # One query each, shared by every row's drop-downs.
            "categories": list(IssueCategory.objects.all()),
            "units": list(Unit.objects.order_by("area__path", "name")),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def snap_triage(request, pk):
    snap = get_visible_snap(request.user, pk)
    require_perm(request.user, "snap.triage")
    return perform_or_notice(
        request,
        TriageForm(request.POST),
        lambda d: actions.triage_snap(
            snap=snap,
            by=request.user,
            category=d["category"],
            lead_unit=d["lead_unit"],
            deadline=d["deadline"],
            note=d["note"],
        ),
        _("Snap triaged: the unit has it as an issue with its deadline."),
        reverse("fieldwork:triage"),
    )


@login_required
@require_POST
def snap_reject(request, pk):
    snap = get_visible_snap(request.user, pk)
    require_perm(request.user, "snap.triage")
    return perform_or_notice(
        request,
        RejectForm(request.POST),
        lambda d: actions.reject_snap(snap=snap, by=request.user, reason=d["reason"]),
        _("Snap rejected."),
        reverse("fieldwork:triage"),
    )
