"""`groundbreak tick` and `groundbreak worker --with-scheduler`: daily checks once a day, nothing twice."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from groundbreak import cli
from groundbreak.notify import scheduler
from groundbreak.notify.choices import WebhookKind
from groundbreak.notify.models import DailyRun, Notification, Webhook
from tests.factories import MilestoneFactory


@pytest.fixture
def checks(monkeypatch):
    """The registry as the app set it up, restored after the test."""
    monkeypatch.setattr(scheduler, "_checks", dict(scheduler._checks))
    monkeypatch.setattr(scheduler, "_last", dict(scheduler._last))
    return scheduler


def tick(*args) -> str:
    out = io.StringIO()
    call_command("tick", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_app_registers_its_checks_with_the_digest_last():
    assert list(scheduler.registered_checks()) == [
        *[n for n in scheduler.registered_checks() if n != "notify.digest"],
        "notify.digest",
    ]
    assert {"notify.milestone_due", "notify.milestone_overdue"} <= set(scheduler.registered_checks())


def test_tick_twice_on_the_same_day_sends_nothing_twice(world, receiver):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    Webhook.objects.create(name="松江群", kind=WebhookKind.WECOM, url=receiver.url(), area=world.songjiang)
    MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() - datetime.timedelta(days=2))
    MilestoneFactory(project=world.sj_project, planned_date=timezone.localdate() + datetime.timedelta(days=2))
    first = tick()
    assert "notify.milestone_overdue: 2 notification(s)" in first
    assert "notify.milestone_due: 2 notification(s)" in first
    assert "deliveries: 4 sent" in first  # two e-mails to Songjiang, one robot post per event
    second = tick()
    assert "notify.milestone_overdue: already ran for this date" in second
    assert "deliveries: 0 sent" in second
    assert len(mail.outbox) == 2
    assert len(receiver.requests) == 2
    assert Notification.objects.count() == 4
    assert set(DailyRun.objects.values_list("name", flat=True)) == set(scheduler.registered_checks())


def test_a_failing_check_is_retried_by_the_next_tick_and_spares_the_others(world, checks):
    calls = []

    def flaky(today):
        calls.append(today)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return 0

    checks.register_daily_check("test.flaky", flaky)
    with pytest.raises(CommandError, match="test.flaky"):
        tick()
    assert not DailyRun.objects.filter(name="test.flaky").exists()
    assert DailyRun.objects.filter(name="notify.milestone_due").exists()
    assert "test.flaky: 0 notification(s)" in tick()
    assert "test.flaky: already ran" in tick()
    assert len(calls) == 2


def test_a_check_that_fails_midway_leaves_no_notification_behind(world, checks):
    from groundbreak.notify.api import notify

    def half(today):
        notify(recipients=[world.coordinator], kind="x", title="x", dedup_key="x")
        raise RuntimeError("boom")

    checks.register_daily_check("test.half", half)
    with pytest.raises(CommandError):
        tick()
    assert not Notification.objects.filter(kind="x").exists()


def test_tick_can_catch_up_a_missed_day(world):
    assert "notify.milestone_due: 0 notification(s)" in tick("--date", "2026-01-05")
    assert DailyRun.objects.filter(date=datetime.date(2026, 1, 5)).count() == len(scheduler.registered_checks())


def test_the_scheduler_waits_for_the_morning(world, settings):
    settings.NOTIFY_DAILY_AT = "07:05"
    early = timezone.make_aware(datetime.datetime(2026, 11, 25, 6, 59))
    assert scheduler.scheduler_step(early) == []
    assert not DailyRun.objects.exists()
    morning = timezone.make_aware(datetime.datetime(2026, 11, 25, 7, 6))
    assert {r.status for r in scheduler.scheduler_step(morning)} == {"ran"}
    assert {r.status for r in scheduler.scheduler_step(morning)} == {"skipped"}
    assert DailyRun.objects.filter(date=datetime.date(2026, 11, 25)).count() == len(scheduler.registered_checks())


def test_the_scheduler_step_sweeps_retries_due(world):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    from groundbreak.notify.api import notify

    notify(recipients=[world.sj_coordinator], kind="x", title="Hello", dedup_key="x")
    scheduler.scheduler_step(timezone.make_aware(datetime.datetime(2026, 11, 25, 1, 0)))
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_with_scheduler_starts_the_scheduler_next_to_the_task_worker(world, monkeypatch):
    started = []
    monkeypatch.setattr(scheduler, "start_scheduler_thread", lambda: started.append(True))
    assert cli.worker(["--with-scheduler", "--batch", "--no-startup-delay", "--verbosity", "0"]) == 0
    assert started == [True]
    started.clear()
    assert cli.worker(["--batch", "--no-startup-delay", "--verbosity", "0"]) == 0
    assert started == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduler_thread_runs_the_days_checks(world, settings, monkeypatch):
    settings.NOTIFY_DAILY_AT = "00:00"
    beat = threading.Event()
    real_step = scheduler.scheduler_step

    def step(now=None):
        results = real_step(now)
        beat.set()
        return results

    # Wait for a beat rather than poll the tables: SQLite's shared in-memory test database
    # refuses a reader while the thread writes.
    monkeypatch.setattr(scheduler, "scheduler_step", step)
    thread, stop = scheduler.start_scheduler_thread(interval=0.05)
    try:
        assert beat.wait(timeout=20)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert DailyRun.objects.filter(date=timezone.localdate()).count() == len(scheduler.registered_checks())
