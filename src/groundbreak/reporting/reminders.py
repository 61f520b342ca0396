"""Reminders of missing reports, called once a day by the notification scheduler."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groundbreak.org.models import User
from groundbreak.org.permissions import has_perm
from groundbreak.reporting import adapters
from groundbreak.reporting.choices import OPEN_FOR_FILLING, RoundStatus
from groundbreak.reporting.models import Report, ReportingPolicy

# After the due date the owners are reminded every few days, not every day.
OVERDUE_EVERY_DAYS = 3


def _remind_days(rounds) -> dict[int, int]:
    """Each round's reminder lead time, from the policy of the nearest area above it."""
    policies = {p.area_id: p.remind_days for p in ReportingPolicy.objects.all()}
    lead = {}
    for round in rounds:
        ids = [int(part) for part in round.area.path.strip("/").split("/") if part]
        lead[round.pk] = next((policies[i] for i in reversed(ids) if i in policies), 2)
    return lead


def _due_today(round, today: datetime.date, lead: int) -> bool:
    days_left = (round.due_on - today).days
    if days_left >= 0:
        return days_left in (lead, 0)
    return -days_left % OVERDUE_EVERY_DAYS == 0


def remind_missing_reports(today: datetime.date | None = None) -> int:
    """Remind whoever fills in each missing report of an open round (the owner's and the
    responsible unit's users who may fill reports): `remind_days` before the due date, on it, and
    every few days once late. One notification per user, listing their reports. Returns how
    many users were reminded."""
    today = today or timezone.localdate()
    missing = list(
        Report.objects.filter(round__status=RoundStatus.OPEN, status__in=OPEN_FOR_FILLING, accepted__isnull=True)
        .select_related("round__area", "project")
        .order_by("round__due_on", "project__code")
    )
    rounds = {report.round_id: report.round for report in missing}
    lead = _remind_days(rounds.values())
    missing = [r for r in missing if _due_today(r.round, today, lead[r.round_id])]
    if not missing:
        return 0
    units = {u for r in missing for u in (r.project.owner_unit_id, r.project.responsible_unit_id) if u}
    by_user: dict[User, list[Report]] = {}
    for user in User.objects.filter(scope_unit__in=units, is_active=True).select_related("person"):
        if not has_perm(user, "report.fill"):
            continue
        mine = [r for r in missing if user.scope_unit_id in (r.project.owner_unit_id, r.project.responsible_unit_id)]
        if mine:
            by_user[user] = mine
    url = reverse("reporting:queue")
    for user, reports in by_user.items():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title = ngettext("%(n)d report to submit", "%(n)d reports to submit", len(reports)) % {"n": len(reports)}
            lines = [
                _("%(code)s %(name)s, %(period)s: due on %(due)s")
                % {
                    "code": r.project.code,
                    "name": r.project.display_name,
                    "period": r.round.label,
                    "due": r.round.due_on.isoformat(),
                }
                for r in reports
            ]
            adapters.notify(
                recipients=[user],
                kind="report.missing",
                title=title,
                body="\n".join(lines),
                url=url,
                # One reminder a day, however often the scheduler runs.
                dedup_key=f"report.missing:{today.isoformat()}",
            )
    return len(by_user)
