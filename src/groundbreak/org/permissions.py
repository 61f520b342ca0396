"""What each role may do, and the one place that decides whether a user holds a permission.

Where a user may do it is scoping (`org.scoping`); both must allow an action.
"""

from django.core.exceptions import PermissionDenied

from groundbreak.org.choices import Role

# Permissions are named "<object>.<verb>"; a role's set is data, not a column per flag.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({"*"}),
    Role.COORDINATOR: frozenset(
        {
            "project.create",
            "project.change",
            "project.change_stage",
            "project.pause",
            "project.override_light",
            "project.publish",
            "milestone.create",
            "milestone.change",
            "milestone.complete",
            "milestone.replan",
            "milestone.decide_replan",
            "keylist.change",
            "org.change",
            "engagement.change",
            "issue.create",
            "issue.assign",
            "issue.respond",
            "issue.verify",
            "issue.change_deadline",
            "instruction.give",
            "report.accept",
            "round.manage",
            "inspection.record",
            "snap.create",
            "snap.triage",
        }
    ),
    Role.LEADER: frozenset({"instruction.give"}),
    Role.UNIT_MEMBER: frozenset(
        {
            "milestone.complete",
            "milestone.replan",
            "issue.create",
            "issue.respond",
            "report.fill",
            "report.review",
            "snap.create",
        }
    ),
    Role.OWNER: frozenset(
        {"milestone.complete", "milestone.replan", "issue.create", "issue.respond", "report.fill", "snap.create"}
    ),
    Role.VIEWER: frozenset(),
}


def has_perm(user, perm: str) -> bool:
    """Whether the user's role grants `perm` (anywhere in their scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    granted = ROLE_PERMISSIONS.get(user.role, frozenset())
    return "*" in granted or perm in granted


def permission_flags(user, *perms: str) -> dict[str, bool]:
    """`{"project_change": True, …}` for a template's `can`: which of `perms` the role grants."""
    return {perm.replace(".", "_"): has_perm(user, perm) for perm in perms}


def require_perm(user, perm: str) -> None:
    """Raise PermissionDenied (a 403 page or API error) unless the user holds `perm`."""
    if not has_perm(user, perm):
        raise PermissionDenied(perm)


def sees_everything(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMINISTRATOR)
