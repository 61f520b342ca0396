"""Coordination personas on top of the shared world: a Minhang unit member, and helpers."""

import datetime

import pytest
from django.utils import timezone

from groundbreak.org.choices import Role
from tests.factories import UserFactory, category

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def co(world):
    """The world plus a member of Minhang's bureau (a unit that may be asked to help in Songjiang)."""
    world.mh_member = UserFactory(username="mh-unit", role=Role.UNIT_MEMBER, scope_unit=world.mh_bureau)
    world.land = category("land")
    world.other = category("other")
    return world


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sent(monkeypatch):
    """Every notification coordination hands to the notify app, captured instead of sent."""
    from groundbreak.coordination import notifying

    calls = []

    def fake(**kwargs):
        recipients = [u for u in kwargs["recipients"] if u is not None and u.is_active]
        if recipients:
            calls.append({**kwargs, "recipients": recipients})
        return bool(recipients)

    monkeypatch.setattr(notifying, "notify", fake)
    return calls
