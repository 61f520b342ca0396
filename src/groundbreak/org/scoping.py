"""The one scoping rule: a user sees records in their area subtree, their unit's, and the ones
they lead. Domain apps call `scope_q` with the paths to their own fields, so pages, API, exports
and briefings share it."""

from functools import reduce
from operator import or_

from django.db.models import Q

from groundbreak.org.permissions import sees_everything

NOTHING = Q(pk__in=[])


def scope_q(user, *, area: str | tuple[str, ...] = (), units: tuple[str, ...] = (), leader: str | None = None) -> Q:
    """A filter selecting what `user` may see.

    `area` is the lookup path (or paths: a project's district and its zone) to an Area, `units`
    the paths to Units, `leader` the path to a Person.
    """
    parts = scope_parts(user, area=area, units=units, leader=leader)
    return Q() if parts is None else reduce(or_, parts, NOTHING)


def scope_parts(
    user, *, area: str | tuple[str, ...] = (), units: tuple[str, ...] = (), leader: str | None = None
) -> list[Q] | None:
    """The conditions whose union is `scope_q`: one per way of seeing a record (None: everything,
    an empty list: nothing).

    A semi-join on each part lets the database use each path's index, where the OR of the parts
    makes it check every row (a district's choice lists: 35 ms → 3 ms each at province scale).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if sees_everything(user):
        return None
    parts = []
    if user.scope_area_id:
        for path in (area,) if isinstance(area, str) else area:
            parts.append(Q(**{f"{path}__path__startswith": user.scope_area.path}))
    if user.scope_unit_id:
        for path in units:
            parts.append(Q(**{path: user.scope_unit_id}))
    if leader:
        parts.append(Q(**{f"{leader}__user": user}))
    return parts
