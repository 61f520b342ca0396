"""The daily export of the change-log head, on the django-tasks worker.

django-tasks has no periodic schedule: each run enqueues the next one for shortly after the
coming midnight, and `schedule_daily_head_export()` — called when a worker starts — makes sure
one is waiting. Doing it at the start of the run means a failing export does not stop the next.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from groundbreak.audit.chain import export_head
from groundbreak.audit.models import ChainHeadExport

RUN_AT = datetime.time(0, 5)


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """Five past the coming midnight, local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, RUN_AT))


@task()
def export_daily_chain_head() -> int | None:
    """Verify the chain and store today's head (once a day; a second run the same day does nothing)."""
    schedule_daily_head_export()
    today = timezone.localdate()
    if ChainHeadExport.objects.filter(date=today, source=ChainHeadExport.Source.TASK).exists():
        return None
    return export_head(source=ChainHeadExport.Source.TASK).seq


def schedule_daily_head_export():
    """Enqueue the next daily export unless one is already waiting; returns the result or None."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=export_daily_chain_head.module_path, status="READY")
    if waiting.exists():
        return None
    return export_daily_chain_head.using(run_after=next_run()).enqueue()
