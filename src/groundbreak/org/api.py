"""The org part of the API: how areas, units and people look in it, and who the caller is.

The area, unit and people endpoints live in `portfolio.api`, next to their pages: which of them a
user may see depends on the projects they see, and org knows nothing of projects.
"""

from ninja import Router, Schema

from groundbreak.org.permissions import ROLE_PERMISSIONS, sees_everything

router = Router(tags=["org"])


class AreaRef(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    gb_code: str


class AreaOut(AreaRef):
    parent_id: int | None
    depth: int


class UnitRef(Schema):
    id: int
    name: str
    name_en: str
    short_name: str
    kind: str


class UnitOut(UnitRef):
    area: AreaRef


class PersonRef(Schema):
    id: int
    name: str
    name_en: str
    title: str
    title_en: str


class PersonOut(PersonRef):
    unit: UnitRef | None
    phone: str
    is_leader: bool


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    scope_area: AreaRef | None
    scope_unit: UnitRef | None
    sees_everything: bool
    permissions: list[str]
    language: str


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    """The caller: their role, scope and the permissions the role grants."""
    user = request.auth
    granted = sorted({p for perms in ROLE_PERMISSIONS.values() for p in perms} - {"*"})
    role_perms = ROLE_PERMISSIONS.get(user.role, frozenset())
    permissions = granted if (user.is_superuser or "*" in role_perms) else sorted(role_perms)
    return {
        "username": user.username,
        "display_name": str(user),
        "role": user.role,
        "scope_area": user.scope_area,
        "scope_unit": user.scope_unit,
        "sees_everything": sees_everything(user),
        "permissions": permissions,
        "language": user.language,
    }
