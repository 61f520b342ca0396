"""The "API tokens" pages: a user lists, creates and revokes their own personal tokens."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from groundbreak.api.forms import TokenForm
from groundbreak.api.models import ApiToken
from groundbreak.api.tokens import create_token, revoke_token
from groundbreak.core.form_errors import add_action_errors


@never_cache
@login_required
def token_list(request):
    """The user's tokens, and the form to create one; a new token's secret is shown on this answer only."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires_at = timezone.now() + datetime.timedelta(days=form.cleaned_data["expires_in"])
        try:
            token, secret = create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()},
    )


@never_cache
@login_required
def token_revoke(request, pk):
    """Ask to confirm, then revoke one of the user's own tokens (another user's is "not found")."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "POST":
        revoke_token(token=token, by=request.user)
        messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
        return redirect("api-tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
