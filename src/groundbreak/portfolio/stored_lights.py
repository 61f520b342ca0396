"""Stored warning lights: each project keeps the light the rules gave it and the day they gave it.

The rules (`portfolio.lights`) stay the one definition of a light, but evaluating them is a dozen
index probes per project: fine for a page of 50, far too slow to count or rank 50,000 projects.
So every project stores its light (`stored_light`) and the date it was computed for (`light_on`):

- a write that changes an input of the rules (a node, an issue, a report, a stage change, an
  override, the project itself) recomputes the light of its project and of that project's parent
  in the same transaction, through the save and delete signals of the models that apps register
  here as inputs; bulk writes, which send no signals, call `refresh_lights` themselves;
- a change of something every light depends on (the thresholds, a reporting round) marks every
  stored light stale in the same transaction and queues a recomputation of all of them;
- the date moves lights, so the worker's scheduler recomputes every light whose date is not today
  once a day (`refresh_stale_lights`), soon after midnight.

Reads (`ProjectQuerySet.with_light`) take the stored light where it was computed for the day
asked about and evaluate the rules otherwise, so a missed recomputation costs speed, never a
wrong light.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

logger = logging.getLogger(__name__)

# How many projects one recomputing UPDATE covers: bounds the statement's size and lock time.
CHUNK = 2000


@dataclass(frozen=True)
class _Input:
    projects: Callable  # instance -> ids of the projects whose light it feeds
    fields: tuple[str, ...]  # the fields the rules read; a save that changes none of them is no news
    project_fields: tuple[str, ...]  # foreign keys to a project, whose former value counts too


_inputs: dict[type, _Input] = {}

# Stored figure field -> function(today) giving its expression over Project (see register_stored_figure).
_figures: dict[str, Callable] = {}


def register_stored_figure(field: str, expression: Callable[[datetime.date], object]) -> None:
    """Store `expression(today)` in Project.`field` whenever the light is stored (same inputs, same
    day): for figures of the light's inputs that pages aggregate over many projects."""
    _figures[field] = expression


def stored_values(today: datetime.date, settings=None) -> dict:
    """The UPDATE that stores a project's light and figures for `today`."""
    from groundbreak.portfolio.lights import light_expression

    return {
        "stored_light": light_expression(today, settings),
        **{field: expression(today) for field, expression in _figures.items()},
        "light_on": today,
    }


def register_light_input(
    model: type,
    projects: Callable[[object], Iterable[int | None]],
    *,
    fields: Iterable[str] = (),
    project_fields: Iterable[str] = (),
) -> None:
    """Recompute the lights of `projects(instance)` (and of their parents) in the same transaction
    whenever an instance of `model` is created or deleted, or saved with a change to one of
    `fields` (every save when no fields are named). `project_fields` name foreign keys to a
    project: moving the instance to another project recomputes the one it leaves too.
    Call it from an AppConfig.ready() beside the rule the model feeds."""
    fields = tuple(dict.fromkeys([*fields, *project_fields]))
    _inputs[model] = _Input(projects, fields, tuple(project_fields))
    uid = f"stored-light-{model._meta.label}"
    if fields:
        pre_save.connect(_remember_inputs, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_input_saved, sender=model, dispatch_uid=uid + "-save")
    post_delete.connect(_input_deleted, sender=model, dispatch_uid=uid + "-delete")


def register_global_light_input(model: type) -> None:
    """A model every light depends on (the thresholds): saving or deleting one marks every stored
    light stale and queues their recomputation."""
    uid = f"stored-light-all-{model._meta.label}"
    post_save.connect(_global_input_saved, sender=model, dispatch_uid=uid + "-save")
    post_delete.connect(_global_input_saved, sender=model, dispatch_uid=uid + "-delete")


def _attnames(model, names):
    return [model._meta.get_field(name).attname for name in names]


def _remember_inputs(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._light_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    spec = _inputs[sender]
    instance._light_before = (
        sender._default_manager.filter(pk=instance.pk).values(*_attnames(sender, spec.fields)).first()
    )


def _input_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:  # loading fixtures or a backup: the loader recomputes afterwards
        return
    spec = _inputs[sender]
    ids = set(spec.projects(instance))
    before = getattr(instance, "_light_before", None)
    if spec.fields and not created and before is not None:
        if all(before[name] == getattr(instance, name) for name in _attnames(sender, spec.fields)):
            return
        ids.update(before[name] for name in _attnames(sender, spec.project_fields))
    ids.discard(None)
    if ids:
        refresh_lights(ids)


def _input_deleted(sender, instance, **kwargs):
    ids = {pk for pk in _inputs[sender].projects(instance) if pk is not None}
    if ids:
        refresh_lights(ids)


def _global_input_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    mark_all_stale()


def refresh_lights(project_ids: Iterable[int], today: datetime.date | None = None) -> int:
    """Recompute and store the lights of these projects and of their parents (a parent shows its
    phases), in the current transaction; how many rows were written. Bulk writes, which send no
    signals, call it with the projects they touched."""
    from groundbreak.portfolio.models import LightSettings, Project

    ids = sorted({pk for pk in project_ids if pk is not None})
    if not ids:
        return 0
    today = today or timezone.localdate()
    settings = LightSettings.current()
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        parents = Project.objects.filter(pk__in=chunk, parent__isnull=False).values("parent_id")
        written += Project.objects.filter(Q(pk__in=chunk) | Q(pk__in=parents)).update(**stored_values(today, settings))
    return written


def refresh_stale_lights(today: datetime.date | None = None) -> int:
    """Recompute every light not computed for `today` (the worker's daily step; a no-op, one cheap
    query, once done); how many projects were recomputed."""
    from groundbreak.portfolio.models import Project

    today = today or timezone.localdate()
    stale = Project.objects.filter(Q(light_on__isnull=True) | Q(light_on__lt=today) | Q(light_on__gt=today)).order_by(
        "pk"
    )
    written = 0
    # One chunk per transaction: pages keep reading (stale rows fall back to the rules) and a
    # long recomputation never holds many project rows locked at once.
    while True:
        ids = list(stale.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return written
        with transaction.atomic():
            written += _refresh_exactly(ids, today)


def _refresh_exactly(ids, today):
    from groundbreak.portfolio.models import LightSettings, Project

    return Project.objects.filter(pk__in=ids).update(**stored_values(today, LightSettings.current()))


def mark_all_stale() -> None:
    """Forget every stored light (pages evaluate the rules until recomputed) and queue the
    recomputation after commit."""
    from groundbreak.portfolio.models import Project

    Project.objects.exclude(light_on__isnull=True).update(light_on=None)
    transaction.on_commit(_queue_refresh)


def _queue_refresh():
    from groundbreak.portfolio.tasks import refresh_lights_task

    try:
        refresh_lights_task.enqueue()
    except Exception:  # noqa: BLE001 — without a task backend the daily step still catches up
        logger.exception("Could not queue the recomputation of the stored lights")
