"""Business actions on printable notices: issue one (提示单、督办单、联系单), answer with a report
(报告单), mark one replied.

Same contract as `actions`: keyword-only, the acting user's role and scope checked, one
transaction (the change log and the notifications are written in it). `by=None` is the system
(demo loading) and skips the checks. An issue or notice outside the user's scope gives
ObjectDoesNotExist (a 404); a user who sees it but may not act gets PermissionDenied (a 403).

Numbers run per kind and year (督办〔2026〕12号). The next number is the year's highest plus one,
and a unique constraint decides between two issuers who picked the same one at the same moment:
the loser takes the next number, inside a savepoint, so its transaction goes on.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.coordination import notifying
from groundbreak.coordination.choices import IssueStatus
from groundbreak.coordination.models import Issue, Notice
from groundbreak.coordination.notice_choices import CHASING_KINDS, COORDINATOR_KINDS, NoticeKind, NoticeStatus
from groundbreak.coordination.notice_queries import visible_notices
from groundbreak.coordination.queries import acts_for_unit, visible_issues
from groundbreak.org.choices import UnitKind
from groundbreak.org.models import Unit
from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.models import Project

# How many times an issuer who lost a number to a concurrent one tries the next.
_NUMBER_ATTEMPTS = 5


def issuing_unit(user) -> Unit | None:
    """The unit a user's notices go out under: their own, else the headquarters of their area."""
    if user is None:
        return None
    if user.scope_unit_id:
        return user.scope_unit
    if user.scope_area_id:
        return Unit.objects.filter(kind=UnitKind.HEADQUARTERS, area=user.scope_area_id).order_by("id").first()
    return None


def next_serial(kind: str, year: int) -> int:
    """The next free serial number of `kind` in `year` (1 for the year's first)."""
    last = Notice.objects.filter(kind=kind, year=year).aggregate(last=Max("serial"))["last"]
    return (last or 0) + 1


def _save_numbered(notice: Notice) -> Notice:
    """Give `notice` the next number of its kind and year and save it; retry if someone else
    took that number first."""
    for _attempt in range(_NUMBER_ATTEMPTS):
        notice.serial = next_serial(notice.kind, notice.year)
        notice.number = Notice.format_number(notice.kind, notice.year, notice.serial)
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            notice.pk = None
            continue
        return notice
    raise IntegrityError("no free notice number after several attempts")


def _issued_on(on: datetime.date | None) -> datetime.date:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"issued_on": _("The date cannot be in the future.")})
    return on


def _check_issuer(by, kind: str, answers: Notice | None) -> None:
    if by is None:
        return
    if kind in COORDINATOR_KINDS:
        # Reminders, supervision orders and liaison notes are the coordinators' (指挥部) to send.
        require_perm(by, "issue.assign")
        return
    require_perm(by, "issue.respond")
    if not by.scope_unit_id:
        raise PermissionDenied("a report is written by a unit")
    if answers is not None:
        if not visible_notices(by).filter(pk=answers.pk).exists():
            raise ObjectDoesNotExist("notice outside the user's scope")
        if answers.addressee_id != by.scope_unit_id:
            raise PermissionDenied("only the addressed unit answers a notice")


def _check_issues(by, kind: str, issues: list[Issue], answers: Notice | None) -> None:
    """Every issue must be one the issuer may write about."""
    if by is None:
        return
    ids = [issue.pk for issue in issues]
    if kind in COORDINATOR_KINDS:
        in_scope = Issue.objects.filter(pk__in=ids, project__in=Project.objects.for_user(by).values("pk"))
        if in_scope.count() != len(set(ids)):
            raise ObjectDoesNotExist("issue outside the user's scope")
        return
    if visible_issues(by).filter(pk__in=ids).count() != len(set(ids)):
        raise ObjectDoesNotExist("issue outside the user's scope")
    answered = set(answers.issues.values_list("pk", flat=True)) if answers is not None else set()
    for issue in issues:
        if issue.pk not in answered and not acts_for_unit(by, issue):
            raise PermissionDenied("a unit reports on its own issues or on the notice it answers")


def _validate(kind, addressee, issues, reply_by, on, by) -> None:
    errors = {}
    if addressee is None:
        errors["addressee"] = _("Choose the unit the notice is addressed to.")
    if not issues:
        errors["issues"] = _("Choose at least one issue the notice concerns.")
    if kind in COORDINATOR_KINDS:
        if reply_by is None:
            errors["reply_by"] = _("Give the date by which the unit must reply.")
        elif reply_by < on or (by is not None and reply_by < timezone.localdate()):
            errors["reply_by"] = _("The reply deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    if kind in CHASING_KINDS:
        closed = [issue for issue in issues if issue.status == IssueStatus.CLOSED]
        if closed:
            raise ValidationError(
                {"issues": _("“%(issue)s” is closed: nothing is left to chase.") % {"issue": closed[0].title}}
            )
        co_units = set(
            Issue.co_units.through.objects.filter(issue__in=issues, unit=addressee).values_list("issue", flat=True)
        )
        elsewhere = [issue for issue in issues if issue.lead_unit_id != addressee.pk and issue.pk not in co_units]
        if elsewhere:
            raise ValidationError(
                {
                    "issues": _(
                        "“%(issue)s” is not assigned to %(unit)s: a reminder or supervision order goes to the unit that does the work."
                    )
                    % {"issue": elsewhere[0].title, "unit": addressee}
                }
            )


def issue_notice(
    *,
    kind: str,
    addressee: Unit | None,
    issues,
    reply_by: datetime.date | None,
    by,
    subject: str = "",
    body: str = "",
    on: datetime.date | None = None,
    issuer_unit: Unit | None = None,
    answers: Notice | None = None,
) -> Notice:
    """Issue a numbered notice about `issues` to the `addressee` unit and tell its users.

    Coordinators issue reminders, supervision orders and liaison notes, about issues of projects in
    their scope, with a reply deadline. A report (报告单) is a unit's written answer, by one of its
    members, about its issues or `answers` a notice addressed to it (which it marks replied); it
    goes to the notice's issuer unless another addressee is named.
    """
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": _("Choose the kind of notice.")})
    issues = list(dict.fromkeys(issues))
    if kind == NoticeKind.REPORT:
        reply_by = None
        if answers is not None:
            addressee = addressee or answers.issuer_unit
            issues = issues or list(answers.issues.all())
    elif answers is not None:
        raise ValidationError({"answers": _("Only a report answers a notice.")})
    if answers is not None and answers.kind == NoticeKind.REPORT:
        raise ValidationError({"answers": _("A report answers a notice, not another report.")})
    # Scope first: someone outside it learns nothing of the issues from a validation message.
    _check_issuer(by, kind, answers)
    _check_issues(by, kind, issues, answers)
    on = _issued_on(on)
    _validate(kind, addressee, issues, reply_by, on, by)
    if issuer_unit is None:
        issuer_unit = by.scope_unit if kind == NoticeKind.REPORT and by is not None else issuing_unit(by)
    with transaction.atomic():
        notice = _save_numbered(
            Notice(
                kind=kind,
                year=on.year,
                issued_on=on,
                issuer_unit=issuer_unit,
                addressee=addressee,
                subject=subject.strip(),
                body=body.strip(),
                reply_by=reply_by,
                status=NoticeStatus.FILED if kind == NoticeKind.REPORT else NoticeStatus.AWAITING,
                answers=answers,
                issued_by=by,
            )
        )
        notice.issues.set(issues)
        if answers is not None:
            current = Notice.objects.select_for_update().get(pk=answers.pk)
            if current.status == NoticeStatus.AWAITING:
                current.status = NoticeStatus.REPLIED
                current.replied_on = on
                current.save()
        _notify_issued(notice)
    return notice


def mark_replied(*, notice: Notice, by, note: str = "", on: datetime.date | None = None) -> Notice:
    """The coordinator records that the unit replied (on paper, by phone, at a meeting). A unit
    replies by issuing its report, which marks the notice replied itself."""
    if by is not None:
        require_perm(by, "issue.assign")
        if not visible_notices(by).filter(pk=notice.pk).exists():
            raise ObjectDoesNotExist("notice outside the user's scope")
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if current.status != NoticeStatus.AWAITING:
            raise ValidationError(_("Only a notice that awaits its reply can be marked replied."))
        on = _issued_on(on)
        if on < current.issued_on:
            raise ValidationError({"on": _("The reply cannot be dated before the notice.")})
        current.status = NoticeStatus.REPLIED
        current.replied_on = on
        current.reply_note = note.strip()
        current.save()
    return current


# ---- telling the units --------------------------------------------------------------------------


def _notify_issued(notice: Notice) -> bool:
    recipients = notifying.unit_users([notice.addressee_id])
    issues = list(notice.issues.select_related("project__area", "project__zone"))
    if notice.kind == NoticeKind.REPORT:
        # A report goes to a headquarters that may have no login of its own: the coordinators of
        # the projects, and whoever sent the notice it answers, read it too.
        for project in {issue.project_id: issue.project for issue in issues}.values():
            recipients += notifying.coordinator_users(project)
        if notice.answers is not None and notice.answers.issued_by is not None:
            recipients.append(notice.answers.issued_by)
    if notice.kind == NoticeKind.REPORT:
        title = _("A report from %(unit)s: %(number)s")
    else:
        title = _("A %(kind)s for your unit: %(number)s")
    reply = _("Reply by %(date)s.") % {"date": notice.reply_by.isoformat()} if notice.reply_by else ""
    lines = [
        notice.subject,
        ", ".join(f"{issue.project.code} · {issue.title}" for issue in issues),
        reply,
    ]
    return notifying.notify(
        recipients=recipients,
        kind=f"notice.{notice.kind}",
        title=str(title)
        % {"kind": notice.get_kind_display(), "number": notice.number, "unit": notice.issuer_unit or ""},
        body="\n".join(line for line in lines if line),
        url=notice.get_absolute_url(),
        dedup_key=f"notice.issued:{notice.pk}",
    )
