"""Reminders of missing reports, sent through the notification app when it is there."""

import datetime

import pytest

from groundbreak.org.choices import Role
from groundbreak.reporting import adapters
from groundbreak.reporting.reminders import remind_missing_reports
from tests.factories import UserFactory
from tests.reporting.conftest import fill, open_month, report_of


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(adapters, "notify", lambda **kwargs: calls.append(kwargs) or True)
    return calls


@pytest.fixture
def march(rp):
    return open_month(rp.songjiang, 2025, 3)  # due 5 April 2025


@pytest.mark.parametrize(
    ("today", "reminded"),
    [
        (datetime.date(2025, 4, 2), False),  # three days before
        (datetime.date(2025, 4, 3), True),  # two days before (the default lead time)
        (datetime.date(2025, 4, 5), True),  # on the due date
        (datetime.date(2025, 4, 6), False),
        (datetime.date(2025, 4, 8), True),  # every third day once late
    ],
)
def test_owner_and_unit_are_reminded_on_the_right_days(rp, march, sent, today, reminded):
    count = remind_missing_reports(today)
    assert count == (2 if reminded else 0)  # the owner and the unit member of the bureau
    if reminded:
        recipients = {call["recipients"][0] for call in sent}
        assert recipients == {rp.owner, rp.unit_member}
        assert all(call["kind"] == "report.missing" and "SJ-001" in call["body"] for call in sent)
        assert {call["dedup_key"] for call in sent} == {f"report.missing:{today.isoformat()}"}


def test_submitted_reports_and_roles_without_filling_are_not_reminded(rp, march, sent):
    UserFactory(role=Role.VIEWER, scope_unit=rp.enterprise)
    fill(report_of(march, rp.sj_project), "1")
    assert remind_missing_reports(datetime.date(2025, 4, 5)) == 0
    assert sent == []


def test_reminders_reach_the_notification_app(rp, march):
    pytest.importorskip("groundbreak.notify.api")
    from groundbreak.notify.models import Notification
    from groundbreak.notify.scheduler import registered_checks

    assert registered_checks()["reporting.missing_reports"] is remind_missing_reports
    remind_missing_reports(datetime.date(2025, 4, 5))
    remind_missing_reports(datetime.date(2025, 4, 5))  # a second run the same day adds nothing
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"owner", "sj-unit"}
    assert Notification.objects.count() == 2


def test_without_notify_app_the_adapter_does_nothing(rp, march, monkeypatch):
    monkeypatch.setattr(adapters, "_optional", lambda module, name: None)
    assert adapters.notify(recipients=[rp.owner], kind="x", title="t", body="b", url="/", dedup_key="k") is False
    assert adapters.register_daily_check("reporting.missing_reports", remind_missing_reports) is False
    assert remind_missing_reports(datetime.date(2025, 4, 5)) == 2
