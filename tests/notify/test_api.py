"""notify(): one notification per user and event, deliveries on the channels each user chose."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from groundbreak.notify.api import notify
from groundbreak.notify.choices import Channel, DeliveryStatus, WebhookKind
from groundbreak.notify.delivery import process_due
from groundbreak.notify.models import Delivery, Notification, NotificationPreference, Webhook
from tests.factories import UserFactory


def _notify(recipients, key="issue.overdue:1", **kwargs):
    return notify(
        recipients=recipients,
        kind=kwargs.pop("kind", "issue.overdue"),
        title=kwargs.pop("title", "Issue 1 is overdue"),
        body=kwargs.pop("body", "Land approval was due yesterday."),
        url=kwargs.pop("url", "/projects/SJ-001/"),
        dedup_key=key,
    )


def test_each_user_hears_of_an_event_once(world):
    first = _notify([world.sj_coordinator, world.leader_user, world.sj_coordinator])
    assert sorted(n.recipient_id for n in first) == sorted([world.sj_coordinator.pk, world.leader_user.pk])
    assert _notify([world.sj_coordinator, world.leader_user]) == []
    # Someone new to the same event is told; those told before are not told again.
    again = _notify([world.sj_coordinator, world.coordinator])
    assert [n.recipient for n in again] == [world.coordinator]
    assert Notification.objects.filter(dedup_key="issue.overdue:1").count() == 3
    # Another event is news again.
    assert len(_notify([world.sj_coordinator], key="issue.overdue:2")) == 1


def test_inactive_users_are_not_notified(world):
    gone = UserFactory(is_active=False, email="gone@example.gov.cn")
    assert _notify([gone, None]) == []
    assert not Delivery.objects.exists()


def test_email_goes_out_on_commit_to_users_who_want_it(world, immediate_tasks, django_capture_on_commit_callbacks):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    world.coordinator.email = "city@example.gov.cn"
    world.coordinator.save()
    NotificationPreference.objects.create(user=world.coordinator, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            _notify([world.sj_coordinator, world.coordinator, world.leader_user])
            # Nothing leaves before the caller's transaction commits.
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["sj@example.gov.cn"]]
    message = mail.outbox[0]
    assert message.subject == "Issue 1 is overdue"
    assert "Land approval was due yesterday." in message.body
    assert "https://gb.example.gov.cn/projects/SJ-001/" in message.body
    delivery = Delivery.objects.get()
    assert message.extra_headers["X-Groundbreak-Delivery"] == str(delivery.pk)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1 and delivery.sent_at


def test_a_rolled_back_caller_leaves_nothing_to_send(world, django_capture_on_commit_callbacks):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _notify([world.sj_coordinator])
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()


# The worker closes connections that sit in a transaction, as a test's would: commit for real.
# Serialized rollback restores the migrations' rows (content types, node kinds) that another
# module's transactional test may have flushed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_sends_what_notify_enqueued(world):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    _notify([world.sj_coordinator])
    assert mail.outbox == []
    call_command("db_worker", batch=True, verbosity=0, startup_delay=False)
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_group_robot_hears_of_an_event_once_however_many_of_its_users_are_told(world):
    songjiang = Webhook.objects.create(
        name="松江重点项目群", kind=WebhookKind.WECOM, url="https://x.test/a", area=world.songjiang
    )
    city = Webhook.objects.create(name="市重大办群", kind=WebhookKind.WECOM, url="https://x.test/b", area=world.city)
    minhang = Webhook.objects.create(name="闵行群", kind=WebhookKind.WECOM, url="https://x.test/c", area=world.minhang)
    unit = Webhook.objects.create(name="发改委群", kind=WebhookKind.WECOM, url="https://x.test/d", unit=world.sj_bureau)
    _notify([world.sj_coordinator, world.coordinator, world.unit_member])
    _notify([world.viewer])  # the same event, told to one more user of the city later
    targets = sorted(Delivery.objects.filter(channel=Channel.WEBHOOK).values_list("webhook__name", flat=True))
    assert targets == sorted([songjiang.name, city.name, unit.name])
    assert not Delivery.objects.filter(webhook=minhang).exists()


def test_a_personal_webhook_gets_each_of_its_users_notifications(world):
    mine = Webhook.objects.create(kind=WebhookKind.DINGTALK, url="https://x.test/me", user=world.leader_user)
    _notify([world.leader_user, world.sj_coordinator])
    _notify([world.leader_user], key="issue.overdue:2")
    assert Delivery.objects.filter(webhook=mine).count() == 2


def test_deliveries_are_never_created_twice_for_one_notification_and_target(world):
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    (notification,) = _notify([world.sj_coordinator])
    from groundbreak.notify.routing import plan_deliveries

    notification = Notification.objects.select_related("recipient__scope_area", "recipient__person").get()
    Delivery.objects.bulk_create(plan_deliveries([notification]), ignore_conflicts=True)
    assert Delivery.objects.count() == 1
    process_due()
    process_due()
    assert len(mail.outbox) == 1
