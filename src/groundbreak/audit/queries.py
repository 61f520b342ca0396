"""Reads of the change log, as pages show it."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from groundbreak.audit.models import ObjectChange


def history_of(obj, *, include_children: bool = True):
    """Changes of `obj` and, with `include_children`, of the records whose parent it is, newest first."""
    ct = ContentType.objects.get_for_model(type(obj))
    condition = Q(content_type=ct, object_id=str(obj.pk))
    if include_children:
        condition |= Q(parent_content_type=ct, parent_object_id=str(obj.pk))
    return ObjectChange.objects.filter(condition).select_related("content_type", "actor")


def describe(change: ObjectChange) -> list[dict]:
    """The change as rows of (field label, before, after) in words a user reads."""
    model = change.content_type.model_class()
    rows = []
    for name, entry in change.changes.items():
        try:
            label = model._meta.get_field(name).verbose_name if model else name
        except Exception:  # a field removed since the change was recorded
            label = name
        before = entry.get("before_label") if entry.get("before_label") is not None else entry.get("before")
        after = entry.get("after_label") if entry.get("after_label") is not None else entry.get("after")
        rows.append({"field": label, "before": before, "after": after})
    return rows
