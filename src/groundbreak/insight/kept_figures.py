"""The dashboard's figures, kept for everyone who sees the same projects.

Computing a province's dashboard aggregates every project, node, issue and report of the province
(about 1.6 s at 50,000 projects); most of the morning's visits ask for the same answer. The
figures are kept per scope (the user's role and the area, unit and person their visibility
comes from, never the user alone), filters, day and language, and served again while either

- nothing has been written since (the change log's head is where it was: every tracked write of
  a project, node, issue, report or setting moves it), or
- they are younger than `GROUNDBREAK_DASHBOARD_MAX_AGE` seconds (300 by default): on a busy
  day the province's figures are at most that old, and the page says as of when, with a link
  that recomputes them.

The cache is Django's `figures` cache (files under the data directory by default, so every web
process and the worker share it); the worker warms the coordinators' dashboards after the
day's lights are stored.
"""

import datetime
import hashlib
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone, translation

from groundbreak.audit.chain import head_seq
from groundbreak.org.permissions import sees_everything
from groundbreak.org.scoping import scope_ids

logger = logging.getLogger(__name__)

CACHE = "figures"


def max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "GROUNDBREAK_DASHBOARD_MAX_AGE", 300))


def scope_signature(user) -> str:
    """What the user's visibility depends on: two users with the same signature see the same
    projects and issues (org.scoping), so they may share figures."""
    if sees_everything(user):
        return f"{user.role}:all"
    # A user linked to a leader also sees the projects that person leads.
    people = ",".join(map(str, sorted(scope_ids(user)[1])))
    return f"{user.role}:a{user.scope_area_id or ''}.u{user.scope_unit_id or ''}.p{people}"


def _key(signature: str, filters: dict, today: datetime.date) -> str:
    wanted = json.dumps(filters, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{signature}|{wanted}".encode()).hexdigest()[:32]
    return f"dashboard:{today.isoformat()}:{translation.get_language()}:{digest}"


class Kept:
    """Figures and as of when: `exact` when nothing was written since they were computed."""

    def __init__(self, figures: dict, computed_at: datetime.datetime, exact: bool, recomputed: bool):
        self.figures = figures
        self.computed_at = computed_at
        self.exact = exact
        self.recomputed = recomputed


def dashboard_figures(
    user, filters: dict, today: datetime.date, compute: Callable[[], dict], *, refresh: bool = False
) -> Kept:
    """The figures `compute()` gives for `user` with `filters` on `today`: kept ones while still
    valid (see the module's docstring), else computed now and kept. `refresh` always recomputes."""
    cache = caches[CACHE]
    key = _key(scope_signature(user), filters, today)
    version = head_seq()
    now = timezone.now()
    entry = None if refresh else cache.get(key)
    if entry is not None:
        exact = entry["version"] == version
        if exact or now - entry["computed_at"] < max_age():
            return Kept(entry["figures"], entry["computed_at"], exact, recomputed=False)
    figures = compute()
    # Kept until the end of the day at most: the key holds the date, the date moves the lights.
    cache.set(key, {"figures": figures, "computed_at": now, "version": version}, 86400)
    return Kept(figures, now, exact=True, recomputed=True)


def warm_dashboards(today: datetime.date) -> int:
    """Compute the unfiltered dashboard of every coordinator's scope for `today`, in the site's
    language, so the first visit of the morning finds them (one user per scope: they share).
    Returns how many scopes were computed."""
    from groundbreak.insight.queries import dashboard
    from groundbreak.org.choices import Role
    from groundbreak.org.models import User
    from groundbreak.portfolio.models import LightSettings
    from groundbreak.portfolio.queries import visible_projects

    light_settings = LightSettings.current()

    def compute_for(user):
        projects = visible_projects(user, today=today, settings=light_settings)
        return dashboard(user, projects, {}, today, light_settings)

    done = set()
    coordinators = User.objects.filter(is_active=True, role=Role.COORDINATOR).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        for user in coordinators.select_related("scope_area"):
            signature = scope_signature(user)
            if signature in done:
                continue
            done.add(signature)
            dashboard_figures(user, {}, today, lambda user=user: compute_for(user), refresh=True)
    logger.info("Dashboards of %d scopes computed for %s", len(done), today)
    return len(done)


def daily_warm_dashboards(today: datetime.date) -> int:
    """`warm_dashboards` as a daily check, whose result counts the notifications it raised: none."""
    warm_dashboards(today)
    return 0
