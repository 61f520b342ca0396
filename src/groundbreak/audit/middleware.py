import uuid

from groundbreak.audit.context import acting_as


class AuditActorMiddleware:
    """Attributes changes made while handling a request (pages, admin, API) to its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:16]
        source = "admin" if request.path.startswith("/admin/") else "web"
        with acting_as(request.user, source=source, request_id=request.request_id):
            return self.get_response(request)
