"""Every error of the API as RFC 9457 problem details (`application/problem+json`).

Business actions raise Django's exceptions; ninja raises its own for authentication, throttling
and malformed input. `install_handlers` maps them all to one shape, so a client parses every error
the same way: `type`, `title`, `status`, `detail`, and `errors` ({field: [messages]}) for bad input.
"""

import json
import logging
from http import HTTPStatus

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import errors as ninja_errors

from groundbreak.core.errors import ConflictError

logger = logging.getLogger("groundbreak.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types are URNs: stable identifiers a client can switch on, explained in docs/api.md.
TYPE_PREFIX = "urn:groundbreak:problem:"


class Problem(Exception):
    """An error the API answers with directly; raise it from a handler or a helper."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        title: str | None = None,
        type: str | None = None,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.title = title
        self.type = type
        self.errors = errors
        self.headers = headers or {}


class PreconditionFailed(Problem):
    """The record changed since the client read it (its `If-Match` no longer matches)."""

    def __init__(self, detail: str | None = None):
        super().__init__(
            412,
            detail or _("The record has changed since you read it. Fetch it again and retry with its new ETag."),
            title=_("Precondition failed"),
            type="precondition-failed",
        )


def problem_response(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    type: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> HttpResponse:
    """A problem-details response; `type` is a short slug (or None for `about:blank`)."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else str(status)
    body = {
        "type": f"{TYPE_PREFIX}{type}" if type else "about:blank",
        "title": str(title or phrase),
        "status": status,
        "detail": str(detail or title or phrase),
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = {field: [str(m) for m in messages] for field, messages in errors.items()}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as {field: [messages]}; errors of no field go under "__all__"."""
    if hasattr(error, "error_dict"):
        return {field: list(ValidationError(items).messages) for field, items in error.error_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def _first_message(errors: dict[str, list[str]]) -> str:
    general = errors.get(NON_FIELD_ERRORS)
    if general:
        return general[0]
    return _("Some fields are not valid; see `errors`.")


# Where ninja says an input came from; the field name follows it, after the parameter name of a body.
_SOURCES = {"body", "form", "query", "path", "header", "cookie", "file"}


def _ninja_field(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source in {"body", "form"} and parts and parts[0] == "payload":
            parts = parts[1:]
        if not parts:
            return source
    return ".".join(parts) or NON_FIELD_ERRORS


def install_handlers(api) -> None:
    """Replace ninja's exception handlers with problem-details ones on `api`."""

    def handle(exc_class):
        def register(func):
            api.add_exception_handler(exc_class, func)
            return func

        return register

    @handle(Problem)
    def _problem(request, exc: Problem):
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            type=exc.type,
            errors=exc.errors,
            headers=exc.headers,
            instance=request.path,
        )

    @handle(ninja_errors.ValidationError)
    def _ninja_validation(request, exc):
        errors: dict[str, list[str]] = {}
        for item in exc.errors:
            errors.setdefault(_ninja_field(item.get("loc", ())), []).append(item.get("msg", ""))
        return problem_response(
            422,
            _first_message(errors),
            title=_("Validation failed"),
            type="validation-failed",
            errors=errors,
            instance=request.path,
        )

    @handle(ninja_errors.AuthenticationError)
    def _unauthenticated(request, exc):
        detail = (
            str(exc) if str(exc) != "Unauthorized" else _("Log in, or send a valid token as `Authorization: Bearer …`.")
        )
        return problem_response(
            401,
            detail,
            title=_("Authentication required"),
            type="authentication-required",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
            instance=request.path,
        )

    @handle(ninja_errors.Throttled)
    def _throttled(request, exc):
        return problem_response(
            429,
            _("Too many requests: slow down and retry after the time in the Retry-After header."),
            title=_("Too many requests"),
            type="rate-limited",
            instance=request.path,
        )

    @handle(ninja_errors.HttpError)
    def _http_error(request, exc):
        # ninja raises these (in English) for a failed CSRF check and for a body that is not JSON.
        detail = {
            400: _("The request body cannot be read as JSON."),
            403: _("A write with the login session needs the CSRF token in the X-CSRFToken header."),
        }.get(exc.status_code, str(exc))
        return problem_response(exc.status_code, detail, instance=request.path)

    @handle(ValidationError)
    def _invalid(request, exc):
        if isinstance(exc, ConflictError):
            # An action saw a stale expected version: the client's If-Match no longer holds.
            return _problem(request, PreconditionFailed())
        errors = validation_errors(exc)
        return problem_response(
            422,
            _first_message(errors),
            title=_("Validation failed"),
            type="validation-failed",
            errors=errors,
            instance=request.path,
        )

    @handle(PermissionDenied)
    def _forbidden(request, exc):
        return problem_response(
            403,
            _("Your role does not allow this action."),
            title=_("Forbidden"),
            type="forbidden",
            instance=request.path,
        )

    @handle(ObjectDoesNotExist)
    def _missing(request, exc):
        return not_found(request)

    @handle(Http404)
    def _http404(request, exc):
        return not_found(request)

    @handle(RequestDataTooBig)
    def _too_big(request, exc):
        return too_large(request)

    @handle(TooManyFieldsSent)
    def _too_many_fields(request, exc):
        return too_large(request)

    @handle(TooManyFilesSent)
    def _too_many_files(request, exc):
        return too_large(request)

    @handle(SuspiciousOperation)
    def _suspicious(request, exc):
        return problem_response(400, _("The request is malformed."), instance=request.path)

    @handle(MultiPartParserError)
    def _bad_multipart(request, exc):
        return problem_response(400, _("The multipart body is malformed."), instance=request.path)

    @handle(Exception)
    def _unexpected(request, exc):
        # Still logged and signalled like any server error (error reports, the test client's re-raise).
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        got_request_exception.send(sender=None, request=request)
        return problem_response(
            500, _("Something went wrong on our side; the error has been logged."), instance=request.path
        )


def not_found(request) -> HttpResponse:
    """The same answer for "does not exist" and "not yours" (scoping never reveals a record)."""
    return problem_response(
        404, _("There is no such record, or it is outside your scope."), title=_("Not found"), instance=request.path
    )


def too_large(request) -> HttpResponse:
    return problem_response(
        413,
        _("The request body is too large."),
        title=_("Content too large"),
        type="too-large",
        instance=request.path,
    )


def method_not_allowed(request, allowed) -> HttpResponse:
    return problem_response(
        405,
        _("%(method)s is not allowed here.") % {"method": request.method},
        headers={"Allow": ", ".join(sorted(allowed))},
        instance=request.path,
    )
