"""Daily checks: functions other apps register, run once per day by `groundbreak tick` (cron) or by
`groundbreak worker --with-scheduler`.

Each check runs in one transaction with its DailyRun row (name, date): a second tick on the same
day finds the row and skips the check, two workers racing for it collide on the unique row, and a
check that fails leaves no row, so the next tick tries it again.
"""

import datetime
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from groundbreak.notify.models import DailyRun

logger = logging.getLogger(__name__)

_checks: dict[str, Callable[[datetime.date], int]] = {}
_last: dict[str, Callable[[datetime.date], int]] = {}


def register_daily_check(name: str, function: Callable[[datetime.date], int], *, run_last: bool = False) -> None:
    """Run `function(today) -> int` (how many notifications it raised) once a day.

    Call it from an AppConfig.ready(); registering a name again replaces the function. `run_last`
    is for summaries (the digest) that should see what the other checks raised today.
    """
    _checks.pop(name, None)
    _last.pop(name, None)
    (_last if run_last else _checks)[name] = function


def registered_checks() -> dict[str, Callable[[datetime.date], int]]:
    """The checks in the order they run."""
    return {**_checks, **_last}


@dataclass
class CheckResult:
    name: str
    status: str  # "ran", "skipped" (already ran for the date) or "error"
    result: int = 0
    error: str = ""


def run_check(name: str, function, today: datetime.date) -> CheckResult:
    """Run one check for `today` unless it already ran for that date."""
    if DailyRun.objects.filter(name=name, date=today).exists():
        return CheckResult(name, "skipped")
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = DailyRun.objects.create(name=name, date=today)
            except IntegrityError:
                return CheckResult(name, "skipped")
            result = int(function(today) or 0)
            run.result = result
            run.finished_at = timezone.now()
            run.save(update_fields=["result", "finished_at"])
    except Exception as error:  # noqa: BLE001 — one broken check must not stop the others
        logger.exception("Daily check %s failed for %s", name, today)
        return CheckResult(name, "error", error=f"{error.__class__.__name__}: {error}")
    return CheckResult(name, "ran", result)


def run_daily_checks(today: datetime.date | None = None) -> list[CheckResult]:
    """Run every registered check that has not yet run for `today` (the local date by default)."""
    today = today or timezone.localdate()
    done = set(DailyRun.objects.filter(date=today).values_list("name", flat=True))
    return [
        CheckResult(name, "skipped") if name in done else run_check(name, function, today)
        for name, function in registered_checks().items()
    ]


def daily_at() -> datetime.time:
    """The local time after which the worker runs the day's checks (NOTIFY_DAILY_AT, "07:05"):
    nobody wants reminders on their phone at midnight."""
    return datetime.time.fromisoformat(getattr(settings, "NOTIFY_DAILY_AT", "07:05"))


def scheduler_step(now: datetime.datetime | None = None) -> list[CheckResult]:
    """One beat of the worker's scheduler: the day's checks once it is late enough, then a sweep
    of due deliveries (retries whose wake-up was lost, deliveries queued while no worker ran)."""
    from groundbreak.notify.delivery import process_due
    from groundbreak.portfolio.stored_lights import refresh_stale_lights

    local = timezone.localtime(now)
    # The date moves lights: the first beat of a day stores them for the new day (later beats find
    # nothing stale); pages evaluate the rules for any project not yet done meanwhile.
    refresh_stale_lights(local.date())
    results = run_daily_checks(local.date()) if local.time() >= daily_at() else []
    process_due()
    return results


def run_scheduler(stop: threading.Event, interval: float = 60.0) -> None:
    """Beat every `interval` seconds until `stop` is set."""
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                scheduler_step()
            except Exception:  # noqa: BLE001 — the worker keeps running; the next beat tries again
                logger.exception("The notification scheduler failed")
            close_old_connections()
            stop.wait(interval)
    finally:
        connection.close()


def start_scheduler_thread(interval: float = 60.0) -> tuple[threading.Thread, threading.Event]:
    """The scheduler in a daemon thread next to the task worker; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(stop, interval), name="groundbreak-scheduler", daemon=True)
    thread.start()
    return thread, stop
