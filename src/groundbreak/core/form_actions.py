"""Running one business action from a posted form, the same way on every page.

Out of scope (ObjectDoesNotExist) is a 404; the action's ValidationError goes onto the form;
PermissionDenied passes through as a 403.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from groundbreak.core.form_errors import add_action_errors
from groundbreak.core.htmx import redirect_to


def perform(request, form, action, success: str) -> bool:
    """Run `action(cleaned_data)` if the form is valid. True when it succeeded (the success
    message is queued); False with the errors on the form."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        add_action_errors(form, error)
        return False
    messages.success(request, success)
    return True


def perform_or_notice(request, form, action, success: str, back: str):
    """The same for a small form on another page: go back there; errors come back as notices."""
    if not perform(request, form, action, success):
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect_to(request, back)
