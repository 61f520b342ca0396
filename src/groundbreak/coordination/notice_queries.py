"""Scoped reads of notices: who sees which notice.

A notice follows its addressee and its issues: the addressed unit and the issuing unit see it,
as does whoever issued it and anyone who sees one of the issues it concerns. Everybody else gets
a 404, for missing and out-of-scope alike.
"""

from django.db.models import Count, Q
from django.http import Http404

from groundbreak.coordination.models import Notice
from groundbreak.coordination.queries import visible_issues
from groundbreak.org.permissions import sees_everything

_Concerns = Notice.issues.through


def visible_notices(user):
    """Notices the user may see: addressed to or issued by their unit, issued by them, or
    concerning an issue they see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Notice.objects.none()
    if sees_everything(user):
        return Notice.objects.all()
    issues = visible_issues(user).values("pk")
    condition = Q(issued_by=user) | Q(pk__in=_Concerns.objects.filter(issue__in=issues).values("notice"))
    if user.scope_unit_id:
        condition |= Q(addressee=user.scope_unit_id) | Q(issuer_unit=user.scope_unit_id)
    return Notice.objects.filter(condition)


def get_visible_notice(user, pk: int) -> Notice:
    """The notice if the user may see it; 404 for missing and out-of-scope alike."""
    try:
        return visible_notices(user).select_related("addressee", "issuer_unit", "answers", "issued_by").get(pk=pk)
    except Notice.DoesNotExist:
        raise Http404 from None


def for_list(notices):
    """Notices ready for a table: units fetched, issues counted in the same query."""
    return notices.select_related("addressee", "issuer_unit", "answers").annotate(
        n_issues=Count("issues", distinct=True)
    )


def notice_issues(notice):
    """The issues of a notice, in the order the printed table lists them."""
    return notice.issues.select_related("project", "lead_unit").order_by("project__code", "deadline", "id")
