"""Navigation entries the current user's role may use (project level: it spans the apps)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundbreak.org.permissions import has_perm


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("my-work", _("My work"), reverse("my-work")),
        ("projects", _("Projects"), reverse("portfolio:project-list")),
        ("key-lists", _("Key lists"), reverse("portfolio:keylist-list")),
        ("areas", _("Areas"), reverse("portfolio:area-list")),
        ("units", _("Units"), reverse("portfolio:unit-list")),
        ("people", _("People"), reverse("portfolio:person-list")),
    ]
    if has_perm(user, "milestone.decide_replan"):
        items.append(("replans", _("Re-plan requests"), reverse("schedule:replan-queue")))
    if user.is_staff and (user.is_superuser or has_perm(user, "*")):
        items.append(("admin", _("Administration"), reverse("admin:index")))
    return {"nav_items": items}
