"""Pages of sign-in security: the account's security page, setting up and entering the second
factor, changing the password, and the lock-out page that axes shows."""

import django_otp
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from groundbreak.org.security.choices import AuthEventKind
from groundbreak.org.security.events import record_auth_event
from groundbreak.org.security.forms import TokenForm
from groundbreak.org.security.models import AuthEvent
from groundbreak.org.security.sessions import end_other_sessions
from groundbreak.org.security.totp import (
    Need,
    confirmed_devices,
    grouped_secret,
    qr_svg,
    remember_need,
    second_factor_need,
    totp_required,
)

RECENT_EVENTS = 10


def _next(request) -> str:
    """Where to go after the second factor: `next` if it stays on this site, else the start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request, device) -> None:
    # The session gains privilege here, so it gets a new key (ASVS 3.2.1).
    request.session.cycle_key()
    django_otp.login(request, device)
    remember_need(request.session, Need.VERIFY)


@login_required
def account_security(request):
    """The user's password, second factor and recent sign-in events."""
    user = request.user
    context = {
        "device": confirmed_devices(user).first(),
        "required": totp_required(user),
        "events": AuthEvent.objects.filter(user=user)[:RECENT_EVENTS],
        "remove_form": TokenForm(user, []),
        "idle_minutes": settings.GROUNDBREAK_SESSION_IDLE_MINUTES,
    }
    return render(request, "org/account_security.html", context)


@login_required
@require_POST
def sessions_end_others(request):
    """Log the account out everywhere but here, without changing the password."""
    ended = end_other_sessions(request.user, keep=request.session.session_key)
    record_auth_event(AuthEventKind.OTHER_SESSIONS_ENDED, request=request, user=request.user)
    messages.success(
        request,
        ngettext("%(n)d other session has been logged out.", "%(n)d other sessions have been logged out.", ended)
        % {"n": ended},
    )
    return redirect("account-security")


@login_required
def totp_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), then enter one code."""
    user = request.user
    if confirmed_devices(user).exists():
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("account-security")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(user, [device], data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        _mark_verified(request, device)
        record_auth_event(AuthEventKind.TOTP_ENROLLED, request=request, user=user)
        messages.success(request, _("Your authenticator app is set up. You will enter its code at every login."))
        return redirect(_next(request))
    if form.is_bound:
        record_auth_event(AuthEventKind.TOTP_FAILED, request=request, user=user)
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": grouped_secret(device),
        "required": totp_required(user),
        "next": _next(request),
    }
    return render(request, "org/totp_setup.html", context)


@login_required
def totp_verify(request):
    """Enter the current code after the password."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    devices = list(confirmed_devices(user))
    if not devices:
        # The administrator removed the device (a lost phone): decide afresh what is needed.
        need = second_factor_need(user)
        remember_need(request.session, need)
        return redirect(reverse_lazy("totp-setup") if need == Need.ENROL else _next(request))
    form = TokenForm(user, devices, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        _mark_verified(request, form.device)
        record_auth_event(AuthEventKind.TOTP_VERIFIED, request=request, user=user)
        return redirect(_next(request))
    if form.is_bound:
        record_auth_event(AuthEventKind.TOTP_FAILED, request=request, user=user)
    return render(request, "org/totp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def totp_remove(request):
    """Remove the authenticator app, confirmed by a current code; not where the role requires one."""
    user = request.user
    if totp_required(user):
        messages.error(request, _("Your role requires an authenticator app; it cannot be removed."))
        return redirect("account-security")
    form = TokenForm(user, confirmed_devices(user), data=request.POST)
    if not form.is_valid():
        record_auth_event(AuthEventKind.TOTP_FAILED, request=request, user=user)
        for error in form.errors.get("token", []):
            messages.error(request, error)
        return redirect("account-security")
    TOTPDevice.objects.devices_for_user(user).delete()
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    remember_need(request.session, Need.NONE)
    record_auth_event(AuthEventKind.TOTP_REMOVED, request=request, user=user)
    messages.success(request, _("The authenticator app has been removed."))
    return redirect("account-security")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; the session that changes it stays, every other one ends."""

    template_name = "org/password_change.html"
    success_url = reverse_lazy("account-security")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_auth_event(AuthEventKind.PASSWORD_CHANGED, request=self.request, user=form.user)
        messages.success(self.request, _("Your password has been changed. Your other sessions have been logged out."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """The page axes shows instead of the login form once an account or address is locked out."""
    cool_off = get_cool_off(request)
    minutes = max(int(cool_off.total_seconds() // 60), 1) if cool_off else None
    return render(request, "org/locked_out.html", {"minutes": minutes}, status=429)
