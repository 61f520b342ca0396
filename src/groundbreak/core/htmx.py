"""htmx the simple way: one view answers the page or just its fragment, and redirects work for both."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def redirect_to(request, url: str) -> HttpResponse:
    """A redirect that an htmx request follows as a full page load."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def template_for(request, page: str, fragment: str) -> str:
    """The fragment template for an htmx request aimed at the fragment, else the whole page."""
    return fragment if getattr(request, "htmx", False) and not request.htmx.boosted else page
