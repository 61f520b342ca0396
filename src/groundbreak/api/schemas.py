"""Shared pieces of the API's schemas: input that refuses NUL characters, the problem shape."""

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import model_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


# A record id in a request body: positive and within a database bigint, so that an absurd number is
# a field error (422) rather than a value SQLite cannot even bind.
RecordId = Annotated[int, Field(gt=0, le=2**63 - 1)]


class InputSchema(Schema):
    """Base of every request schema: text with a NUL character is refused (PostgreSQL cannot store it)."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data):
        # ninja hands the input wrapped in a DjangoGetter; the request's data is its `_obj`.
        if _has_nul(getattr(data, "_obj", data)):
            raise ValueError("Text must not contain NUL characters.")
        return data


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str = Field(description="A URN naming the kind of problem, or about:blank.")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: dict[str, list[str]] | None = Field(None, description="Messages per field, for invalid input.")
