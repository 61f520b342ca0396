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

from groundbreak.audit.chain import append, append_many
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
    spec = _tracked[model]
    if "fields" not in spec:
        spec["fields"] = [f for f in model._meta.concrete_fields if f.name not in spec["exclude"]]
        spec["by_name"] = {f.name: f for f in spec["fields"]}
    return spec["fields"]


def _defaults(model) -> dict:
    spec = _tracked[model]
    if "defaults" not in spec:
        spec["defaults"] = {f.name: _plain(f.get_default()) for f in _fields(model)}
    return spec["defaults"]


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


_AS_IS = (str, int, bool, type(None))


def _snapshot(instance) -> dict:
    spec = _tracked[type(instance)]
    if "plain_fields" not in spec:
        # Fields whose value is kept as it is when it is a str, int, bool or None (not decimals).
        spec["plain_fields"] = [
            (f.name, f.attname, isinstance(f, models.DecimalField)) for f in _fields(type(instance))
        ]
    by_name = spec["by_name"]
    snapshot = {}
    for name, attname, decimal_field in spec["plain_fields"]:
        value = getattr(instance, attname)
        snapshot[name] = value if not decimal_field and type(value) in _AS_IS else _value(by_name[name], instance)
    return snapshot


def _labels(field, value, related=None, cache: dict | None = None) -> dict:
    """The related record's name in each language, stored with the change so history reads in
    the reader's language without lookups, and still names a record deleted since. Choice labels
    are not stored: they are translated when shown. `related` is the record when the caller has it
    (no query); otherwise it is fetched once. `cache` keeps labels across the entries of a bulk write."""
    key = (field.related_model, value)
    if cache is not None and key in cache:
        return dict(cache[key])
    from django.conf import settings
    from django.utils import translation

    if related is None or related.pk != value:
        related = field.related_model._default_manager.filter(pk=value).order_by().first()
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(related) if related is not None else f"#{value}"
    if cache is not None:
        cache[key] = dict(labels)
    return labels


def remember_locked(instance) -> None:
    """Say that `instance` was just read with `select_for_update()` in the current transaction:
    it is the row as the database holds it, so its saves in this transaction are compared with
    what it holds now (and, after each save, with what was saved) instead of reading the row again.
    Only for a locked row: an instance read without the lock may be stale."""
    instance._audit_before = _snapshot(instance)
    instance._audit_locked = True


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None
        return
    if getattr(instance, "_audit_locked", False) and getattr(instance, "_audit_before", None) is not None:
        return
    # order_by(): the model's default ordering may join other tables; one row needs none.
    old = sender._default_manager.filter(pk=instance.pk).order_by().first()
    instance._audit_before = _snapshot(old) if old is not None else None


def _write(instance, action, changes):
    append(_entry(instance, action, changes, current_actor()))


def _entry(instance, action, changes, actor, actor_name: str | None = None) -> ObjectChange:
    model = type(instance)
    parent_name = _tracked[model]["parent"]
    parent = instance
    for step in parent_name.split(".") if parent_name else []:
        parent = getattr(parent, step, None) if parent is not None else None
    parent = parent if parent_name else None
    if actor_name is None:
        actor_name = str(actor.user) if actor.user is not None else ""
    return ObjectChange(
        actor=actor.user,
        actor_name=actor_name,
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


def _changes(model, before: dict, after: dict, instance=None, cache: dict | None = None) -> dict:
    _fields(model)
    by_name = _tracked[model]["by_name"]
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            field = by_name[name]
            entry = {"before": old, "after": new}
            if field.is_relation:
                entry["before_label"] = _labels(field, old, cache=cache) if old not in (None, "") else None
                # The saved record usually holds the new related object already: no query for it.
                held = field.get_cached_value(instance, None) if instance is not None else None
                entry["after_label"] = _labels(field, new, held, cache) if new not in (None, "") else None
            changes[name] = entry
    return changes


def _save_entry(model, instance, before: dict | None, actor, *, cache=None, actor_name=None):
    """The entry for saving `instance` (None when nothing changed); `before` is None for a new record."""
    after = _snapshot(instance)
    if before is None:
        defaults = _defaults(model)
        changes = _changes(
            model, {}, {k: v for k, v in after.items() if v not in (None, "") and v != defaults[k]}, instance, cache
        )
        return _entry(instance, ChangeAction.CREATE, changes, actor, actor_name), after
    changes = _changes(model, before, after, instance, cache)
    return (_entry(instance, ChangeAction.UPDATE, changes, actor, actor_name) if changes else None), after


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    entry, after = _save_entry(sender, instance, None if created else before, current_actor())
    if entry is not None:
        append(entry)
    instance._audit_before = after


def snapshot(instance) -> dict:
    """The tracked values of `instance` as the change log compares them: take it before a bulk change."""
    return _snapshot(instance)


def record_saves(saves: list[tuple[models.Model, dict | None]]) -> list[ObjectChange]:
    """Log records saved in bulk (`bulk_create`/`bulk_update` send no signals), in the given order.

    Each item is `(instance, before)`: `before` is `snapshot(instance)` taken before the change, or
    None for a new record. The entries are the ones the signals write when the same records are
    saved one by one (same changes, labels, actor and parent), appended to the chain in one go.
    """
    actor = current_actor()
    actor_name = str(actor.user) if actor.user is not None else ""
    cache: dict = {}
    _preload_labels(saves, cache)
    entries = []
    for instance, before in saves:
        model = type(instance)
        if model not in _tracked:
            raise TypeError(f"{model._meta.label} is not tracked")
        entry, after = _save_entry(model, instance, before, actor, cache=cache, actor_name=actor_name)
        if entry is not None:
            entries.append(entry)
        instance._audit_before = after
    return append_many(entries)


def _record_delete(sender, instance, **kwargs):
    changes = {k: {"before": v, "after": None} for k, v in _snapshot(instance).items() if v not in (None, "")}
    _write(instance, ChangeAction.DELETE, changes)


def _preload_labels(saves, cache: dict, chunk: int = 500) -> None:
    """Labels of the related records an update moves away from, in one query per model and chunk
    (the new ones are held by the saved records)."""
    wanted: dict = {}
    for instance, before in saves:
        if before is None:
            continue
        for field in _fields(type(instance)):
            if field.is_relation:
                old = before.get(field.name)
                if old not in (None, "") and old != _value(field, instance):
                    wanted.setdefault(field.related_model, {}).setdefault(old, field)
    for model, fields in wanted.items():
        values = list(fields)
        for start in range(0, len(values), chunk):
            found = model._default_manager.in_bulk(values[start : start + chunk])
            for value in values[start : start + chunk]:
                _labels(fields[value], value, found.get(value), cache)
