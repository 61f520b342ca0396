"""Pages of spreadsheet import (upload, preview, progress, result) and the export downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from groundbreak.core.htmx import redirect_to
from groundbreak.exchange import jobs
from groundbreak.exchange.exporting import CONTENT_TYPES, FORMATS, export, file_name
from groundbreak.exchange.forms import UploadForm
from groundbreak.exchange.kinds import get_kind, importable_kinds
from groundbreak.exchange.models import ImportJob, ImportStatus
from groundbreak.exchange.templates_xlsx import template_workbook
from groundbreak.exchange.templatetags.exchange_links import FILTER_FORMS, links_context

XLSX_TYPE = CONTENT_TYPES["xlsx"]


def _kind(key: str):
    try:
        return get_kind(key)
    except LookupError:
        raise Http404 from None


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_start(request):
    kinds = importable_kinds(request.user)
    if not kinds:
        raise PermissionDenied("import")
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = jobs.start_import(user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
        return redirect_to(request, reverse("exchange:import-job", args=[job.pk]))
    context = {
        "form": form,
        "kinds": kinds,
        "recent": ImportJob.objects.filter(user=request.user)[:10],
    }
    return render(request, "exchange/import_start.html", context)


@login_required
def import_template(request, kind):
    spec = _kind(kind)
    if not spec.may_import(request.user):
        raise PermissionDenied(f"import {kind}")
    response = HttpResponse(content_type=XLSX_TYPE)
    template_workbook(spec.sheet, request.user).save(response)
    return _attachment(response, f"{kind}-template.xlsx")


def _own_job(request, pk) -> ImportJob:
    # Someone else's import is "not found", like any record outside one's scope.
    return get_object_or_404(ImportJob, pk=pk, user=request.user)


@login_required
def import_job(request, pk):
    job = _own_job(request, pk)
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        if job.is_running:
            return render(request, "exchange/_job_progress.html", {"job": job, "progress": jobs.progress(job)})
        # Done with this phase: reload the whole page, which now shows the preview or result.
        return HttpResponseClientRefresh()
    preview = job.preview or {}
    context = {
        "job": job,
        "kind": _kind(job.kind),
        "progress": jobs.progress(job),
        "preview": preview,
        "counts": preview.get("counts", {}),
        "result": job.result or {},
        "Status": ImportStatus,
    }
    return render(request, "exchange/import_job.html", context)


@login_required
@require_POST
def import_apply(request, pk):
    job = _own_job(request, pk)
    if not get_kind(job.kind).may_import(request.user):
        raise PermissionDenied(f"import {job.kind}")
    try:
        jobs.confirm(job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect_to(request, reverse("exchange:import-job", args=[job.pk]))


@login_required
def export_file(request, kind, fmt):
    spec = _kind(kind)
    if spec.export_rows is None or fmt not in FORMATS:
        raise Http404
    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    export(kind, fmt, response, user=request.user, params=request.GET)
    return _attachment(response, file_name(kind, fmt))


@login_required
def export_links(request):
    """The export links of a list page (`for`: projects by default, or issues) with the list's
    current filters, fetched again when the filters change in place."""
    params = request.GET.copy()
    page = params.pop("for", ["projects"])[-1]
    if page not in FILTER_FORMS:
        raise Http404
    params.pop("page", None)
    return render(request, "exchange/_export_links.html", links_context(page, params))
