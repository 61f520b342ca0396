"""Session lifetime: idle sessions end, long sessions end, and a password change ends the other
sessions of the account."""

import pytest
from django.test import Client
from django.urls import reverse

from groundbreak.org.security.models import AuthEvent
from groundbreak.org.security.sessions import LAST_SEEN_KEY, LOGGED_IN_AT_KEY
from tests.factories import TEST_PASSWORD
from tests.security.helpers import password_login

pytestmark = pytest.mark.django_db


def shift(client, key: str, seconds: int) -> None:
    """Move a session timestamp into the past, as if that much time had gone by."""
    session = client.session
    session[key] -= seconds
    session.save()


def test_idle_session_ends_after_the_configured_minutes(english, world, settings):
    settings.GROUNDBREAK_SESSION_IDLE_MINUTES = 30
    password_login(english, "coord")
    assert english.get(reverse("my-work")).status_code == 200

    shift(english, LAST_SEEN_KEY, 31 * 60)
    response = english.get(reverse("my-work"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Your session has expired" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert AuthEvent.objects.filter(kind="session_expired", user=world.coordinator).count() == 1


def test_activity_keeps_the_session_alive(client, world, settings):
    settings.GROUNDBREAK_SESSION_IDLE_MINUTES = 30
    password_login(client, "coord")
    shift(client, LAST_SEEN_KEY, 29 * 60)
    assert client.get(reverse("my-work")).status_code == 200
    # That request counted as activity: another 29 minutes later the session still lives.
    shift(client, LAST_SEEN_KEY, 29 * 60)
    assert client.get(reverse("my-work")).status_code == 200


def test_idle_minutes_are_configurable(client, world, settings):
    settings.GROUNDBREAK_SESSION_IDLE_MINUTES = 5
    password_login(client, "coord")
    shift(client, LAST_SEEN_KEY, 6 * 60)
    assert client.get(reverse("my-work")).status_code == 302


def test_busy_session_still_ends_after_its_maximum_lifetime(client, world, settings):
    settings.GROUNDBREAK_SESSION_MAX_HOURS = 12
    password_login(client, "coord")
    shift(client, LOGGED_IN_AT_KEY, 12 * 3600 + 60)
    assert client.get(reverse("my-work")).status_code == 302


def test_force_logged_in_sessions_expire_too(client, world):
    client.force_login(world.viewer)
    assert client.get(reverse("my-work")).status_code == 200
    shift(client, LAST_SEEN_KEY, 31 * 60)
    assert client.get(reverse("my-work")).status_code == 302


def test_password_change_logs_out_the_other_sessions(english, world):
    other = Client()
    password_login(other, "coord")
    password_login(english, "coord")
    assert other.get(reverse("my-work")).status_code == 200

    new_password = "Another-Horse-Battery-77"
    response = english.post(
        reverse("password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert english.get(reverse("my-work")).status_code == 200  # the session that changed it stays
    response = other.get(reverse("my-work"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert AuthEvent.objects.filter(kind="password_changed", user=world.coordinator).exists()
    assert password_login(Client(), "coord", new_password).status_code == 302


def test_password_change_applies_the_password_rules(english, world):
    password_login(english, "coord")
    response = english.post(
        reverse("password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "too common" in body or "entirely numeric" in body
    world.coordinator.refresh_from_db()
    assert world.coordinator.check_password(TEST_PASSWORD)


def test_user_logs_out_everywhere_else_without_changing_the_password(english, world):
    phone, other_user = Client(), Client()
    password_login(phone, "coord")
    password_login(other_user, "viewer")
    password_login(english, "coord")

    response = english.post(reverse("sessions-end-others"), follow=True)
    assert "1 other session has been logged out." in response.content.decode()
    assert english.get(reverse("my-work")).status_code == 200
    assert phone.get(reverse("my-work")).status_code == 302
    assert other_user.get(reverse("my-work")).status_code == 200
    assert AuthEvent.objects.filter(kind="sessions_ended", user=world.coordinator).exists()
