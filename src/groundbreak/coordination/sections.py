"""The issues section of the project page."""

from groundbreak.coordination.queries import project_issue_context
from groundbreak.org.permissions import has_perm


def issue_section_context(request, project, page_context) -> dict:
    context = project_issue_context(request.user, project, page_context["today"])
    context["issue_can"] = {
        "create": has_perm(request.user, "issue.create"),
        "instruct": has_perm(request.user, "instruction.give"),
    }
    return context
