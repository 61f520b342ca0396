"""Template filters of the coordination pages."""

from django import template

register = template.Library()


@register.filter
def days_late(issue, today):
    """Days an issue is past its deadline on `today` (0 when it is not, or is no longer the unit's)."""
    if issue.deadline is None or issue.status not in ("open", "in_progress", "returned"):
        return 0
    return max(0, (today - issue.deadline).days)
