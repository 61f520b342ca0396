"""Reads of org beyond a plain filter.

`responsible_unit_choices` is the one rule for the units a form offers as responsible for work
(a time node's responsible unit, an issue's lead and co-units, an instruction's addressee, the
units present at an engagement): the government side — departments, district governments, zone
committees and headquarters — of the areas concerned and the areas above them, plus the units
named by the caller (a project's owner and responsible unit) and the value already chosen. The
thousands of enterprises are never offered wholesale: an enterprise appears only as a project's
own unit. The form field's queryset is also its validation, so a posted unit outside these
choices is refused with the field's message.
"""

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet

from groundbreak.org.choices import UnitKind
from groundbreak.org.models import Area, Unit

NOTHING = Q(pk__in=[])


def area_chain_q(areas: Iterable, prefix: str = "area") -> Q:
    """Records in these areas, the areas above them, and the areas below them.

    An area may be given as an Area, as its id, or as a queryset of area ids
    (`projects.values("area")`); ids and querysets are resolved inside the query (no query of
    their own), so a caller holding only `project.area_id` need not load the area."""
    condition = NOTHING
    targets = []
    for area in areas:
        if area is None:
            continue
        if isinstance(area, Area):
            above = [int(part) for part in area.path.strip("/").split("/") if part]
            condition |= Q(**{f"{prefix}__in": above}) | Q(**{f"{prefix}__path__startswith": area.path})
        else:
            targets.append(Q(pk__in=area) if isinstance(area, QuerySet) else Q(pk=area))
    if targets:
        given = Area.objects.filter(reduce(operator.or_, targets))
        # An ancestor (or the area itself): a given area's path starts with its path.
        above = Area.objects.filter(Exists(given.filter(path__startswith=OuterRef("path"))))
        # A descendant: its path starts with a given area's path.
        outer = ExpressionWrapper(OuterRef("path"), output_field=CharField())
        below = Area.objects.filter(Exists(given.annotate(outer=outer).filter(outer__startswith=F("path"))))
        condition |= Q(**{f"{prefix}__in": above.values("pk")}) | Q(**{f"{prefix}__in": below.values("pk")})
    return condition


def responsible_unit_choices(*, areas: Iterable | None = None, also: Iterable = (), keep: Iterable = ()):
    """The units a form offers as responsible for work, ordered by area and name.

    `areas`: the government units of these areas (as for `area_chain_q`), above and below them; None for
    every government unit (a user who sees the whole territory). `also`: units offered whatever
    their kind — a project's owner and responsible unit, the user's own unit — as units, ids, or
    a queryset of unit ids (`projects.values("owner_unit")`, resolved inside the query). `keep`:
    the values already chosen, so editing never drops them.
    """
    condition = ~Q(kind=UnitKind.ENTERPRISE)
    if areas is not None:
        condition &= area_chain_q(areas)
    named = set()
    for unit in (*also, *keep):
        if isinstance(unit, QuerySet):
            condition |= Q(pk__in=unit)
        elif unit is not None:
            named.add(_pk(unit))
    if named:
        condition |= Q(pk__in=sorted(named))
    return Unit.objects.filter(condition).order_by("area__path", "name", "pk")


def unit_choices_for_user(user, *, also: Iterable = (), keep: Iterable = ()):
    """The same rule where no project is known yet: the government units of the user's scope area
    chain (every government unit for one who sees everything or has no area), plus the user's own
    unit."""
    from groundbreak.org.permissions import sees_everything

    areas = None
    if user is not None and user.is_authenticated and not sees_everything(user) and user.scope_area_id:
        areas = [user.scope_area_id]
    own = [user.scope_unit_id] if user is not None and getattr(user, "scope_unit_id", None) else []
    return responsible_unit_choices(areas=areas, also=[*own, *also], keep=keep)


def _pk(unit) -> int:
    return unit.pk if isinstance(unit, Unit) else int(unit)
