"""Pages of reporting rounds: the list, opening one, its completeness per unit, closing it and
sending it up to the level above."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.core.sorting import sort_by
from groundbreak.org.permissions import has_perm, require_perm
from groundbreak.portfolio.models import Project
from groundbreak.reporting import round_actions, snapshots
from groundbreak.reporting.choices import SUBMITTED_STATUSES, RoundStatus, SubmissionStatus
from groundbreak.reporting.filters import ReportFilter, RoundFilter
from groundbreak.reporting.forms import ConfirmForm, DecideForm, NoteForm, RoundForm
from groundbreak.reporting.models import RoundSnapshot, RoundSubmission
from groundbreak.reporting.queries import (
    REPORT_SORTS,
    ROUND_SORTS,
    completeness,
    completeness_by_unit,
    get_visible_round,
    missing_reports,
    round_reports,
    visible_rounds,
)
from groundbreak.reporting.views.common import perform, perform_or_notice
from groundbreak.reporting.workflow import area_in_scope


def _manages(user, round) -> bool:
    return has_perm(user, "round.manage") and area_in_scope(user, round.area)


@login_required
def round_list(request):
    visible = Project.objects.for_user(request.user)
    mine = Q(reports__project__in=visible)
    rounds = visible_rounds(request.user).annotate(
        n_expected=Count("reports", filter=mine),
        n_submitted=Count(
            "reports", filter=mine & (Q(reports__status__in=SUBMITTED_STATUSES) | Q(reports__accepted__isnull=False))
        ),
        n_accepted=Count("reports", filter=mine & Q(reports__accepted__isnull=False)),
    )
    round_filter = RoundFilter(request.GET or None, queryset=rounds)
    filtered = round_filter.qs if round_filter.is_bound and round_filter.is_valid() else rounds
    ordered, sort = sort_by(request, filtered, ROUND_SORTS, "-period")
    return render(
        request,
        "reporting/round_list.html",
        {
            "filter": round_filter,
            "page": paginate(request, ordered),
            "sort": sort,
            "can_open": has_perm(request.user, "round.manage"),
        },
    )


@login_required
def round_create(request):
    require_perm(request.user, "round.manage")
    initial = {}
    if request.method != "POST" and request.user.scope_area_id:
        start, end, due = round_actions.next_period(request.user.scope_area, timezone.localdate())
        initial = {"area": request.user.scope_area, "period_start": start, "period_end": end, "due_on": due}
    form = RoundForm(request.POST or None, user=request.user, initial=initial)
    created = {}

    def open_it(data):
        created["round"] = round_actions.open_round(
            area=data["area"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            due_on=data["due_on"],
            by=request.user,
        )

    if request.method == "POST" and perform(request, form, open_it, _("Round opened.")):
        return redirect_to(request, created["round"].get_absolute_url())
    return render(request, "reporting/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    round = get_visible_round(request.user, pk)
    reports = round_reports(round, request.user)
    report_filter = ReportFilter(request.GET or None, queryset=reports)
    filtered = report_filter.qs if report_filter.is_bound and report_filter.is_valid() else reports
    ordered, sort = sort_by(request, filtered, REPORT_SORTS, "code")
    snapshot, frozen, tampered = None, None, False
    if round.status == RoundStatus.CLOSED:
        snapshot = RoundSnapshot.objects.filter(round=round).first()
        try:
            frozen = snapshots.read(snapshot) if snapshot is not None else None
        except ValidationError:
            tampered = True
    submissions = list(round.submissions.select_related("to_area", "submitted_by__person", "decided_by__person"))
    return render(
        request,
        "reporting/round_detail.html",
        {
            "round": round,
            "totals": completeness(reports),
            "units": completeness_by_unit(reports),
            "filter": report_filter,
            "page": paginate(request, ordered),
            "sort": sort,
            "missing": paginate(request, missing_reports(round, request.user), 100, param="missing"),
            "snapshot": snapshot,
            "frozen": frozen,
            "tampered": tampered,
            "submissions": submissions,
            "today": timezone.localdate(),
            "can_manage": _manages(request.user, round),
            "can_send_up": round.area.parent_id is not None
            and not any(s.status != SubmissionStatus.RETURNED for s in submissions),
            "decidable": {
                s.pk
                for s in submissions
                if has_perm(request.user, "report.accept") and area_in_scope(request.user, s.to_area)
            },
        },
    )


@login_required
def round_close(request, pk):
    """A confirmation page, then the close itself: closing freezes the figures for good."""
    round = get_visible_round(request.user, pk)
    require_perm(request.user, "round.manage")
    if not _manages(request.user, round):
        raise PermissionDenied("round.manage")
    # Bound even when posted empty: posting is the confirmation.
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and perform(
        request,
        form,
        lambda d: round_actions.close_round(round=round, by=request.user),
        _("Round closed: its figures are frozen."),
    ):
        return redirect_to(request, round.get_absolute_url())
    return render(
        request,
        "reporting/confirm.html",
        {
            "form": form,
            "round": round,
            "title": _("Close the round %(round)s?") % {"round": round},
            "explanation": _(
                "The figures of every report are frozen in a snapshot with a checksum. Reports not "
                "submitted stay missing; accepted reports can still be corrected, as new versions."
            ),
            "button": _("Close the round"),
            "back": round.get_absolute_url(),
        },
    )


@login_required
@require_POST
def round_submit(request, pk):
    round = get_visible_round(request.user, pk)
    require_perm(request.user, "round.manage")
    return perform_or_notice(
        request,
        NoteForm(request.POST),
        lambda d: round_actions.submit_round(round=round, note=d["note"], by=request.user),
        _("Round sent up for acceptance."),
        round.get_absolute_url(),
    )


@login_required
@require_POST
def submission_decide(request, pk):
    require_perm(request.user, "report.accept")
    submission = get_object_or_404(RoundSubmission.objects.select_related("round", "to_area"), pk=pk)
    round = get_visible_round(request.user, submission.round_id)
    form = DecideForm(request.POST)
    accepted = form.is_valid() and form.cleaned_data["accept"]
    return perform_or_notice(
        request,
        form,
        lambda d: round_actions.decide_submission(
            submission=submission, accept=d["accept"], reason=d["reason"], by=request.user
        ),
        _("Round accepted.") if accepted else _("Round returned."),
        round.get_absolute_url(),
    )


@login_required
def round_snapshot(request, pk):
    """The frozen document of a closed round, checked against its checksum, as JSON."""
    round = get_visible_round(request.user, pk)
    snapshot = get_object_or_404(RoundSnapshot, round=round)
    try:
        snapshots.read(snapshot)
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(snapshot.document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{round.pk}-{snapshot.checksum[:12]}.json"'
    return response
