"""The export links, placed on the project list without that page's view knowing about exports."""

from django import template

from groundbreak.exchange.exporting import FORMATS
from groundbreak.exchange.kinds import KINDS

register = template.Library()


@register.inclusion_tag("exchange/_export_links.html", takes_context=True)
def export_links(context):
    """Links to export the listed projects and their nodes, with the list's current filters."""
    return {"request": context.get("request"), "kinds": KINDS.values(), "formats": FORMATS}
