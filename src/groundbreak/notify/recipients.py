"""Who hears about a project: its responsible person's login and the coordinators whose scope covers it.

"Covers" is the scoping rule of `Project.objects.for_user` (org.scoping.scope_q) applied from the
project's side: a coordinator whose scope area is the project's district or zone or above it, or
whose scope unit owns or is responsible for it. All coordinators are loaded in one query and
matched in memory, so the recipients of any number of projects cost two queries.
"""

from groundbreak.org.choices import Role
from groundbreak.org.models import User
from groundbreak.org.permissions import sees_everything


def coordinators():
    """Active coordinators with what their scope needs, in one query."""
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True).select_related("scope_area").order_by("id"))


def covers(user, project) -> bool:
    """Whether `project` is in `user`'s scope; `project` needs `area` and `zone` loaded."""
    if sees_everything(user):
        return True
    if user.scope_area_id:
        prefix = user.scope_area.path
        for area in (project.area, project.zone):
            if area is not None and area.path.startswith(prefix):
                return True
    if user.scope_unit_id and user.scope_unit_id in (project.owner_unit_id, project.responsible_unit_id):
        return True
    if project.lead_leader_id is not None and getattr(project.lead_leader, "user_id", None) == user.pk:
        return True
    return False


def project_recipients(projects) -> dict[int, list]:
    """For each project (with `area`, `zone`, `lead_leader` and `responsible_person__user` loaded),
    the users to notify about it: responsible person's login first, then covering coordinators."""
    staff = coordinators()
    recipients = {}
    for project in projects:
        users = {}
        person = project.responsible_person
        if person is not None and person.user is not None and person.user.is_active:
            users[person.user.pk] = person.user
        for user in staff:
            if user.pk not in users and covers(user, project):
                users[user.pk] = user
        recipients[project.pk] = list(users.values())
    return recipients
