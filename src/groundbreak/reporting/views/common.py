"""What the reporting pages share: running one business action from a posted form."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from groundbreak.core.form_actions import perform, perform_or_notice  # noqa: F401 (used by the views)
from groundbreak.core.form_errors import error_messages


def notice_errors(request, error: ValidationError) -> None:
    for message in error_messages(error):
        messages.error(request, message)
