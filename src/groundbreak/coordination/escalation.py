"""The escalation ladder: overdue issues climb from their unit to its head, the coordinator, the
lead leader and finally the agenda of the next on-site office meeting (督办).

`escalate_overdue_issues(today)` is run daily by the scheduler (and by the `tasks` task). It is
idempotent: an issue remembers the step it reached, so a second run the same day finds nothing to
do, and a run missed for a few days catches up, recording every step passed.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groundbreak.coordination import notifying
from groundbreak.coordination.choices import EventKind
from groundbreak.coordination.models import EscalationStep, Issue, IssueEvent
from groundbreak.coordination.queries import overdue_q
from groundbreak.coordination.workflow import record_event


def _reached(steps: list[EscalationStep], days_overdue: int) -> list[EscalationStep]:
    return [step for step in steps if step.days_overdue <= days_overdue]


def _behind(steps: list[EscalationStep], today: datetime.date) -> Q:
    """Issues overdue long enough for a step they have not reached yet (one condition per step)."""
    condition = Q(pk__in=[])
    for step in steps:
        condition |= Q(deadline__lte=today - datetime.timedelta(days=step.days_overdue)) & (
            Q(escalation_step__isnull=True) | Q(escalation_step__days_overdue__lt=step.days_overdue)
        )
    return condition


def escalate_overdue_issues(today: datetime.date | None = None, *, notify: bool = True) -> list[IssueEvent]:
    """Move each overdue issue up to the step its days overdue reach, recording every step passed
    as an `issue.escalated` event dated `today` and telling each step's people. Returns the events."""
    today = today or timezone.localdate()
    steps = list(EscalationStep.objects.order_by("days_overdue"))
    if not steps:
        return []
    events = []
    due = Issue.objects.filter(overdue_q(today)).filter(_behind(steps, today)).order_by("deadline", "pk")
    for pk in due.values_list("pk", flat=True):
        events += _escalate(pk, steps, today, notify)
    return events


def _escalate(pk: int, steps, today, notify: bool) -> list[IssueEvent]:
    with transaction.atomic():
        # Re-read under the lock: a concurrent run, a response or a new deadline may have come first.
        issue = Issue.objects.select_for_update(of=("self",)).select_related("escalation_step", "project").get(pk=pk)
        if not issue.deadline or not Issue.objects.filter(overdue_q(today), pk=pk).exists():
            return []
        current = issue.escalation_step.days_overdue if issue.escalation_step else -1
        new = [step for step in _reached(steps, (today - issue.deadline).days) if step.days_overdue > current]
        # A deadline moved away and back again finds its steps already told: they are not told twice.
        told = set(
            issue.events.filter(kind=EventKind.ESCALATED, deadline=issue.deadline).values_list("step", flat=True)
        )
        events = []
        for step in new:
            if step.pk in told:
                continue
            # No sentence is stored: the page names the step in the reader's language.
            events.append(record_event(issue, EventKind.ESCALATED, by=None, on=today, step=step))
            if notify:
                notifying.issue_escalated(issue, step)
        if new:
            issue.escalation_step = new[-1]
            issue.version += 1
            issue.save()
        return events


def daily_escalation(today: datetime.date) -> int:
    """The check the notify app's scheduler runs once a day: how many steps were taken."""
    return len(escalate_overdue_issues(today))
