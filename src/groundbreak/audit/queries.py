"""Reads of the change log, as pages show it."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import get_language

from groundbreak.audit.models import ChangeAction, ObjectChange


def history_of(obj, *, include_children: bool = True):
    """Changes of `obj` and, with `include_children`, of the records whose parent it is, newest first."""
    ct = ContentType.objects.get_for_model(type(obj))
    condition = Q(content_type=ct, object_id=str(obj.pk))
    if include_children:
        condition |= Q(parent_content_type=ct, parent_object_id=str(obj.pk))
    return ObjectChange.objects.filter(condition).select_related("content_type", "actor")


def describe(change: ObjectChange) -> list[dict]:
    """The change as rows of (field label, before, after) in words a user reads.

    A recorded fact (action "record") has no before: its rows are the recorded values.
    """
    if change.action == ChangeAction.RECORD:
        return [{"field": name, "before": "", "after": value} for name, value in change.changes.items()]
    model = change.content_type.model_class() if change.content_type_id else None
    rows = []
    for name, entry in change.changes.items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:  # a field removed since the change was recorded
            field = None
        choices = dict(field.flatchoices) if field is not None and field.choices else {}

        def shown(side, entry=entry, choices=choices):
            label = entry.get(f"{side}_label")
            if isinstance(label, dict):
                label = label.get(get_language()) or next(iter(label.values()), None)
            value = entry.get(side)
            return label if label is not None else choices.get(value, value)

        rows.append(
            {
                "field": field.verbose_name if field is not None else name,
                "before": shown("before"),
                "after": shown("after"),
            }
        )
    return rows


def history_page(request, obj, *, include_children: bool = True, per_page: int = 20) -> dict:
    """The page of `obj`'s history that the request asks for, ready for includes/history.html."""
    from groundbreak.core.pagination import paginate

    page = paginate(request, history_of(obj, include_children=include_children), per_page, param="history")
    rows = []
    for change in page:
        model = change.content_type.model_class() if change.content_type_id else None
        rows.append((change, describe(change), model._meta.verbose_name if model else ""))
    return {"history": rows, "history_page": page}
