"""Turning a business action's ValidationError into errors on the form the user filled in."""

from django.core.exceptions import ValidationError


def add_action_errors(form, error: ValidationError) -> None:
    """Attach the action's errors to the form's fields (or to the form when no field matches)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for item in error.error_list:
            form.add_error(None, item)


def error_messages(error: ValidationError) -> list[str]:
    """All messages of a ValidationError, flattened, for a page that shows them as a notice."""
    if hasattr(error, "error_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(error.messages)
