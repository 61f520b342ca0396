"""The optional second factor: a TOTP authenticator app (django-otp), required for the roles an
administrator chooses.

After the password, a user who has an authenticator, or whose role requires one, must enter its
code (or set one up) before any other page answers. What a session still needs is worked out
once per login and kept in the session, so other users' requests cost no extra query.
"""

import base64
import enum
import functools
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp.plugins.otp_totp.models import TOTPDevice

from groundbreak.org.security.models import RoleSecurityPolicy

STATE_KEY = "groundbreak_second_factor"


class Need(enum.StrEnum):
    NONE = "none"
    VERIFY = "verify"
    ENROL = "enrol"


def totp_required(user) -> bool:
    """Whether the user's role must sign in with an authenticator app."""
    if user.role in settings.GROUNDBREAK_TOTP_REQUIRED_ROLES:
        return True
    return RoleSecurityPolicy.objects.filter(role=user.role, require_totp=True).exists()


def confirmed_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def second_factor_need(user) -> Need:
    """What the user must do after their password: nothing, enter a code, or set up an app."""
    if confirmed_devices(user).exists():
        return Need.VERIFY
    if totp_required(user):
        return Need.ENROL
    return Need.NONE


def remember_need(session, need: Need) -> None:
    session[STATE_KEY] = str(need)


@receiver(user_logged_in, dispatch_uid="groundbreak-second-factor-reset")
def _forget_need(sender, request, user, **kwargs):
    # A new login decides afresh: the role or its policy may have changed since the last one.
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(STATE_KEY, None)


def qr_svg(text: str, size: int = 200) -> SafeString:
    """`text` as a QR code in inline SVG, drawn on the server: no image request, no script, and
    nothing a style-src 'self' policy would block."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # qrcode sizes the drawing in millimetres; pixels match the page around it.
    svg = re.sub(r'width="[^"]*" height="[^"]*"', f'width="{size}" height="{size}"', svg, count=1)
    # The markup is qrcode's own; `text` only shapes the path, so nothing in it is user HTML.
    return mark_safe(svg)


def grouped_secret(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@functools.cache
def _open_paths() -> frozenset[str]:
    """Where a user who still owes a second factor may go: the factor's own pages, logging out
    and switching language."""
    names = ["totp-verify", "totp-setup", "logout", "admin:logout", "org:set-language", "javascript-catalog"]
    return frozenset(reverse(name) for name in names)


@functools.cache
def _api_paths() -> tuple[str, tuple[str, ...]]:
    """The API's prefix, and the pages under it that are HTML for people (tokens, the API's docs)."""
    return reverse("api:api-root"), (reverse("api-tokens:list"), reverse("api:openapi-view"))


def _is_api(path: str) -> bool:
    prefix, pages = _api_paths()
    return path.startswith(prefix) and not path.startswith(pages)


def _is_open(path: str) -> bool:
    return path in _open_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class TwoFactorMiddleware:
    """Holds back every page from a session that has passed the password but not the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            need = request.session.get(STATE_KEY)
            if need is None:
                need = second_factor_need(user)
                remember_need(request.session, need)
            if need != Need.NONE and not _is_open(request.path):
                return self._send_to(request, Need(need))
        return self.get_response(request)

    @staticmethod
    def _send_to(request, need: Need):
        url = reverse("totp-verify" if need == Need.VERIFY else "totp-setup")
        if _is_api(request.path) or not request.accepts("text/html"):
            # An API client cannot follow a redirect to a form: it gets problem details, like every
            # other error of the API, naming the page where the code is entered.
            from groundbreak.api.errors import problem_response

            return problem_response(
                403,
                _("Enter the code of your authenticator app first."),
                title=_("Second factor required"),
                type="second-factor-required",
                instance=request.path,
            )
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
