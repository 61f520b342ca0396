"""What other apps call to tell people something: `notify(...)`.

It writes the in-app notifications and their pending deliveries in the caller's transaction, so
they exist exactly when the caller's change does, and wakes the sender once that transaction has
committed.
"""

from django.db import transaction
from django.utils import timezone

from groundbreak.notify.delivery import enqueue_sending
from groundbreak.notify.models import Delivery, Notification
from groundbreak.notify.routing import plan_deliveries


def notify(*, recipients, kind: str, title: str, body: str = "", url: str = "", dedup_key: str) -> list:
    """Notify each of `recipients` (users) of an event; returns the notifications created.

    A user already notified under `dedup_key` is skipped, so calling again for the same event
    (a re-run, a retry, a second path to the same news) never notifies anyone twice; name the
    event in the key, e.g. "issue.overdue:17:2026-12-01". Inactive users are skipped. `url` is a
    path inside the site ("/projects/SJ-001/"). Deliveries go out on each recipient's chosen
    channels after the surrounding transaction commits.
    """
    return create_notifications(recipients=recipients, kind=kind, title=title, body=body, url=url, dedup_key=dedup_key)


def create_notifications(
    *, recipients, kind: str, title: str, body: str = "", url: str = "", dedup_key: str, digest: bool = False
) -> list[Notification]:
    """`notify`, plus the digest's variant: born read (the bell already counts what it sums up)
    and sent only to the user's own channels."""
    users = {}
    for user in recipients:
        if user is not None and user.is_active:
            users.setdefault(user.pk, user)
    if not users:
        return []
    fields = {
        "kind": str(kind)[:60],
        "title": " ".join(str(title).split())[:300],
        "body": str(body),
        "url": str(url)[:500],
        "dedup_key": str(dedup_key)[:200],
        "read_at": timezone.now() if digest else None,
    }
    with transaction.atomic():
        known = set(
            Notification.objects.filter(recipient_id__in=users, dedup_key=fields["dedup_key"]).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [pk for pk in users if pk not in known]
        if not fresh:
            return []
        # Another process may notify the same user of the same event at this very moment: the
        # unique constraint settles it, and the loser's deliveries collapse on their keys.
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, **fields) for pk in fresh], ignore_conflicts=True
        )
        created = list(
            Notification.objects.filter(recipient_id__in=fresh, dedup_key=fields["dedup_key"])
            .select_related("recipient__scope_area", "recipient__person")
            .order_by("id")
        )
        deliveries = plan_deliveries(created, digest=digest)
        if deliveries:
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            transaction.on_commit(enqueue_sending)
    return created
