"""Background work of the notify app, run by `groundbreak worker`."""

from django_tasks import task

from groundbreak.notify.delivery import process_due


@task()
def send_pending_deliveries() -> int:
    """Send the deliveries that are due; returns how many went out."""
    return process_due().sent
