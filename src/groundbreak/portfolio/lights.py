"""Warning lights of projects, computed in the database from registered rules.

Portfolio knows only its own rule (a paused project left without news). Higher apps register
theirs at start-up (schedule: overdue and due-soon milestones; later coordination: overdue
issues; reporting: investment behind plan). Each rule gives boolean expressions over Project for
red and/or yellow; the light is the first of: an active coordinator override, red if any rule
says red, yellow if any says yellow, else green.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.functional import Promise

from groundbreak.portfolio.choices import Light

# A rule part takes (today, settings) and returns a boolean expression (Q, Exists …) over Project.
RulePart = Callable[[datetime.date, object], object]


@dataclass(frozen=True)
class LightRule:
    code: str
    label: str | Promise
    red: RulePart | None = None
    yellow: RulePart | None = None


_rules: dict[str, LightRule] = {}


def register_light_rule(code: str, label, *, red: RulePart | None = None, yellow: RulePart | None = None) -> None:
    """Add (or replace, by code) a rule that turns projects red and/or yellow."""
    _rules[code] = LightRule(code=code, label=label, red=red, yellow=yellow)


def light_rules() -> list[LightRule]:
    return list(_rules.values())


def _any(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return Q(pk__in=[])
    condition = Q(parts[0]) if not isinstance(parts[0], Q) else parts[0]
    for part in parts[1:]:
        condition |= part if isinstance(part, Q) else Q(part)
    return condition


def project_and_phases(outer: str = "pk", *, active_phases_only: bool = False):
    """The ids of the project `outer` points at (from the query one level above the one this is
    used in) and of its phases, for `filter(project__in=…)`: a parent shows its phases.

    Written as `project_id IN (SELECT id FROM project WHERE id = outer OR parent_id = outer)`
    rather than as `Q(project=…) | Q(project__parent=…)`: the latter is an OR across a join that
    no index can serve (a scan of the whole child table per project evaluated), the former two
    index probes (the primary key and `parent_id`, then the child's `project_id`)."""
    from groundbreak.portfolio.choices import Status
    from groundbreak.portfolio.models import Project

    phases = Q(parent=OuterRef(OuterRef(outer)))
    if active_phases_only:
        phases &= Q(status=Status.ACTIVE)
    return Project.objects.filter(Q(pk=OuterRef(OuterRef(outer))) | phases).values("pk")


def active_override(today: datetime.date):
    from groundbreak.portfolio.models import LightOverride

    return LightOverride.objects.filter(project=OuterRef("pk"), withdrawn=False, expires_on__gte=today).order_by(
        "-created_at", "-id"
    )


def rule_light(today: datetime.date | None = None, settings=None):
    """The light the rules give, ignoring overrides."""
    from groundbreak.portfolio.models import LightSettings

    today = today or timezone.localdate()
    settings = settings or LightSettings.current()
    reds = [rule.red(today, settings) for rule in _rules.values() if rule.red]
    yellows = [rule.yellow(today, settings) for rule in _rules.values() if rule.yellow]
    return Case(
        When(_any(reds), then=Value(Light.RED)),
        When(_any(yellows), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


def light_expression(today: datetime.date | None = None, settings=None):
    """The project's light: an active override wins, else the rules."""
    today = today or timezone.localdate()
    overridden = active_override(today)
    return Case(
        When(Exists(overridden), then=Subquery(overridden.values("light")[:1])),
        default=rule_light(today, settings),
        output_field=CharField(),
    )


def rule_flags(today: datetime.date | None = None, settings=None) -> dict:
    """One boolean annotation per rule and colour, to explain a single project's light."""
    from django.db.models import BooleanField, ExpressionWrapper

    from groundbreak.portfolio.models import LightSettings

    today = today or timezone.localdate()
    settings = settings or LightSettings.current()
    flags = {}
    for rule in _rules.values():
        for colour in ("red", "yellow"):
            part = getattr(rule, colour)
            if part is not None:
                expr = part(today, settings)
                flags[f"rule_{rule.code}_{colour}"] = ExpressionWrapper(
                    expr if isinstance(expr, Q) else Q(expr), output_field=BooleanField()
                )
    return flags


def _paused_without_news(today, settings):
    from django.db.models import Max

    from groundbreak.portfolio.models import StageChange

    last_news = (
        StageChange.objects.filter(
            project=OuterRef("pk"), kind__in=[StageChange.Kind.PAUSE, StageChange.Kind.PAUSE_UPDATE]
        )
        .values("project")
        .annotate(last=Max("on"))
        .values("last")
    )
    stale_before = today - datetime.timedelta(days=settings.pause_update_days)
    from groundbreak.portfolio.choices import Status

    return Q(status=Status.PAUSED) & (Q(Exists(last_news.filter(last__lt=stale_before))) | ~Q(Exists(last_news)))


def register_portfolio_rules() -> None:
    from django.utils.translation import gettext_lazy as _

    register_light_rule("paused_stale", _("paused without an update"), yellow=_paused_without_news)


def register_portfolio_light_inputs() -> None:
    """What portfolio's own records feed into the stored lights (see stored_lights.py)."""
    from groundbreak.portfolio import models
    from groundbreak.portfolio.stored_lights import register_global_light_input, register_light_input

    register_light_input(
        models.Project,
        lambda project: (project.pk,),
        fields=("status", "stage", "planned_start"),
        project_fields=("parent",),
    )
    register_light_input(models.StageChange, lambda change: (change.project_id,))
    register_light_input(models.LightOverride, lambda override: (override.project_id,))
    register_global_light_input(models.LightSettings)
