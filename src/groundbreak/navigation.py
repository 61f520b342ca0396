"""Navigation entries the current user's role may use (project level: it spans the apps)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundbreak.org.choices import Role
from groundbreak.org.models import Person
from groundbreak.org.permissions import has_perm

# What a user reaches daily stays in the bar; the rest folds under "More".
PRIMARY = {"my-work", "dashboard", "map", "projects", "supervision", "inbox", "leader", "reports"}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_primary": [], "nav_more": []}
    items = [
        ("my-work", _("My work"), reverse("my-work")),
        ("dashboard", _("Dashboard"), reverse("insight:dashboard")),
        ("map", _("Battle map"), reverse("insight:map")),
        ("projects", _("Projects"), reverse("portfolio:project-list")),
        ("key-lists", _("Key lists"), reverse("portfolio:keylist-list")),
        ("areas", _("Areas"), reverse("portfolio:area-list")),
        ("units", _("Units"), reverse("portfolio:unit-list")),
        ("people", _("People"), reverse("portfolio:person-list")),
        ("engagements", _("Engagements"), reverse("coordination:engagement-list")),
        ("supervision", _("Supervision"), reverse("coordination:board")),
        ("notices", _("Notices"), reverse("coordination:notice-list")),
        ("api-tokens", _("API tokens"), reverse("api-tokens:list")),
        ("notifications", _("Notification settings"), reverse("notify:preferences")),
    ]
    if any(has_perm(user, perm) for perm in ("report.fill", "report.review", "report.accept")):
        items.append(("reports", _("Reports"), reverse("reporting:queue")))
    items.append(("rounds", _("Reporting rounds"), reverse("reporting:round-list")))
    if user.scope_area_id or has_perm(user, "*"):
        items.append(("rollup", _("Roll-up"), reverse("reporting:rollup")))
    if has_perm(user, "project.create"):
        items.append(("import", _("Import"), reverse("exchange:import")))
    if has_perm(user, "snap.create"):
        items.append(("snap", _("Snap and report"), reverse("fieldwork:snap")))
    if has_perm(user, "snap.triage"):
        items.append(("snap-triage", _("Snap triage"), reverse("fieldwork:triage")))
    items.append(("inspections", _("Safety inspections"), reverse("fieldwork:inspection-list")))
    if user.scope_unit_id and has_perm(user, "issue.respond"):
        items.append(("inbox", _("Our issues"), reverse("coordination:inbox")))
    if user.role == Role.LEADER:
        # One query, and only for leaders: their page of projects, engagements and issues.
        person = Person.objects.filter(user=user, is_leader=True).values_list("pk", flat=True).first()
        if person:
            items.append(("leader", _("My leader page"), reverse("coordination:leader-detail", args=[person])))
    if has_perm(user, "milestone.decide_replan"):
        items.append(("replans", _("Re-plan requests"), reverse("schedule:replan-queue")))
    if user.is_staff and (user.is_superuser or has_perm(user, "*")):
        items.append(("admin", _("Administration"), reverse("admin:index")))
    items.append(("leaders", _("Leaders compared"), reverse("insight:leaders")))
    primary = [item for item in items if item[0] in PRIMARY]
    more = [item for item in items if item[0] not in PRIMARY]
    return {"nav_items": items, "nav_primary": primary, "nav_more": more}
