"""Scoped reads of projects as the pages (and later the API and exports) need them."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone

from groundbreak.portfolio.choices import STAGE_ORDER, Light, Stage
from groundbreak.portfolio.lights import light_rules, rule_flags
from groundbreak.portfolio.models import KeyListMembership, LightOverride, LightSettings, Project, StageChange


def visible_projects(user, *, today=None, settings=None):
    """Projects the user may see, with their light, ready for a list (no per-row queries)."""
    return (
        Project.objects.for_user(user)
        .with_light(today, settings)
        .select_related("area", "zone", "lead_leader", "responsible_unit", "owner_unit")
    )


def manages_key_list(user, key_list) -> bool:
    """Whether `user` may manage `key_list`: the permission, and the list's area within their scope.
    (A list none of whose projects the user sees exists for them only then: another district's
    list is "not found" for its neighbours.)"""
    from groundbreak.org.permissions import has_perm
    from groundbreak.org.scoping import scope_q
    from groundbreak.portfolio.models import KeyList

    if not has_perm(user, "keylist.change"):
        return False
    return KeyList.objects.filter(scope_q(user, area="area"), pk=key_list.pk).exists()


def light_counts(queryset) -> dict[str, int]:
    """How many projects of `queryset` show each light, in one query."""
    counts = {light: 0 for light in Light.values}
    for row in queryset.order_by().values("light").annotate(n=Count("id")):
        counts[row["light"]] = row["n"]
    return counts


def stage_counts(queryset) -> dict[str, int]:
    """How many projects of `queryset` are at each stage, in one query."""
    counts = {stage: 0 for stage in STAGE_ORDER}
    for row in queryset.order_by().values("stage").annotate(n=Count("id")):
        counts[row["stage"]] = row["n"]
    return counts


def get_visible_project(user, code: str) -> Project:
    """The project with this code if the user may see it; 404 for missing and out-of-scope alike."""
    try:
        return Project.objects.for_user(user).get(code=code)
    except Project.DoesNotExist:
        raise Http404 from None


def project_detail(user, code: str) -> dict:
    """Everything the project page shows, in a fixed number of queries."""
    today = timezone.localdate()
    settings = LightSettings.current()
    try:
        project = (
            Project.objects.for_user(user)
            .with_light(today, settings)
            .annotate(**rule_flags(today, settings))
            .select_related(
                "area",
                "zone",
                "owner_unit",
                "lead_leader__unit",
                "responsible_unit",
                "responsible_person__unit",
                "parent",
            )
            .prefetch_related(
                "figures",
                Prefetch("memberships", queryset=KeyListMembership.objects.select_related("key_list")),
                Prefetch("phases", queryset=Project.objects.for_user(user).with_light(today, settings)),
                Prefetch(
                    "stage_changes", queryset=StageChange.objects.select_related("by__person").order_by("on", "id")
                ),
            )
            .get(code=code)
        )
    except Project.DoesNotExist:
        raise Http404 from None
    override = (
        LightOverride.objects.filter(project=project, withdrawn=False, expires_on__gte=today)
        .order_by("-created_at", "-id")
        .select_related("by__person")
        .first()
    )
    reasons = [
        (rule.label, colour)
        for rule in light_rules()
        for colour in ("red", "yellow")
        if getattr(project, f"rule_{rule.code}_{colour}", False)
    ]
    return {
        "project": project,
        "override": override,
        "light_reasons": reasons,
        "pipeline": stage_pipeline(project),
        "light_settings": settings,
        "today": today,
    }


def stage_pipeline(project: Project) -> list[dict]:
    """The pipeline's stages with the date each was reached (from the history) and where the project is."""
    reached = {}
    for change in project.stage_changes.all():
        if change.kind in (StageChange.Kind.STAGE, StageChange.Kind.CORRECTION):
            reached[change.to_stage] = change.on
            if change.kind == StageChange.Kind.CORRECTION:
                # A correction back un-reaches the stage it left.
                reached.pop(change.from_stage, None)
    current = STAGE_ORDER.index(project.stage)
    return [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "on": reached.get(stage),
            "done": index < current,
            "current": index == current,
        }
        for index, stage in enumerate(STAGE_ORDER)
    ]
