"""The export links, placed on a list page without that page's view knowing about exports."""

from django import template
from django.http import QueryDict

from groundbreak.exchange.exporting import FORMATS
from groundbreak.exchange.kinds import page_kinds

register = template.Library()

# The filter form of each list page that filters in place (htmx): the links follow its values.
# The report list of a round filters by reloading the page, so its links are right as rendered.
FILTER_FORMS = {"projects": "#project-filter", "issues": "#issue-filter"}


def links_context(page: str, params: QueryDict) -> dict:
    return {
        "page": page,
        "kinds": page_kinds(page),
        "formats": FORMATS,
        "query": params.urlencode(),
        "form": FILTER_FORMS.get(page, ""),
    }


@register.inclusion_tag("exchange/_export_links.html", takes_context=True)
def export_links(context, page="projects", **extra):
    """Links to export what a list page shows (the project list: projects and their nodes; the
    supervision board: issues; a round: its reports), with the list's current filters; `extra`
    adds parameters the page's address holds rather than its query (a round's id)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    params.pop("page", None)
    for name, value in extra.items():
        params[name] = value
    return {"request": request, **links_context(page, params)}
