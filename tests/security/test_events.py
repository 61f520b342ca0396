"""Every login, failed login, lock-out and logout is recorded, and administrators can read the
record but not change it."""

import pytest
from django.test import Client
from django.urls import reverse

from groundbreak.org.security.models import AuthEvent
from tests.security.helpers import password_login

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0) WeCom/4.1"


def kinds():
    return list(AuthEvent.objects.order_by("id").values_list("kind", "username"))


def test_login_and_logout_are_recorded_with_address_and_browser(world):
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT=BROWSER)
    password_login(client, "coord")
    client.post(reverse("logout"))
    assert kinds() == [("login", "coord"), ("logout", "coord")]
    login = AuthEvent.objects.get(kind="login")
    assert (login.user, login.ip_address, login.user_agent) == (world.coordinator, "203.0.113.5", BROWSER)


def test_failed_logins_and_the_lockout_are_recorded(world, settings):
    client = Client(REMOTE_ADDR="203.0.113.6")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(client, "coord", "wrong")
    password_login(client, "ghost", "wrong")
    failed = AuthEvent.objects.filter(kind="login_failed")
    assert failed.filter(username="coord", user=world.coordinator).count() == settings.AXES_FAILURE_LIMIT
    assert failed.filter(username="ghost", user=None).count() == 1  # no such account, still recorded
    locked = AuthEvent.objects.get(kind="locked_out")
    assert (locked.username, locked.user, locked.ip_address) == ("coord", world.coordinator, "203.0.113.6")
    # No password is ever stored.
    assert not AuthEvent.objects.filter(username__icontains="wrong").exists()


def test_refused_attempt_during_a_lockout_is_recorded(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(client, "coord", "wrong")
    password_login(client, "coord")
    assert AuthEvent.objects.filter(kind="locked_out").count() == 2
    assert not AuthEvent.objects.filter(kind="login").exists()


def test_admin_login_is_recorded_too(world):
    client = Client()
    client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    assert kinds() == [("login_failed", "admin")]


def test_administrators_read_the_record_but_cannot_change_it(client, world):
    password_login(Client(), "coord")
    event = AuthEvent.objects.get()
    client.force_login(world.admin)
    listing = client.get(reverse("admin:security_authevent_changelist"))
    assert listing.status_code == 200 and "coord" in listing.content.decode()
    assert client.get(reverse("admin:security_authevent_add")).status_code == 403
    client.post(reverse("admin:security_authevent_change", args=[event.pk]), {"kind": "logout"})
    client.post(reverse("admin:security_authevent_delete", args=[event.pk]), {"post": "yes"})
    event.refresh_from_db()
    assert event.kind == "login"


def test_users_see_their_own_recent_activity(client, world):
    password_login(Client(REMOTE_ADDR="198.51.100.4"), "coord", "wrong")
    password_login(Client(REMOTE_ADDR="198.51.100.5"), "viewer", "wrong")
    client.force_login(world.coordinator)
    body = client.get(reverse("account-security")).content.decode()
    assert "198.51.100.4" in body
    assert "198.51.100.5" not in body
