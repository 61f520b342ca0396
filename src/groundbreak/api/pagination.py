"""Limit/offset pages with a total count, the same for every list endpoint."""

from typing import Generic, TypeVar

from ninja import Field, Schema

from groundbreak.api.schemas import InputSchema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Far beyond any real list, and small enough for every database's integer OFFSET.
MAX_OFFSET = 1_000_000

T = TypeVar("T")


class PageParams(InputSchema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many rows to return (at most 200).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many rows to skip.")


class Page(Schema, Generic[T]):
    count: int = Field(description="How many rows match, on all pages.")
    limit: int
    offset: int
    results: list[T]


def paginate(queryset, params: PageParams) -> dict:
    """One page of `queryset` and the total: two queries whatever the number of rows."""
    count = queryset.count()
    rows = list(queryset[params.offset : params.offset + params.limit]) if params.offset < count else []
    return {"count": count, "limit": params.limit, "offset": params.offset, "results": rows}
