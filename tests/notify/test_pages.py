"""The notification pages: list, bell, mark read, preferences, group robots; scoping and query counts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundbreak.notify.api import notify
from groundbreak.notify.choices import WebhookKind
from groundbreak.notify.models import Delivery, Notification, NotificationPreference, Webhook
from groundbreak.notify.views import HTMX_STOP_POLLING

HTMX = {"HTTP_HX_REQUEST": "true"}


def tell(user, n=1, start=0):
    for i in range(start, start + n):
        notify(
            recipients=[user],
            kind="issue.assigned",
            title=f"Issue {i} assigned to your unit",
            body="Deadline in 10 days.",
            url=f"/projects/SJ-001/?issue={i}",
            dedup_key=f"issue.assigned:{i}",
        )


def test_the_list_shows_the_users_own_notifications_newest_first(login, world):
    tell(world.sj_coordinator, 3)
    tell(world.mh_coordinator, 1, start=100)
    body = login(world.sj_coordinator).get(reverse("notify:list")).content.decode()
    assert body.index("Issue 2 assigned") < body.index("Issue 1 assigned") < body.index("Issue 0 assigned")
    assert "Issue 100" not in body
    assert "Unread (3)" in body
    assert "Mark all read" in body


def test_an_empty_list_says_so(login, world):
    body = login(world.viewer).get(reverse("notify:list")).content.decode()
    assert "No notifications yet." in body
    assert "Mark all read" not in body
    body = login(world.viewer).get(reverse("notify:list") + "?show=unread").content.decode()
    assert "Nothing unread." in body


def test_the_list_is_paginated(login, world, settings):
    settings.PAGE_SIZE = 5
    tell(world.sj_coordinator, 12)
    client = login(world.sj_coordinator)
    first = client.get(reverse("notify:list")).content.decode()
    assert "Page 1 of 3" in first and "Issue 11 assigned" in first and "Issue 6 assigned" not in first
    last = client.get(reverse("notify:list") + "?page=3").content.decode()
    assert "Issue 0 assigned" in last and "Issue 2 assigned" not in last


def test_the_bell_counts_unread_notifications(login, world):
    client = login(world.sj_coordinator)
    page = client.get(reverse("my-work")).content.decode()
    assert 'hx-trigger="load, every 60s"' in page
    assert reverse("notify:bell") in page
    assert "X-Groundbreak-Poll" in page  # so that polling need not count as the user's activity
    bell = client.get(reverse("notify:bell"), **HTMX).content.decode()
    assert "badge" not in bell
    tell(world.sj_coordinator, 3)
    bell = client.get(reverse("notify:bell"), **HTMX).content.decode()
    assert '<span class="badge" aria-hidden="true">3</span>' in bell
    assert "Notifications: 3 unread" in bell
    # The refreshed bell polls on, without firing again on load.
    assert 'hx-trigger="every 60s"' in bell


def test_a_bell_whose_session_ended_stops_polling(client, world):
    assert client.get(reverse("notify:bell"), **HTMX).status_code == HTMX_STOP_POLLING


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, world):
    tell(world.sj_coordinator)
    notification = Notification.objects.get()
    response = login(world.sj_coordinator).get(reverse("notify:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/projects/SJ-001/?issue=0"
    notification.refresh_from_db()
    assert notification.is_read


def test_a_link_off_the_site_is_not_followed(login, world):
    (notification,) = notify(
        recipients=[world.sj_coordinator], kind="x", title="x", url="https://evil.example/", dedup_key="x"
    )
    response = login(world.sj_coordinator).get(reverse("notify:open", args=[notification.pk]))
    assert response["Location"] == reverse("notify:list")


def test_mark_read_and_mark_all_read(login, world):
    tell(world.sj_coordinator, 3)
    client = login(world.sj_coordinator)
    first = Notification.objects.order_by("id").first()
    response = client.post(reverse("notify:read", args=[first.pk]), **HTMX)
    body = response.content.decode()
    assert f'id="notification-{first.pk}"' in body and "Mark read" not in body.split('id="notify-bell"')[0]
    # The header's bell is updated out of band.
    assert 'hx-swap-oob="true"' in body and ">2</span>" in body
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post(reverse("notify:read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "Unread (0)" in client.get(reverse("notify:list")).content.decode()


def test_another_users_notification_is_not_found(login, world):
    tell(world.mh_coordinator)
    theirs = Notification.objects.get()
    client = login(world.sj_coordinator)
    assert client.get(reverse("notify:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notify:read-all"))
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_pages_need_a_login(client, world):
    for name in ("notify:list", "notify:preferences", "notify:webhook-list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_notifications(login, world):
    client = login(world.sj_coordinator)
    url = reverse("notify:list")
    tell(world.sj_coordinator, 2)
    client.get(url)
    few = _count(client, url)
    tell(world.sj_coordinator, 40, start=2)
    many = _count(client, url)
    assert few == many
    # Session, user, the page's count and rows, the unread count.
    assert many <= 6


def test_the_bell_costs_one_query_beyond_the_session(login, world):
    client = login(world.sj_coordinator)
    tell(world.sj_coordinator, 30)
    client.get(reverse("notify:bell"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notify:bell"), **HTMX)
    assert sum("notify_notification" in q["sql"] for q in queries) == 1


def test_the_navigation_offers_notification_settings(login, world):
    page = login(world.viewer).get(reverse("my-work")).content.decode()
    assert reverse("notify:preferences") in page and "Notification settings" in page


def test_preferences_save_channels_and_a_personal_webhook(login, world):
    client = login(world.leader_user)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "No e-mail address is on record for you" in page
    response = client.post(
        reverse("notify:preferences"),
        {
            "digest_enabled": "on",
            "webhook_kind": WebhookKind.DINGTALK,
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "SECabc",
        },
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.leader_user)
    assert (preference.email_enabled, preference.digest_enabled) == (False, True)
    webhook = Webhook.objects.get(user=world.leader_user)
    assert (webhook.kind, webhook.secret) == (WebhookKind.DINGTALK, "SECabc")
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "SECabc" not in page  # a secret is never shown back
    # Saving again without a secret keeps it; choosing no webhook removes it.
    client.post(
        reverse("notify:preferences"),
        {"webhook_kind": WebhookKind.DINGTALK, "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=new"},
    )
    webhook.refresh_from_db()
    assert webhook.secret == "SECabc" and webhook.url.endswith("token=new")
    client.post(reverse("notify:preferences"), {"webhook_kind": ""})
    assert not Webhook.objects.filter(user=world.leader_user).exists()


def test_preferences_refuse_bad_webhooks(login, world, settings):
    client = login(world.leader_user)
    response = client.post(reverse("notify:preferences"), {"webhook_kind": WebhookKind.GENERIC, "webhook_url": ""})
    assert "Enter the webhook" in response.content.decode()
    response = client.post(
        reverse("notify:preferences"),
        {"webhook_kind": WebhookKind.GENERIC, "webhook_url": "https://hooks.example.gov.cn/gb"},
    )
    assert "needs a secret" in response.content.decode()
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    response = client.post(
        reverse("notify:preferences"),
        {"webhook_kind": WebhookKind.WECOM, "webhook_url": "http://127.0.0.1:8000/admin/"},
    )
    assert "cannot receive notifications" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_test_notification_reaches_the_users_channels(
    login, world, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    world.leader_user.email = "leader@example.gov.cn"
    world.leader_user.save()
    client = login(world.leader_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notify:preferences-test"), follow=True)
    assert "A test notification is on its way" in response.content.decode()
    assert Notification.objects.filter(recipient=world.leader_user, kind="notify.test").count() == 1
    assert [m.to for m in mailoutbox] == [["leader@example.gov.cn"]]


def test_a_coordinator_adds_a_robot_for_an_area_in_scope(login, world):
    client = login(world.sj_coordinator)
    form = client.get(reverse("notify:webhook-create")).content.decode()
    assert "松江区" in form and "闵行区" not in form
    data = {
        "name": "松江重点项目群",
        "kind": WebhookKind.WECOM,
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "area": world.songjiang.pk,
        "is_active": "on",
    }
    assert client.post(reverse("notify:webhook-create"), data).status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.area, webhook.created_by) == (world.songjiang, world.sj_coordinator)
    listing = client.get(reverse("notify:webhook-list")).content.decode()
    assert "松江重点项目群" in listing and "key=k" not in listing
    # An area out of scope is refused and changes nothing.
    response = client.post(reverse("notify:webhook-create"), {**data, "name": "越界", "area": world.minhang.pk})
    assert response.status_code == 200 and Webhook.objects.count() == 1
    response = client.post(reverse("notify:webhook-create"), {**data, "name": "两者", "unit": world.sj_bureau.pk})
    assert "either an area or a unit" in response.content.decode()


def test_robots_out_of_scope_are_not_found_and_other_roles_are_refused(login, world):
    minhang = Webhook.objects.create(name="闵行群", kind=WebhookKind.WECOM, url="https://x.test/a", area=world.minhang)
    client = login(world.sj_coordinator)
    assert "闵行群" not in client.get(reverse("notify:webhook-list")).content.decode()
    assert client.get(reverse("notify:webhook-edit", args=[minhang.pk])).status_code == 404
    assert client.post(reverse("notify:webhook-delete", args=[minhang.pk])).status_code == 404
    assert client.post(reverse("notify:webhook-test", args=[minhang.pk])).status_code == 404
    assert Webhook.objects.filter(pk=minhang.pk).exists()
    for user in (world.viewer, world.leader_user, world.unit_member):
        assert login(user).get(reverse("notify:webhook-list")).status_code == 403
    client = login(world.mh_coordinator)
    assert client.post(reverse("notify:webhook-delete", args=[minhang.pk])).status_code == 302
    assert not Webhook.objects.exists()


def test_a_generic_robot_needs_a_secret_and_keeps_it_when_left_empty(login, world):
    client = login(world.coordinator)
    data = {"name": "OA", "kind": WebhookKind.GENERIC, "url": "https://oa.example.gov.cn/hook", "unit": world.hq.pk}
    assert "needs a secret" in client.post(reverse("notify:webhook-create"), data).content.decode()
    client.post(reverse("notify:webhook-create"), {**data, "secret": "s3cret"})
    webhook = Webhook.objects.get()
    edit = reverse("notify:webhook-edit", args=[webhook.pk])
    assert "s3cret" not in client.get(edit).content.decode()
    assert client.post(edit, {**data, "name": "OA system"}).status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.secret) == ("OA system", "s3cret")


def test_administrators_see_webhooks_deliveries_and_notifications_in_the_admin(login, world):
    Webhook.objects.create(name="市重大办群", kind=WebhookKind.WECOM, url="https://x.test/k?key=1", area=world.city)
    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    tell(world.sj_coordinator)
    client = login(world.admin)
    for model in ("webhook", "delivery", "notification", "dailyrun"):
        assert client.get(reverse(f"admin:notify_{model}_changelist")).status_code == 200, model
    # Deliveries are a record of what happened: nobody adds or edits one by hand.
    assert client.get(reverse("admin:notify_delivery_add")).status_code == 403
    delivery = Delivery.objects.first()
    page = client.get(reverse("admin:notify_delivery_change", args=[delivery.pk])).content.decode()
    assert 'name="_save"' not in page


def test_an_administrator_can_queue_failed_deliveries_again(login, world):
    from groundbreak.notify.choices import DeliveryStatus

    world.sj_coordinator.email = "sj@example.gov.cn"
    world.sj_coordinator.save()
    tell(world.sj_coordinator)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=6, last_error="HTTP 500")
    client = login(world.admin)
    client.post(
        reverse("admin:notify_delivery_changelist"),
        {"action": "retry_now", "_selected_action": list(Delivery.objects.values_list("pk", flat=True))},
    )
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
