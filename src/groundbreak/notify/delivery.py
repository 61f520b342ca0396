"""Sending due deliveries: claim, send, record; retry with back-off; give up after the last delay.

A worker claims rows in a short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
IMMEDIATE transactions serialise the claim) by stamping them with a claim token and pushing their
next attempt past a lease. It sends outside any transaction, then records the outcome in one
update guarded by the token. A worker that dies mid-send leaves the row to be claimed again when
the lease runs out: the delivery is not lost, and its id in the payload lets a receiver drop the
rare repeat.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from groundbreak.notify import channels
from groundbreak.notify.choices import DeliveryStatus
from groundbreak.notify.models import Delivery

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
# Far longer than a send can take (timeouts are seconds), so a live worker never loses its claim.
LEASE = datetime.timedelta(minutes=5)
BATCH = 20
MAX_PER_RUN = 500


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: "Outcome") -> "Outcome":
        return Outcome(self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed)


def due(now: datetime.datetime):
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def claim(now: datetime.datetime, limit: int = BATCH) -> list[Delivery]:
    """Claim up to `limit` due deliveries for this worker; nobody else can claim them until the lease ends."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = due(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            claim_token=token, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    return list(
        Delivery.objects.filter(id__in=ids, claim_token=token)
        .select_related("notification__recipient", "webhook")
        .order_by("id")
    )


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """The wait after the `attempts`-th failed attempt, or None when it is time to give up."""
    return RETRY_DELAYS[attempts - 1] if 0 < attempts <= len(RETRY_DELAYS) else None


def attempt(delivery: Delivery, now: datetime.datetime | None = None) -> str:
    """Send one claimed delivery and record the outcome; returns its new status."""
    recipient = delivery.notification.recipient
    try:
        # Texts a channel adds (the e-mail footer, "Open") read in the recipient's language.
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            answer = channels.send(delivery)
    except channels.PermanentDeliveryError as error:
        return _record_failure(delivery, str(error), now, final=True)
    except Exception as error:  # noqa: BLE001 — whatever a channel raises, the delivery must stay recorded
        if not isinstance(error, channels.DeliveryError):
            logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return _record_failure(delivery, str(error) or error.__class__.__name__, now, final=False)
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        status=DeliveryStatus.SENT,
        sent_at=now or timezone.now(),
        response=answer[:500],
        last_error="",
        claim_token="",
        updated_at=timezone.now(),
    )
    return DeliveryStatus.SENT


def _record_failure(delivery: Delivery, error: str, now, *, final: bool) -> str:
    now = now or timezone.now()
    delay = None if final else retry_delay(delivery.attempts)
    status = DeliveryStatus.FAILED if delay is None else DeliveryStatus.PENDING
    next_attempt_at = now + delay if delay is not None else now
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        status=status,
        last_error=error[:2000],
        next_attempt_at=next_attempt_at,
        claim_token="",
        updated_at=timezone.now(),
    )
    if delay is not None:
        enqueue_sending(run_after=next_attempt_at)
    else:
        logger.warning("Delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, error)
    return status


def process_due(*, now: datetime.datetime | None = None, limit: int = MAX_PER_RUN) -> Outcome:
    """Send every delivery that is due (at most `limit` in one run) and say how it went."""
    outcome = Outcome()
    handled = 0
    while handled < limit:
        moment = now or timezone.now()
        batch = claim(moment, min(BATCH, limit - handled))
        if not batch:
            return outcome
        for delivery in batch:
            status = attempt(delivery, now)
            outcome += Outcome(
                sent=int(status == DeliveryStatus.SENT),
                retrying=int(status == DeliveryStatus.PENDING),
                failed=int(status == DeliveryStatus.FAILED),
            )
        handled += len(batch)
    # More is due than one run may take: hand the rest to the next run instead of hogging a worker.
    if due(now or timezone.now()).exists():
        enqueue_sending()
    return outcome


def enqueue_sending(run_after: datetime.datetime | None = None) -> None:
    """Queue a run of `send_pending_deliveries` (now, or at `run_after`).

    Never raises: the deliveries are already stored, and the tick sweeps whatever a lost wake-up missed.
    """
    from groundbreak.notify.tasks import send_pending_deliveries

    try:
        task = send_pending_deliveries
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=run_after)
        task.enqueue()
    except Exception:  # noqa: BLE001
        logger.exception("Could not queue the sending of notifications")
