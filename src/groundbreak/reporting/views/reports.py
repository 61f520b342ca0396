"""Pages of one report: what it says and what changed since the previous round, the form its
owner fills in (on a phone as often as not), and the review actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.queries import get_visible_project
from groundbreak.reporting import actions, adapters
from groundbreak.reporting.choices import OPEN_FOR_FILLING, ReportStatus, RoundStatus
from groundbreak.reporting.diff import report_diff
from groundbreak.reporting.forms import IndicatorForm, NoteForm, ReasonForm, ReportForm
from groundbreak.reporting.models import Indicator
from groundbreak.reporting.queries import get_visible_report, report_page
from groundbreak.reporting.views.common import perform, perform_or_notice
from groundbreak.reporting.workflow import can, levels_for, may_act, may_return


def _in_motion(report) -> bool:
    """An open round's report, or a correction (which goes on after the round closed)."""
    return report.round.status == RoundStatus.OPEN or report.is_correction


def _editable(report) -> bool:
    return report.status in OPEN_FOR_FILLING and _in_motion(report)


def _require_any(user, *perms) -> None:
    if not any(has_perm(user, perm) for perm in perms):
        raise PermissionDenied(perms[0])


@login_required
def report_detail(request, pk):
    context = report_page(request.user, pk)
    report, working = context["report"], context["working"]
    user = request.user
    levels = levels_for(report.project)
    awaiting_review = can(report, "accept") and _in_motion(report)
    context.update(
        {
            **report_diff(report, working),
            "levels": levels,
            "in_review": awaiting_review,
            "issue_url": adapters.issue_create_url(report)
            if working and working.difficulties and has_perm(user, "issue.create")
            else "",
            "issues": adapters.issues_from(report),
            "can_edit": has_perm(user, "report.fill") and _editable(report),
            "can_approve": awaiting_review and may_act(user, report),
            "can_return": awaiting_review and may_return(user, report),
            "can_correct": has_perm(user, "report.fill") and can(report, "correct"),
            "is_last_level": report.step + 1 >= len(levels),
        }
    )
    return render(request, "reporting/report_detail.html", context)


@login_required
def report_edit(request, pk):
    report = get_visible_report(request.user, pk)
    require_perm(request.user, "report.fill")
    if not _editable(report):
        messages.error(request, _("This report is not open for changes."))
        return redirect_to(request, report.get_absolute_url())
    working = report.working
    indicators = Indicator.objects.filter(project=report.project_id, year=report.round.year).order_by("order", "id")
    values = {v.indicator_id: v.value for v in working.indicator_values.all()} if working else {}
    form = ReportForm(
        request.POST or None, request.FILES or None, instance=working, indicators=indicators, values=values
    )
    if request.method == "POST" and form.is_valid():
        submitting = "submit" in request.POST
        try:
            with transaction.atomic():
                actions.save_report(
                    report=report, by=request.user, values=form.figures(), indicator_values=form.indicator_values()
                )
                for photo in form.cleaned_data["photos"]:
                    actions.add_photo(
                        report=report,
                        by=request.user,
                        image=photo,
                        keep_location=form.cleaned_data["keep_location"],
                    )
                if submitting:
                    actions.submit_report(report=report, by=request.user)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Report submitted.") if submitting else _("Draft saved."))
            return redirect_to(request, report.get_absolute_url())
    return render(
        request,
        "reporting/report_form.html",
        {
            "report": report,
            "form": form,
            "photos": list(report.photos.all()),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def report_submit(request, pk):
    form = NoteForm(request.POST)
    if not (has_perm(request.user, "report.fill") and form.is_valid()):
        # A report out of sight is a 404 before the missing permission or the form's errors.
        get_visible_report(request.user, pk)
        require_perm(request.user, "report.fill")
    # The action checks the scope in the query that locks the report: out of scope is a 404 there.
    return perform_or_notice(
        request,
        form,
        lambda d: actions.submit_report(report=pk, by=request.user),
        _("Report submitted."),
        reverse("reporting:report-detail", kwargs={"pk": pk}),
    )


@login_required
@require_POST
def report_approve(request, pk):
    report = get_visible_report(request.user, pk)
    _require_any(request.user, "report.review", "report.accept")
    done = {}

    def approve(data):
        done["report"] = actions.approve_report(report=report, note=data["note"], by=request.user)

    response = perform_or_notice(
        request, NoteForm(request.POST), approve, _("Report approved."), report.get_absolute_url()
    )
    if done.get("report") is not None and done["report"].status == ReportStatus.ACCEPTED:
        messages.info(request, _("The report is accepted: its figures now count."))
    return response


def _confirmed_action(request, pk, *, perms, template_context, action, success):
    """A confirmation page with a reason, then the action: for returns and corrections."""
    report = get_visible_report(request.user, pk)
    _require_any(request.user, *perms)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and perform(request, form, lambda d: action(report, d["reason"]), success):
        return redirect_to(request, report.get_absolute_url())
    return render(
        request,
        "reporting/confirm.html",
        {"form": form, "report": report, "back": report.get_absolute_url(), **template_context(report)},
    )


@login_required
def report_return(request, pk):
    return _confirmed_action(
        request,
        pk,
        perms=("report.review", "report.accept"),
        template_context=lambda r: {
            "title": _("Return the report of %(project)s?") % {"project": r.project.display_name},
            "explanation": _("The report goes back to its owner with your reason, to fix and submit again."),
            "button": _("Return the report"),
        },
        action=lambda r, reason: actions.return_report(report=r, reason=reason, by=request.user),
        success=_("Report returned to its owner."),
    )


@login_required
def report_correct(request, pk):
    return _confirmed_action(
        request,
        pk,
        perms=("report.fill",),
        template_context=lambda r: {
            "title": _("Correct the accepted report of %(project)s?") % {"project": r.project.display_name},
            "explanation": _(
                "A new version is made from the accepted one, for you to change and submit again. The "
                "accepted figures stay in force until the correction is accepted, and every version is kept."
            ),
            "button": _("Start a correction"),
        },
        action=lambda r, reason: actions.start_correction(report=r, reason=reason, by=request.user),
        success=_("Correction started: change the figures and submit them."),
    )


@login_required
def report_photo(request, pk, photo):
    """Photos are served only to users who may see the project: no public media URL."""
    report = get_visible_report(request.user, pk)
    item = get_object_or_404(report.photos, pk=photo)
    if not item.image:
        raise Http404
    return FileResponse(item.image.open("rb"), as_attachment=False, filename=item.image.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def photo_remove(request, pk, photo):
    report = get_visible_report(request.user, pk)
    require_perm(request.user, "report.fill")
    item = get_object_or_404(report.photos, pk=photo)
    return perform_or_notice(
        request,
        NoteForm(request.POST),
        lambda d: actions.remove_photo(photo=item, by=request.user),
        _("Photo removed."),
        reverse("reporting:report-edit", args=[report.pk]),
    )


@login_required
@require_POST
def indicator_add(request, code):
    project = get_visible_project(request.user, code)
    require_perm(request.user, "project.change")
    form = IndicatorForm(request.POST)
    return perform_or_notice(
        request,
        form,
        lambda d: actions.set_indicator(project=project, by=request.user, **d),
        _("Indicator saved."),
        project.get_absolute_url() + "#reports",
    )
