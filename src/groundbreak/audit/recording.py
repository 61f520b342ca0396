"""Field-by-field change log of every tracked model, whatever code path saved it.

Models opt in with `track(Model, parent="project")`. Signals fire for pages, admin, commands,
imports and the worker alike, and the entry is written in the same transaction as the change, as
the next link of the hash chain (see `chain`). Queryset `update()`/`bulk_create()` bypass
signals, so business actions never use them on tracked models.
"""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from groundbreak.audit.chain import append
from groundbreak.audit.context import current_actor
from groundbreak.audit.models import ChangeAction, ObjectChange

_tracked: dict[type[models.Model], dict] = {}
_SKIPPED = {"created_at", "updated_at", "id"}


def track(model: type[models.Model], *, parent: str | None = None, exclude: tuple[str, ...] = ()) -> None:
    """Record every create, update and delete of `model`; `parent` is the dotted path to the record
    whose page shows these changes too ("project", "milestone.project")."""
    _tracked[model] = {"parent": parent, "exclude": set(exclude) | _SKIPPED}
    uid = f"audit-{model._meta.label}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_record_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_record_delete, sender=model, dispatch_uid=uid + "-del")


def is_tracked(model: type[models.Model]) -> bool:
    return model in _tracked


def _fields(model):
    exclude = _tracked[model]["exclude"]
    return [f for f in model._meta.concrete_fields if f.name not in exclude]


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def _value(field, instance):
    value = field.value_from_object(instance)
    if isinstance(field, models.DecimalField) and value is not None:
        # 1000 and 1000.00 are the same amount: compare at the column's precision.
        value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return _plain(value)


def _snapshot(instance) -> dict:
    return {f.name: _value(f, instance) for f in _fields(type(instance))}


def _labels(field, value, related=None) -> dict:
    """The related record's name in each language, stored with the change so history reads in
    the reader's language without lookups, and still names a record deleted since. Choice labels
    are not stored: they are translated when shown. `related` is the record when the caller has it
    (no query); otherwise it is fetched once."""
    from django.conf import settings
    from django.utils import translation

    if related is None or related.pk != value:
        related = field.related_model._default_manager.filter(pk=value).first()
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(related) if related is not None else f"#{value}"
    return labels


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old is not None else None


def _write(instance, action, changes):
    actor = current_actor()
    model = type(instance)
    parent_name = _tracked[model]["parent"]
    parent = instance
    for step in parent_name.split(".") if parent_name else []:
        parent = getattr(parent, step, None) if parent is not None else None
    parent = parent if parent_name else None
    append(
        ObjectChange(
            actor=actor.user,
            actor_name=str(actor.user) if actor.user is not None else "",
            source=actor.source,
            request_id=actor.request_id,
            action=action,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(instance.pk),
            object_repr=str(instance)[:300],
            parent_content_type=ContentType.objects.get_for_model(type(parent)) if parent is not None else None,
            parent_object_id=str(parent.pk) if parent is not None else "",
            changes=changes,
        )
    )


def _changes(model, before: dict, after: dict, instance=None) -> dict:
    by_name = {f.name: f for f in _fields(model)}
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            field = by_name[name]
            entry = {"before": old, "after": new}
            if field.is_relation:
                entry["before_label"] = _labels(field, old) if old not in (None, "") else None
                # The saved record usually holds the new related object already: no query for it.
                held = field.get_cached_value(instance, None) if instance is not None else None
                entry["after_label"] = _labels(field, new, held) if new not in (None, "") else None
            changes[name] = entry
    return changes


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        defaults = {f.name: _plain(f.get_default()) for f in _fields(sender)}
        changes = _changes(
            sender, {}, {k: v for k, v in after.items() if v not in (None, "") and v != defaults[k]}, instance
        )
        _write(instance, ChangeAction.CREATE, changes)
    else:
        changes = _changes(sender, before, after, instance)
        if changes:
            _write(instance, ChangeAction.UPDATE, changes)
    instance._audit_before = after


def _record_delete(sender, instance, **kwargs):
    changes = {k: {"before": v, "after": None} for k, v in _snapshot(instance).items() if v not in (None, "")}
    _write(instance, ChangeAction.DELETE, changes)
