"""Background work of coordination, for the django-tasks worker."""

from django.utils import timezone
from django_tasks import task

from groundbreak.coordination.escalation import daily_escalation


@task()
def escalate_overdue_issues_task() -> int:
    """Run today's escalation (safe to run more than once a day); returns how many steps were taken."""
    return daily_escalation(timezone.localdate())
