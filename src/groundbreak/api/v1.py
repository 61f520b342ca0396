"""The REST API under /api/v1/: one NinjaAPI instance, each domain app adding its router.

Every operation authenticates (token or session), is rate limited, runs as its caller in the change
log (source "api") and answers errors as problem details. The OpenAPI schema is post-processed so
it tells the truth about those errors: their media type and the statuses each operation can give.
"""

import functools

from ninja import NinjaAPI, Swagger

from groundbreak.api.auth import SessionAuth, TokenAuth
from groundbreak.api.errors import PROBLEM_CONTENT_TYPE, install_handlers
from groundbreak.api.schemas import ProblemOut
from groundbreak.api.throttling import CallerRateThrottle
from groundbreak.audit.context import acting_as

DESCRIPTION = """
The REST API of Groundbreak (重点项目推进平台). Authenticate with a personal token
(`Authorization: Bearer gbt_…`, created on the "API tokens" page) or, in this page, with your login
session. You see and change exactly what your role and scope allow on the pages.

Errors are RFC 9457 problem details. Writes on projects and milestones accept `If-Match` with the
ETag you read; creating POSTs accept an `Idempotency-Key`. See docs/api.md.
"""


class GroundbreakAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids ("list_projects") make generated clients readable; names are unique.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _describe_problems(schema)
        return schema


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


_COMMON = {
    400: "A malformed request: a NUL character in the URL, a body that is not JSON or a broken multipart body.",
    401: "Not authenticated, or the token is invalid, expired or revoked.",
    403: "The role (or a read-only token) does not allow this.",
    422: "Invalid input; `errors` lists the messages per field.",
    429: "Rate limit exceeded; see Retry-After.",
}
_WRITE = {413: "The request body is too large."}


def _describe_problems(schema) -> None:
    """Errors are problem documents: give every operation the statuses it can answer with, as such."""
    schema["components"]["schemas"]["Problem"] = ProblemOut.model_json_schema()
    for path, methods in schema["paths"].items():
        for method, details in methods.items():
            responses = details.setdefault("responses", {})
            wanted = dict(_COMMON)
            if "{" in path:
                wanted[404] = "No such record, or it is outside your scope."
            if method in ("post", "patch", "put"):
                wanted.update(_WRITE)
            for status, description in wanted.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = _problem(description)
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = _problem(response.get("description", ""))["content"]


def _act_as_caller(view):
    """Attribute every change the operation makes to its caller, from the API."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with acting_as(request.auth, source="api", request_id=getattr(request, "request_id", None)):
            return view(request, *args, **kwargs)

    return wrapper


api = GroundbreakAPI(
    title="Groundbreak API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[CallerRateThrottle()],
    # Swagger UI from ninja's bundled static files; no validator badge, which would call the internet.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_handlers(api)
api.add_decorator(_act_as_caller)

api.add_router("", "groundbreak.org.api.router")
api.add_router("", "groundbreak.portfolio.api.router")
# Writes on key-list memberships, publication and light overrides.
api.add_router("", "groundbreak.api.portfolio_writes.router")
api.add_router("", "groundbreak.api.issues.router")
api.add_router("", "groundbreak.api.engagements.router")
api.add_router("", "groundbreak.api.reports.router")
api.add_router("", "groundbreak.schedule.api.router")
