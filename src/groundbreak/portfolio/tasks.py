"""Background work of the portfolio: recomputing the stored warning lights."""

from django_tasks import task

from groundbreak.portfolio.stored_lights import refresh_stale_lights


@task()
def refresh_lights_task() -> int:
    """Recompute every stored light that is stale (after a change of the thresholds or rounds)."""
    return refresh_stale_lights()
