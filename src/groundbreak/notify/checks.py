"""The daily checks of the notify app itself: time nodes coming due and overdue, and the digest."""

import datetime
from itertools import groupby

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groundbreak.notify.api import create_notifications, notify
from groundbreak.notify.choices import Kind
from groundbreak.notify.models import Notification, NotificationPreference
from groundbreak.notify.recipients import project_recipients
from groundbreak.notify.scheduler import register_daily_check
from groundbreak.portfolio.choices import Light, Status
from groundbreak.portfolio.models import LightSettings, Project
from groundbreak.schedule.models import Milestone

CHUNK = 500


def due_days() -> int:
    """How many days ahead a node's reminder goes out (NOTIFY_MILESTONE_DUE_DAYS, default 7)."""
    return int(getattr(settings, "NOTIFY_MILESTONE_DUE_DAYS", 7))


def language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _project_label(project) -> str:
    return f"{project.code} {project.display_name}"


def open_milestones():
    """Nodes not yet met, of active projects: a paused project's clock stops, as for its light."""
    return (
        Milestone.objects.filter(actual_date__isnull=True, project__status=Status.ACTIVE)
        .select_related(
            "kind",
            "responsible_unit",
            "project__area",
            "project__zone",
            "project__lead_leader",
            "project__responsible_person__user",
        )
        .order_by("planned_date", "id")
    )


def _already_notified(keys) -> set[tuple[int, str]]:
    keys = list(keys)
    known = set()
    for start in range(0, len(keys), CHUNK):
        known.update(
            Notification.objects.filter(dedup_key__in=keys[start : start + CHUNK]).values_list(
                "recipient_id", "dedup_key"
            )
        )
    return known


def notify_about_milestones(milestones, *, kind: str, compose, today: datetime.date) -> int:
    """Notify each node's recipients once per node and planned date (a re-planned node is news
    again), each in their own language; returns how many notifications were created."""
    milestones = list(milestones)
    if not milestones:
        return 0
    recipients = project_recipients({m.project_id: m.project for m in milestones}.values())
    keys = {m.pk: f"{kind}:{m.pk}:{m.planned_date.isoformat()}" for m in milestones}
    known = _already_notified(keys.values())
    created = 0
    for milestone in milestones:
        key = keys[milestone.pk]
        users = sorted((u for u in recipients[milestone.project_id] if (u.pk, key) not in known), key=language_of)
        for language, group in groupby(users, key=language_of):
            with translation.override(language):
                title, body = compose(milestone, today)
                created += len(
                    notify(
                        recipients=list(group),
                        kind=kind,
                        title=title,
                        body=body,
                        url=milestone.project.get_absolute_url() + "#milestones",
                        dedup_key=key,
                    )
                )
    return created


def _responsible(milestone) -> str:
    unit = milestone.responsible_unit
    return _("Responsible unit: %(unit)s") % {"unit": unit.display_name} if unit is not None else ""


def compose_due(milestone, today) -> tuple[str, str]:
    days = (milestone.planned_date - today).days
    title = _("Node “%(node)s” of %(project)s is due on %(date)s") % {
        "node": milestone.display_name,
        "project": _project_label(milestone.project),
        "date": _date(milestone.planned_date),
    }
    when = (
        _("It is due today.")
        if days == 0
        else ngettext("It is due in %(days)d day.", "It is due in %(days)d days.", days) % {"days": days}
    )
    return title, "\n".join(part for part in (when, _responsible(milestone)) if part)


def compose_overdue(milestone, today) -> tuple[str, str]:
    days = (today - milestone.planned_date).days
    title = _("Node “%(node)s” of %(project)s is overdue") % {
        "node": milestone.display_name,
        "project": _project_label(milestone.project),
    }
    when = ngettext("It was due on %(date)s, %(days)d day ago.", "It was due on %(date)s, %(days)d days ago.", days) % {
        "date": _date(milestone.planned_date),
        "days": days,
    }
    return title, "\n".join(part for part in (when, _responsible(milestone)) if part)


def milestone_due_check(today: datetime.date) -> int:
    """Remind of open nodes due within the next NOTIFY_MILESTONE_DUE_DAYS days."""
    milestones = open_milestones().filter(
        planned_date__gte=today, planned_date__lte=today + datetime.timedelta(days=due_days())
    )
    return notify_about_milestones(milestones, kind=Kind.MILESTONE_DUE, compose=compose_due, today=today)


def milestone_overdue_check(today: datetime.date) -> int:
    """Chase open nodes past their planned date (once per planned date)."""
    milestones = open_milestones().filter(planned_date__lt=today)
    return notify_about_milestones(milestones, kind=Kind.MILESTONE_OVERDUE, compose=compose_overdue, today=today)


DIGEST_ITEMS = 5


def digest_check(today: datetime.date) -> int:
    """For each user who asked for it, a summary of their unread notifications and the red lights in
    their scope, sent to their own channels; nothing when there is nothing to say."""
    users = [
        p.user
        for p in NotificationPreference.objects.filter(digest_enabled=True, user__is_active=True).select_related(
            "user__scope_area"
        )
    ]
    if not users:
        return 0
    unread = dict(
        Notification.objects.filter(recipient__in=users, read_at__isnull=True)
        .values("recipient")
        .annotate(n=Count("id"))
        .values_list("recipient", "n")
    )
    light_settings = LightSettings.current()
    created = 0
    for user in users:
        red = Project.objects.for_user(user).with_light(today, light_settings).filter(light=Light.RED)
        red_count = red.count()
        unread_count = unread.get(user.pk, 0)
        if not (red_count or unread_count):
            continue
        latest = list(user.notifications.filter(read_at__isnull=True).order_by("-created_at", "-id")[:DIGEST_ITEMS])
        red_projects = list(red.order_by("code")[:DIGEST_ITEMS]) if red_count else []
        with translation.override(language_of(user)):
            title = _("Your daily digest for %(date)s") % {"date": _date(today)}
            created += len(
                create_notifications(
                    recipients=[user],
                    kind=Kind.DIGEST,
                    title=title,
                    body=_digest_body(unread_count, latest, red_count, red_projects),
                    url=reverse("my-work"),
                    dedup_key=f"{Kind.DIGEST}:{today.isoformat()}",
                    digest=True,
                )
            )
    return created


def _digest_body(unread_count, latest, red_count, red_projects) -> str:
    lines = []
    if unread_count:
        lines.append(
            ngettext("%(n)d unread notification:", "%(n)d unread notifications:", unread_count) % {"n": unread_count}
        )
        lines += [f"- {n.title}" for n in latest]
        if unread_count > len(latest):
            lines.append("- …")
    if red_count:
        if lines:
            lines.append("")
        lines.append(
            ngettext(
                "%(n)d project in your scope shows a red light:",
                "%(n)d projects in your scope show a red light:",
                red_count,
            )
            % {"n": red_count}
        )
        lines += [f"- {_project_label(p)}" for p in red_projects]
        if red_count > len(red_projects):
            lines.append("- …")
    return "\n".join(lines)


def register_checks() -> None:
    register_daily_check("notify.milestone_due", milestone_due_check)
    register_daily_check("notify.milestone_overdue", milestone_overdue_check)
    register_daily_check("notify.digest", digest_check, run_last=True)
