"""Correlated subqueries that several domains annotate with."""

from django.db.models import F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(queryset) -> Coalesce:
    """How many rows of `queryset` (which refers to the outer row through OuterRef), 0 for none.

    Unlike `Count` over a join it adds no GROUP BY to the outer query, so `count()` of the outer
    query stays a plain count, and PostgreSQL works it out only for the rows a page shows.
    """
    return Coalesce(
        Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))),
        Value(0),
    )
