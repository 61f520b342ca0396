"""The roll-up page: an area's month with its districts' (or cities') figures."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from groundbreak.reporting.rollup import default_month, rollup, rollup_areas

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@login_required
def rollup_view(request):
    areas = rollup_areas(request.user)
    area_id = request.GET.get("area") or request.user.scope_area_id
    if not str(area_id or "").isdigit():
        # A login scoped to a unit has no area to roll up: the page says where to look instead.
        return render(request, "reporting/rollup.html", {"area": None})
    area = get_object_or_404(areas, pk=area_id)
    match = PERIOD.match(request.GET.get("period", ""))
    year, month = (int(match[1]), int(match[2])) if match else default_month(area, timezone.localdate())
    context = rollup(request.user, area, year, month)
    context.update(
        {
            "areas": areas.filter(depth__lte=area.depth + 1).order_by("path")[:200],
            "period": f"{year:04d}-{month:02d}",
            "ancestors": area.ancestors().filter(pk__in=areas.values("pk")),
        }
    )
    return render(request, "reporting/rollup.html", context)
