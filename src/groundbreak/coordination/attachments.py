"""Photos and documents of engagements and responses: checked by content, stored through Django's
storage API under random names, served only by the scoped views."""

import os

from django.conf import settings
from django.db import transaction

from groundbreak.coordination.choices import AttachmentKind
from groundbreak.coordination.models import Attachment
from groundbreak.core.uploads import DOCUMENTS_AND_PHOTOS, clean_upload


def check_upload(upload):
    """The upload cleaned by content and size (ValidationError otherwise); safe to call twice."""
    return clean_upload(upload, allowed=DOCUMENTS_AND_PHOTOS, max_bytes=settings.EVIDENCE_MAX_BYTES)


def store_attachment(upload, *, by, engagement=None, response=None) -> Attachment:
    """Check and store one upload for an engagement or a response (inside the caller's transaction)."""
    # A form may have cleaned the upload already; it keeps the name the user gave the file.
    given = getattr(upload, "original_name", None) or getattr(upload, "name", "") or ""
    original = os.path.basename(given.replace("\\", "/"))[:200]
    cleaned = check_upload(upload)
    attachment = Attachment(
        engagement=engagement,
        response=response,
        name=original or cleaned.name,
        kind=AttachmentKind.PHOTO if cleaned.kind.is_image else AttachmentKind.DOCUMENT,
        content_type=cleaned.kind.mime,
        size=cleaned.size,
        uploaded_by=by,
    )
    # Written before the row: should the transaction roll back, the file stays behind under its
    # random name, never linked and so never served.
    attachment.file.save(cleaned.name, cleaned, save=False)
    attachment.save()
    return attachment


def delete_file_on_commit(attachment: Attachment) -> None:
    """Remove the stored file once the row's deletion is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    transaction.on_commit(lambda: storage.delete(name) if name else None)
