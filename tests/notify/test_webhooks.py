"""Webhooks against a real HTTP server on 127.0.0.1: each format's body and signature, retries with
back-off, timeouts, and delivery exactly once."""

import base64
import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from groundbreak.notify.api import notify
from groundbreak.notify.choices import DeliveryStatus, WebhookKind
from groundbreak.notify.delivery import RETRY_DELAYS, process_due
from groundbreak.notify.models import Delivery, Webhook

SECRET = "SEC0123456789abcdef"


def _hook(user, receiver, kind, secret="", path="/hook"):
    return Webhook.objects.create(kind=kind, url=receiver.url(path), secret=secret, user=user)


def _tell(user, key="milestone.overdue:7:2026-11-20"):
    return notify(
        recipients=[user],
        kind="milestone.overdue",
        title="节点“土地交付”已逾期",
        body="It was due 5 days ago.",
        url="/projects/SJ-001/#milestones",
        dedup_key=key,
    )


def _delivery():
    return Delivery.objects.get()


def test_wecom_robot_gets_markdown(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.WECOM, path="/cgi-bin/webhook/send")
    _tell(world.sj_coordinator)
    assert process_due().sent == 1
    (request,) = receiver.requests
    assert request["path"] == "/cgi-bin/webhook/send"
    assert request["json"]["msgtype"] == "markdown"
    content = request["json"]["markdown"]["content"]
    assert content.startswith("**节点“土地交付”已逾期**\nIt was due 5 days ago.")
    assert "(https://gb.example.gov.cn/projects/SJ-001/#milestones)" in content
    assert request["headers"]["x-groundbreak-delivery"] == str(_delivery().pk)
    assert request["headers"]["content-type"].startswith("application/json")


def test_dingtalk_robot_gets_markdown_signed_in_the_query_string(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.DINGTALK, secret=SECRET, path="/robot/send?access_token=abc")
    _tell(world.sj_coordinator)
    before = int(time.time() * 1000)
    process_due()
    (request,) = receiver.requests
    assert request["json"]["msgtype"] == "markdown"
    assert request["json"]["markdown"]["title"] == "节点“土地交付”已逾期"
    assert request["json"]["markdown"]["text"].startswith("#### 节点“土地交付”已逾期")
    query = request["query"]
    assert query["access_token"] == "abc"
    timestamp = query["timestamp"]
    assert abs(int(timestamp) - before) < 60_000
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected


def test_dingtalk_without_a_secret_is_not_signed(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.DINGTALK, path="/robot/send?access_token=abc")
    _tell(world.sj_coordinator)
    process_due()
    assert set(receiver.requests[0]["query"]) == {"access_token"}


def test_feishu_bot_gets_text_signed_in_the_body(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.FEISHU, secret=SECRET, path="/open-apis/bot/v2/hook/x")
    receiver.answer((200, b'{"code": 0, "msg": "success"}', 0))
    _tell(world.sj_coordinator)
    assert process_due().sent == 1
    body = receiver.requests[0]["json"]
    assert body["msg_type"] == "text"
    assert body["content"]["text"] == (
        "节点“土地交付”已逾期\nIt was due 5 days ago.\nhttps://gb.example.gov.cn/projects/SJ-001/#milestones"
    )
    assert abs(int(body["timestamp"]) - time.time()) < 60
    expected = base64.b64encode(
        hmac.new(f"{body['timestamp']}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body["sign"] == expected


def test_generic_webhook_is_signed_over_the_raw_body(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.GENERIC, secret=SECRET)
    receiver.answer((204, b"", 0))
    _tell(world.sj_coordinator)
    assert process_due().sent == 1
    (request,) = receiver.requests
    headers = request["headers"]
    expected = "sha256=" + hmac.new(SECRET.encode(), request["raw"], hashlib.sha256).hexdigest()
    assert headers["x-groundbreak-signature"] == expected
    delivery = _delivery()
    assert headers["x-groundbreak-delivery"] == str(delivery.pk)
    body = request["json"]
    assert body["delivery"] == str(delivery.pk)
    assert body["timestamp"] == headers["x-groundbreak-timestamp"]
    assert body["event"] == "milestone.overdue"
    assert body["notification"]["title"] == "节点“土地交付”已逾期"
    assert body["notification"]["url"] == "https://gb.example.gov.cn/projects/SJ-001/#milestones"


def test_a_failing_receiver_is_retried_with_back_off_and_served_exactly_once(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.GENERIC, secret=SECRET)
    receiver.answer((500, b"busy", 0), (200, b"{}", 0))
    _tell(world.sj_coordinator)
    now = timezone.now()
    outcome = process_due(now=now)
    assert (outcome.sent, outcome.retrying) == (0, 1)
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at == now + RETRY_DELAYS[0]
    # Before its time nothing is retried.
    assert process_due(now=now + datetime.timedelta(seconds=30)).sent == 0
    assert len(receiver.requests) == 1
    assert process_due(now=now + RETRY_DELAYS[0]).sent == 1
    assert process_due(now=now + datetime.timedelta(days=2)).sent == 0
    assert len(receiver.requests) == 2
    assert {r["headers"]["x-groundbreak-delivery"] for r in receiver.requests} == {str(delivery.pk)}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")


def test_a_robot_answering_an_error_code_is_retried(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.DINGTALK, secret=SECRET)
    receiver.answer((200, b'{"errcode": 310000, "errmsg": "sign not match"}', 0))
    _tell(world.sj_coordinator)
    process_due()
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "error 310000: sign not match"


def test_after_the_last_delay_a_delivery_is_marked_failed(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.GENERIC, secret=SECRET)
    receiver.answer(*[(503, b"down", 0)] * 10)
    _tell(world.sj_coordinator)
    now = timezone.now()
    for delay in [datetime.timedelta(0), *RETRY_DELAYS]:
        now += delay
        process_due(now=now)
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(RETRY_DELAYS) + 1 == len(receiver.requests)
    assert process_due(now=now + datetime.timedelta(days=30)).sent == 0
    assert len(receiver.requests) == len(RETRY_DELAYS) + 1


def test_a_receiver_that_does_not_answer_in_time_is_retried(world, receiver, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.3
    _hook(world.sj_coordinator, receiver, WebhookKind.WECOM)
    receiver.answer((200, b'{"errcode": 0}', 1.5))
    _tell(world.sj_coordinator)
    started = time.monotonic()
    outcome = process_due()
    assert time.monotonic() - started < 1.4
    assert outcome.retrying == 1
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error


def test_redirects_are_not_followed(world, receiver):
    _hook(world.sj_coordinator, receiver, WebhookKind.WECOM)
    receiver.answer((302, receiver.url("/elsewhere").encode(), 0))
    _tell(world.sj_coordinator)
    process_due()
    assert [r["path"] for r in receiver.requests] == ["/hook"]
    assert "HTTP 302" in _delivery().last_error


def test_private_addresses_are_refused_unless_allowed(world, receiver, settings):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    _hook(world.sj_coordinator, receiver, WebhookKind.WECOM)
    _tell(world.sj_coordinator)
    outcome = process_due()
    assert outcome.failed == 1
    assert receiver.requests == []
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.FAILED
    assert "non-public address" in delivery.last_error


def test_a_removed_webhook_fails_its_pending_deliveries_for_good(world, receiver):
    hook = _hook(world.sj_coordinator, receiver, WebhookKind.WECOM)
    _tell(world.sj_coordinator)
    hook.delete()
    assert process_due().failed == 1
    assert _delivery().last_error == "the webhook was removed"
    assert receiver.requests == []


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(world, receiver):
    from groundbreak.notify.delivery import LEASE, claim

    _hook(world.sj_coordinator, receiver, WebhookKind.WECOM)
    _tell(world.sj_coordinator)
    now = timezone.now()
    (claimed,) = claim(now)
    assert claim(now) == []
    # A worker that died mid-send: after the lease the delivery is claimed again, not lost.
    (again,) = claim(now + LEASE)
    assert again.pk == claimed.pk and again.claim_token != claimed.claim_token
    # The dead worker's late answer is not recorded over the new claim's.
    from groundbreak.notify.delivery import attempt

    attempt(claimed)
    assert _delivery().status == DeliveryStatus.PENDING
    attempt(again)
    delivery = _delivery()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


@pytest.fixture
def group_hook(world, receiver):
    return Webhook.objects.create(
        name="松江重点项目群", kind=WebhookKind.WECOM, url=receiver.url(), area=world.songjiang
    )


def test_the_test_button_posts_a_sample_at_once(client, world, receiver, group_hook):
    client.force_login(world.sj_coordinator)
    response = client.post(reverse("notify:webhook-test", args=[group_hook.pk]), follow=True)
    assert "Test message delivered" in response.content.decode()
    assert json.loads(receiver.requests[0]["raw"])["msgtype"] == "markdown"
    receiver.answer((200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}', 0))
    response = client.post(reverse("notify:webhook-test", args=[group_hook.pk]), follow=True)
    assert "invalid webhook url" in response.content.decode()
