"""Reporting's calls into apps that may not be installed: notifications, the audit hash chain,
upload cleaning and the coordination app's issues.

Each is looked up when called, so reporting works (and its tests pass) with or without them;
without one, the call does nothing or falls back on a plain check.
"""

import importlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def notify(*, recipients, kind: str, title: str, body: str, url: str, dedup_key: str) -> bool:
    """Notify through `groundbreak.notify.api.notify` (which skips a user already notified under
    `dedup_key`); False when there is no notify app."""
    send = _optional("groundbreak.notify.api", "notify")
    if send is None:
        return False
    send(recipients=list(recipients), kind=kind, title=title, body=body, url=url, dedup_key=dedup_key)
    return True


def register_daily_check(name: str, check) -> bool:
    """Have the notification scheduler call `check(today)` once a day, if there is one."""
    register = _optional("groundbreak.notify.scheduler", "register_daily_check")
    if register is None:
        return False
    register(name, check)
    return True


def append_to_chain(kind: str, payload: dict, *, obj=None, parent=None) -> bool:
    """Record a fact in the tamper-evident change log, in the caller's transaction, if there is one."""
    append = _optional("groundbreak.audit.chain", "append_to_chain")
    if append is None:
        return False
    append(kind, payload, obj=obj, parent=parent)
    return True


def clean_photo(upload, *, keep_location: bool = False):
    """A site photo checked by content and stripped of its metadata by `groundbreak.core.uploads`,
    or, without it, checked by extension and size."""
    clean_upload = _optional("groundbreak.core.uploads", "clean_upload")
    photos = _optional("groundbreak.core.uploads", "PHOTOS")
    refused = _("Upload a JPEG, PNG or WebP photo.")
    if clean_upload is not None and photos is not None:
        return clean_upload(
            upload,
            allowed=photos,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            keep_location=keep_location,
            refused_message=refused,
        )
    if upload.size is not None and upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": settings.EVIDENCE_MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    if PurePath(upload.name or "").suffix.lower() not in PHOTO_EXTENSIONS:
        raise ValidationError(refused, code="file_type")
    return upload


def issue_model():
    """The coordination app's Issue model, or None where it is not installed."""
    from django.apps import apps

    if not apps.is_installed("groundbreak.coordination"):
        return None
    try:
        return apps.get_model("coordination", "Issue")
    except LookupError:
        return None


def issue_create_url(report) -> str:
    """The coordination page that raises an issue from a report's difficulties, prefilled; ""
    where there is none."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    if issue_model() is None:
        return ""
    try:
        base = reverse("coordination:issue-create")
    except NoReverseMatch:
        return ""
    text = report.working.difficulties if report.working_id else ""
    query = {
        "project": report.project.code,
        "description": text,
        "source": "report",
        "source_note": report_reference(report),
    }
    return f"{base}?{urlencode(query)}"


def report_reference(report) -> str:
    """How an issue names the report it came from (its `source_note`)."""
    return f"report:{report.pk} {report.project.code} {report.round.label}"


def issues_from(report) -> list:
    """Issues raised from this report, if the coordination app is there."""
    model = issue_model()
    if model is None:
        return []
    return list(model.objects.filter(project=report.project, source_note__startswith=f"report:{report.pk} "))
