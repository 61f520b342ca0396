"""The one scoping rule: a user sees records in their area subtree, their unit's, and the ones
they lead. Domain apps call `scope_q` with the paths to their own fields, so pages, API, exports
and briefings share it."""

from django.db.models import Q

from groundbreak.org.permissions import sees_everything

NOTHING = Q(pk__in=[])


def scope_q(user, *, area: str | tuple[str, ...] = (), units: tuple[str, ...] = (), leader: str | None = None) -> Q:
    """A filter selecting what `user` may see.

    `area` is the lookup path (or paths: a project's district and its zone) to an Area, `units`
    the paths to Units, `leader` the path to a Person.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if sees_everything(user):
        return Q()
    condition = NOTHING
    if user.scope_area_id:
        for path in (area,) if isinstance(area, str) else area:
            condition |= Q(**{f"{path}__path__startswith": user.scope_area.path})
    if user.scope_unit_id:
        for path in units:
            condition |= Q(**{path: user.scope_unit_id})
    if leader:
        condition |= Q(**{f"{leader}__user": user})
    return condition
