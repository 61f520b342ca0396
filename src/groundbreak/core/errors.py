"""Errors that business actions raise and that pages and the API turn into answers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConflictError(ValidationError):
    """Somebody else saved the record since it was loaded: nothing was overwritten."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Someone else changed this record while you were editing. Reload it and try again."),
            code="conflict",
        )
