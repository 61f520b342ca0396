"""What the coordination pages share. The leader page moved to insight (`insight.views.leader_detail`).

The pages themselves are split by subject: `views_engagements`, `views_issues`, `views_board`.
"""

from django.http import FileResponse, Http404

from groundbreak.coordination.choices import AttachmentKind
from groundbreak.core.form_actions import perform_or_notice as run_action  # noqa: F401 (used by the views)
from groundbreak.org.permissions import permission_flags as permissions  # noqa: F401


def serve_attachment(attachment):
    """A stored photo or document, with the type we found in its content, never the browser's guess."""
    if not attachment.file:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        filename=attachment.name,
        content_type=attachment.content_type,
        # Photos open in the page; documents download rather than render in our origin.
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
    )
