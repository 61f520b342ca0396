"""Background work of imports: checking and applying large files in the worker."""

import logging

from django.utils import translation
from django_tasks import task

from groundbreak.exchange import jobs
from groundbreak.exchange.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def process_import(job_id: int, step: str) -> str:
    """Check ("check") or apply ("apply") an import job, in the language it was uploaded in."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language):
        try:
            if step == "check":
                jobs.check(job)
            else:
                jobs.run_apply(job)
        except Exception:
            logger.exception("import job %s failed at %s", job_id, step)
            jobs.fail(job)
            raise
    return job.status
