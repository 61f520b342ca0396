"""Notifications (each user's own), preferences, group webhooks."""

from tests.security.access import OK, Page, scoped, who
from tests.security.access import builders as b

# A notification of the Songjiang coordinator: nobody else may open or mark it.
OTHERS_NOTIFICATION = lambda w: {"pk": b.notification(w).pk}  # noqa: E731
WEBHOOK_MANAGERS = ("admin", "coordinator")

PAGES = {
    "notify:list": Page(get=who(200)),
    "notify:bell": Page(get=who(200, anonymous=286)),
    "notify:read-all": Page(get=who(405), post=who(OK)),
    "notify:open": Page(get=who(404), kwargs=OTHERS_NOTIFICATION),
    "notify:read": Page(get=who(405), post=who(404), kwargs=OTHERS_NOTIFICATION),
    "notify:preferences": Page(get=who(200)),
    "notify:preferences-test": Page(get=who(405)),
    "notify:webhook-list": Page(get=who(403, admin=200, coordinator=200, mh_coordinator=200)),
    "notify:webhook-create": Page(get=who(403, admin=200, coordinator=200, mh_coordinator=200)),
    "notify:webhook-edit": Page(
        get=scoped(200, allowed=WEBHOOK_MANAGERS),
        post=scoped(allowed=WEBHOOK_MANAGERS),
        kwargs=lambda w: {"pk": b.webhook(w).pk},
        data=lambda w: {
            "name": "松江群",
            "kind": "wecom",
            "url": "https://qyapi.weixin.qq.com/x",
            "area": w.songjiang.pk,
        },
    ),
    "notify:webhook-delete": Page(
        get=who(405), post=scoped(allowed=WEBHOOK_MANAGERS), kwargs=lambda w: {"pk": b.webhook(w).pk}
    ),
    # The webhook points at a closed port of this machine: an allowed test fails fast, sends nothing.
    "notify:webhook-test": Page(
        get=who(405), post=scoped(allowed=WEBHOOK_MANAGERS), kwargs=lambda w: {"pk": b.webhook(w).pk}
    ),
}
