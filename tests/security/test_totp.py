"""The optional second factor: setting up an authenticator app, entering its code after the
password, roles that require it, and wrong codes."""

import base64

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from groundbreak.audit.models import ObjectChange
from groundbreak.org.choices import Role
from groundbreak.org.security.models import AuthEvent, RoleSecurityPolicy
from tests.security.helpers import password_login, totp_code

pytestmark = pytest.mark.django_db


def enrol(client, user) -> TOTPDevice:
    """Set up an authenticator for a logged-in user through the setup page."""
    page = client.get(reverse("totp-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("totp-setup"), {"token": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_setup_page_shows_a_server_drawn_qr_code_and_the_key(english, world):
    english.force_login(world.coordinator)
    body = english.get(reverse("totp-setup")).content.decode()
    device = TOTPDevice.objects.get(user=world.coordinator)
    qr = body.split('<figure class="qr"')[1].split("</figure>")[0]
    assert "<svg" in qr and "<path" in qr
    assert "<img" not in qr and "<script" not in qr and "style=" not in qr
    secret = body.split('<code class="secret">')[1].split("</code>")[0].replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading the page keeps the same key, so a slow scan still works.
    english.get(reverse("totp-setup"))
    assert TOTPDevice.objects.filter(user=world.coordinator).count() == 1


def test_enrol_then_every_login_asks_for_the_code(world):
    first = Client()
    first.force_login(world.coordinator)
    device = enrol(first, world.coordinator)
    assert AuthEvent.objects.filter(kind="totp_enrolled", user=world.coordinator).exists()
    assert first.get(reverse("my-work")).status_code == 200  # the enrolling session counts as verified

    client = Client()
    response = password_login(client, "coord")
    assert response.status_code == 302
    gated = client.get(reverse("my-work"))
    assert gated.status_code == 302
    assert gated["Location"] == reverse("totp-verify") + "?next=%2Fmy-work%2F"
    assert client.get(reverse("portfolio:project-list")).status_code == 302

    response = client.post(reverse("totp-verify"), {"token": totp_code(device, 1), "next": "/my-work/"})
    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert client.get(reverse("my-work")).status_code == 200
    assert AuthEvent.objects.filter(kind="totp_verified", user=world.coordinator).exists()


def test_wrong_code_is_refused_and_the_pages_stay_closed(english, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    setup = Client()
    setup.force_login(world.coordinator)
    device = enrol(setup, world.coordinator)

    password_login(english, "coord")
    wrong = f"{(int(totp_code(device, 1)) + 1) % 1_000_000:06d}"
    response = english.post(reverse("totp-verify"), {"token": wrong})
    assert response.status_code == 200
    assert "The code is wrong" in response.content.decode()
    assert english.get(reverse("my-work")).status_code == 302
    assert AuthEvent.objects.filter(kind="totp_failed", user=world.coordinator).count() == 1
    assert english.post(reverse("totp-verify"), {"token": "abcdef"}).status_code == 200
    assert english.get(reverse("my-work")).status_code == 302


def test_guessing_is_slowed_down_after_a_wrong_code(english, world):
    setup = Client()
    setup.force_login(world.coordinator)
    device = enrol(setup, world.coordinator)
    password_login(english, "coord")
    right = totp_code(device, 1)
    english.post(reverse("totp-verify"), {"token": f"{(int(right) + 1) % 1_000_000:06d}"})
    # Straight after a failure even the right code waits: django-otp's throttle.
    response = english.post(reverse("totp-verify"), {"token": right})
    assert "Too many wrong codes" in response.content.decode()
    assert english.get(reverse("my-work")).status_code == 302


def test_a_code_cannot_be_used_twice(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    setup = Client()
    setup.force_login(world.coordinator)
    device = enrol(setup, world.coordinator)
    code = totp_code(device, 1)
    first, second = Client(), Client()
    for client in (first, second):
        password_login(client, "coord")
    assert first.post(reverse("totp-verify"), {"token": code}).status_code == 302
    assert second.post(reverse("totp-verify"), {"token": code}).status_code == 200
    assert second.get(reverse("my-work")).status_code == 302


def test_role_that_requires_totp_is_sent_to_setup_and_held_there(client, world):
    RoleSecurityPolicy.objects.create(role=Role.COORDINATOR, require_totp=True)
    response = password_login(client, "coord", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("totp-setup"))
    for url in [reverse("my-work"), reverse("portfolio:project-list"), reverse("account-security")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("totp-setup"))
    api = client.get("/api/v1/projects", HTTP_ACCEPT="application/json")
    assert api.status_code == 403 and api["Content-Type"].startswith("application/problem+json")
    htmx = client.get(reverse("portfolio:project-list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(reverse("totp-setup"))
    # Logging out and switching language still work.
    assert client.post(reverse("org:set-language"), {"language": "en"}).status_code == 302

    enrol(client, world.coordinator)
    assert client.get(reverse("my-work")).status_code == 200


def test_required_roles_can_also_come_from_the_settings(client, world, settings):
    settings.GROUNDBREAK_TOTP_REQUIRED_ROLES = [Role.ADMINISTRATOR]
    client.force_login(world.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("totp-setup"))


def test_other_roles_are_not_asked(client, world):
    RoleSecurityPolicy.objects.create(role=Role.COORDINATOR, require_totp=True)
    client.force_login(world.viewer)
    assert client.get(reverse("my-work")).status_code == 200
    assert client.get(reverse("account-security")).status_code == 200
    by_password = Client()
    password_login(by_password, "viewer")
    assert by_password.get(reverse("my-work")).status_code == 200


def test_required_role_cannot_remove_its_app(client, world):
    client.force_login(world.coordinator)
    device = enrol(client, world.coordinator)
    RoleSecurityPolicy.objects.create(role=Role.COORDINATOR, require_totp=True)
    client.post(reverse("totp-remove"), {"token": totp_code(device, 1)})
    assert TOTPDevice.objects.filter(user=world.coordinator).exists()


def test_user_removes_their_app_with_a_current_code(client, world):
    client.force_login(world.viewer)
    device = enrol(client, world.viewer)
    right = totp_code(device, 1)
    client.post(reverse("totp-remove"), {"token": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert TOTPDevice.objects.filter(user=world.viewer).exists()
    device.throttle_reset()
    client.post(reverse("totp-remove"), {"token": right})
    assert not TOTPDevice.objects.filter(user=world.viewer).exists()
    assert AuthEvent.objects.filter(kind="totp_removed", user=world.viewer).exists()
    # The next login asks nothing more.
    other = Client()
    password_login(other, "viewer")
    assert other.get(reverse("my-work")).status_code == 200


def test_device_removed_by_an_administrator_lets_the_user_set_up_a_new_one(client, world):
    client.force_login(world.coordinator)
    enrol(client, world.coordinator)
    RoleSecurityPolicy.objects.create(role=Role.COORDINATOR, require_totp=True)
    fresh = Client()
    password_login(fresh, "coord")
    TOTPDevice.objects.filter(user=world.coordinator).delete()  # the phone was lost
    response = fresh.get(reverse("my-work"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("totp-setup"))


def test_next_must_stay_on_the_site(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    setup = Client()
    setup.force_login(world.coordinator)
    device = enrol(setup, world.coordinator)
    client = Client()
    password_login(client, "coord")
    response = client.post(reverse("totp-verify"), {"token": totp_code(device, 1), "next": "https://evil.example/"})
    assert response["Location"] == reverse("my-work")


def test_policy_changes_are_in_the_change_log(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:security_rolesecuritypolicy_add"), {"role": Role.LEADER, "require_totp": "on"}
    )
    assert response.status_code == 302
    change = ObjectChange.objects.get(content_type__model="rolesecuritypolicy")
    assert change.actor == world.admin and change.changes["require_totp"]["after"] is True


@pytest.mark.parametrize("accept", ["application/json", "*/*", "text/html"])
def test_the_api_answers_a_missing_second_factor_with_problem_details(client, world, accept):
    """A session that still owes its code gets RFC 9457 problem details from every API path,
    whatever it accepts (curl sends */*, which a browser page would match too)."""
    RoleSecurityPolicy.objects.create(role=Role.COORDINATOR, require_totp=True)
    password_login(client, "coord")
    for method, url in [("get", "/api/v1/projects"), ("post", "/api/v1/projects"), ("get", "/api/v1/no-such-thing")]:
        response = getattr(client, method)(url, HTTP_ACCEPT=accept)
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json; charset=utf-8"
        body = response.json()
        assert body == {
            "type": "urn:groundbreak:problem:second-factor-required",
            "title": "Second factor required",
            "status": 403,
            "detail": "Enter the code of your authenticator app first.",
            "instance": url,
        }
    # The API's pages for people still send a browser to the setup form.
    for url in [reverse("api-tokens:list"), reverse("api:openapi-view")]:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 302 and response["Location"].startswith(reverse("totp-setup"))
