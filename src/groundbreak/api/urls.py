"""URLs under /api/v1/: the token pages, the API, and problem details for what the API does not route."""

import functools

from django.http import HttpResponseNotAllowed
from django.urls import include, path, re_path
from django.utils.translation import gettext as _

from groundbreak.api.errors import PROBLEM_CONTENT_TYPE, method_not_allowed, not_found, problem_response
from groundbreak.api.v1 import api


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


def _guard(view):
    """Refuse NUL characters before any lookup (PostgreSQL rejects them), and answer ninja's bare
    405 as problem details."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if _has_nul(request):
            return problem_response(400, _("The URL must not contain NUL characters."), instance=request.path)
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed) and PROBLEM_CONTENT_TYPE not in response.get(
            "Content-Type", ""
        ):
            return method_not_allowed(request, [m.strip() for m in response["Allow"].split(",")])
        return response

    return wrapper


def _api_patterns():
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        pattern.callback = _guard(pattern.callback)
    return patterns


def _unrouted(request, rest=""):
    return not_found(request)


urlpatterns = [
    # The token pages sit here until the project urls give them /api/tokens/ (see the API's docs).
    path("tokens/", include("groundbreak.api.page_urls")),
    path("", include((_api_patterns(), "api"), namespace="api")),
    re_path(r"^(?P<rest>.*)$", _unrouted),
]
