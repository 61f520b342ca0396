"""Login throttling: an account locks after repeated failures, an address after more, a clear page
says so in the user's language, and an administrator can unlock."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundbreak.org.security.throttling import client_ip
from tests.security.helpers import password_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def fail(client, username, times, **extra):
    return [password_login(client, username, WRONG, **extra) for _ in range(times)]


def test_account_locks_after_the_failure_limit_with_a_clear_message(english, world, settings):
    responses = fail(english, "coord", settings.AXES_FAILURE_LIMIT - 1)
    assert {r.status_code for r in responses} == {200}  # the login form again, with its error

    locked = password_login(english, "coord", WRONG)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "too many failed login attempts" in body
    assert "paused for 30 minutes" in body

    # Now even the right password is refused, and the session stays anonymous.
    response = password_login(english, "coord")
    assert response.status_code == 429
    assert english.get(reverse("my-work")).status_code == 302


def test_lockout_page_speaks_the_users_language(world, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    fail(client, "coord", settings.AXES_FAILURE_LIMIT - 1)
    body = password_login(client, "coord", WRONG).content.decode()
    assert "登录已暂停" in body
    assert "30 分钟" in body


def test_account_lock_holds_from_every_address(world, settings):
    fail(Client(REMOTE_ADDR="10.0.0.1"), "coord", settings.AXES_FAILURE_LIMIT)
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert password_login(elsewhere, "coord").status_code == 429
    # Other accounts are not affected from that other address.
    assert password_login(elsewhere, "viewer").status_code == 302


def test_address_locks_after_its_own_larger_limit(world, settings):
    office = Client(REMOTE_ADDR="10.0.0.7")
    # Different accounts, one NAT address: colleagues' typos must not lock the office at once.
    for i in range(settings.GROUNDBREAK_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert password_login(office, f"nobody{i}", WRONG).status_code == 200
    assert password_login(office, "viewer").status_code == 302

    office.logout()
    assert password_login(office, "nobody-else", WRONG).status_code == 429
    assert password_login(office, "coord").status_code == 429
    assert password_login(Client(REMOTE_ADDR="10.0.0.8"), "coord").status_code == 302


def test_lockout_ends_after_the_cool_off(world, settings):
    fail(Client(), "coord", settings.AXES_FAILURE_LIMIT)
    # Age the recorded attempts past the cool-off instead of waiting half an hour.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert password_login(Client(), "coord").status_code == 302


def test_administrator_unlocks_an_account_in_the_admin(client, world, settings):
    fail(Client(), "coord", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="coord")

    client.force_login(world.admin)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "coord" in listing.content.decode()
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302

    assert password_login(Client(), "coord").status_code == 302


def test_administrator_unlocks_an_account_from_the_command_line(world, settings):
    fail(Client(), "coord", settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset_username", "coord", verbosity=0)
    assert password_login(Client(), "coord").status_code == 302


def test_only_administrators_see_the_attempts(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 302


def test_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    settings.GROUNDBREAK_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="192.168.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"  # 6.6.6.6 is what the client claimed
    request = rf.get("/", REMOTE_ADDR="192.168.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == "192.168.0.2"
    settings.GROUNDBREAK_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="192.168.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.168.0.2"
