"""The life of an import job: upload → check (the preview) → confirm → apply.

Files up to IMPORT_SYNC_MAX_ROWS rows are checked and applied within the request; larger ones by
the worker, enqueued once the job is committed, while the page polls the job's progress.
"""

import logging
import os
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from groundbreak.exchange import importing
from groundbreak.exchange.kinds import get_kind
from groundbreak.exchange.models import ImportJob, ImportStatus
from groundbreak.exchange.reading import FileError, count_rows, read_table

logger = logging.getLogger(__name__)
CHECKING, WRITING = "checking", "writing"


def sync_limit() -> int:
    """Files with more rows than this run in the background."""
    return getattr(settings, "IMPORT_SYNC_MAX_ROWS", 500)


def start_import(*, user, kind: str, upload) -> ImportJob:
    """Store the uploaded file with a new job and check it (now, or in the worker when large)."""
    spec = get_kind(kind)
    if not spec.may_import(user):
        raise PermissionDenied(f"import {kind}")
    job = ImportJob(
        kind=kind,
        user=user,
        original_name=os.path.basename(upload.name or "")[:255],
        language=get_language() or settings.LANGUAGE_CODE,
    )
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    job.file.save(
        f"{uuid.uuid4().hex}.{extension if extension in ('xlsx', 'csv', 'txt') else 'bin'}", upload, save=False
    )
    try:
        with job.file.open("rb") as stored:
            job.total_rows = count_rows(stored, job.original_name)
    except FileError as error:
        _finish(job, ImportStatus.INVALID, preview={"file_error": error.message})
        return job
    job.background = job.total_rows > sync_limit()
    job.save()
    if job.background:
        _enqueue(job, "check")
    else:
        _guarded(job, check)
    return job


def _enqueue(job: ImportJob, step: str) -> None:
    from groundbreak.exchange.tasks import process_import

    # The worker must find the job (and its file) committed.
    transaction.on_commit(lambda: process_import.enqueue(job.pk, step))


def check(job: ImportJob) -> None:
    """Read the job's file and store the preview of what applying it would do."""
    job.status = ImportStatus.CHECKING
    job.save(update_fields=["status"])
    try:
        table = _table(job)
        plan = importing.preview(job.kind, table, user=job.user, progress=_progress(job, CHECKING))
    except FileError as error:
        _finish(job, ImportStatus.INVALID, preview={"file_error": error.message})
        return
    job.plan_digest = plan.digest()
    _finish(
        job,
        ImportStatus.READY if plan.ok else ImportStatus.INVALID,
        preview=plan.summary(),
        total_rows=plan.total_rows,
        rows_done=plan.total_rows,
    )


def confirm(job: ImportJob) -> None:
    """The user confirmed the preview: apply it now, or have the worker apply it."""
    # Claimed with a conditional update, so a double click cannot apply twice.
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
        status=ImportStatus.APPLYING, rows_done=0
    )
    if not claimed:
        raise ValidationError(_("This import is not waiting for confirmation."))
    job.refresh_from_db()
    if job.background:
        _enqueue(job, "apply")
    else:
        _guarded(job, run_apply)


def _guarded(job: ImportJob, step) -> None:
    try:
        step(job)
    except Exception:
        fail(job)
        raise


def run_apply(job: ImportJob) -> None:
    """Check the file again and apply it in one transaction; the job records the outcome."""
    try:
        table = _table(job)
        plan, result = importing.apply(
            job.kind,
            table,
            user=job.user,
            expected_digest=job.plan_digest,
            check_progress=_progress(job, CHECKING),
            write_progress=_progress(job, WRITING),
        )
    except FileError as error:
        _finish(job, ImportStatus.FAILED, result={"message": error.message})
    except importing.PlanChanged as changed:
        # Someone changed the data since the preview: show the new preview, confirm again.
        job.plan_digest = changed.plan.digest()
        _finish(
            job,
            ImportStatus.READY if changed.plan.ok else ImportStatus.INVALID,
            preview=changed.plan.summary(),
            result={"changed": True},
            finished=False,
        )
    except importing.ImportFailed as failure:
        _finish(job, ImportStatus.FAILED, result={"errors": [e.as_dict() for e in failure.errors]})
    else:
        _finish(job, ImportStatus.DONE, result=result, rows_done=job.total_rows)


def fail(job: ImportJob, message: str | None = None) -> None:
    """Mark a job failed after an unexpected error, so its page stops waiting."""
    message = message or _("The import stopped on an unexpected error; nothing was written. Try again later.")
    _finish(job, ImportStatus.FAILED, result={"message": message})


def _table(job: ImportJob):
    with job.file.open("rb") as stored:
        return read_table(get_kind(job.kind).sheet, stored, job.original_name)


def _finish(job: ImportJob, status: str, *, finished: bool = True, **fields) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if finished:
        job.finished_at = timezone.now()
    job.save()
    cache.delete(progress_key(job.pk))


def progress_key(job_id: int) -> str:
    return f"groundbreak:import-progress:{job_id}"


def _progress(job: ImportJob, phase: str):
    def publish(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), {"phase": phase, "done": done, "total": total}, 3600)
        # Inside the apply transaction the row could not be seen by the page until the end (and
        # SQLite would not let another connection write): there only the cache carries progress.
        if not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done, total_rows=total)

    return publish


def progress(job: ImportJob) -> dict:
    """Where a running job is: phase, rows done, total, percent."""
    live = cache.get(progress_key(job.pk)) if job.is_running else None
    phase = live["phase"] if live else (WRITING if job.status == ImportStatus.APPLYING else CHECKING)
    done, total = (live["done"], live["total"]) if live else (job.rows_done, job.total_rows)
    return {"phase": phase, "done": done, "total": total, "percent": int(100 * done / total) if total else 0}
