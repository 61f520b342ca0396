"""Milestone evidence through the pages: checked by content, cleaned, stored under a random
name, and served only to users who may see the project."""

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from groundbreak.schedule import actions
from groundbreak.schedule.models import Milestone
from tests.factories import MilestoneFactory, kind
from tests.security.helpers import GPS, PDF, photo_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(name, milestone):
    return reverse(f"schedule:{name}", args=[milestone.project.code, milestone.pk])


def complete(client, milestone, name, data, **extra) -> list[str]:
    """Post the completion form with a file; the messages the project page would show."""
    evidence = SimpleUploadedFile(name, data, content_type="image/jpeg")
    response = client.post(
        url("milestone-complete", milestone),
        {"actual_date": timezone.localdate().isoformat(), "evidence": evidence, **extra},
    )
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_photo_evidence_is_cleaned_stored_at_random_and_served_in_scope(client, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    client.force_login(world.owner)
    complete(client, milestone, "IMG_2041 家.jpg", photo_with_exif())
    milestone.refresh_from_db()
    assert milestone.actual_date == timezone.localdate()
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", milestone.evidence.name)
    stored = (media / milestone.evidence.name).read_bytes()
    assert b"ACME" not in stored
    assert Image.open(io.BytesIO(stored)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}

    client.force_login(world.coordinator)
    response = client.get(url("milestone-evidence", milestone))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert milestone.evidence.name.rsplit("/", 1)[1] in response["Content-Disposition"]


def test_location_is_kept_when_the_uploader_ticks_the_box(client, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    client.force_login(world.owner)
    complete(client, milestone, "site.jpg", photo_with_exif(), keep_location="on")
    milestone.refresh_from_db()
    stored = Image.open(media / milestone.evidence.name)
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS
    assert ExifTags.Base.Make not in stored.getexif()


def test_evidence_is_not_served_out_of_scope(client, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("signing"))
    actions.complete_milestone(
        milestone=milestone,
        actual_date=timezone.localdate(),
        evidence=SimpleUploadedFile("contract.pdf", PDF),
        by=world.owner,
    )
    milestone.refresh_from_db()
    client.force_login(world.mh_coordinator)
    assert client.get(url("milestone-evidence", milestone)).status_code == 404
    client.logout()
    response = client.get(url("milestone-evidence", milestone))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world.sj_coordinator)
    response = client.get(url("milestone-evidence", milestone))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_an_executable_named_png_is_refused_by_the_page(english, world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    english.force_login(world.owner)
    shown = complete(english, milestone, "site.png", b"MZ\x90\x00" + b"\x00" * 300)
    assert any("Upload a PDF, a Word document or a JPEG, PNG or WebP photo." in message for message in shown)
    milestone.refresh_from_db()
    assert milestone.actual_date is None and not milestone.evidence
    assert not list(media.rglob("*.*"))


def test_the_action_checks_content_for_every_caller(world, media):
    milestone = MilestoneFactory(project=world.sj_project, kind=kind("groundbreaking"))
    with pytest.raises(ValidationError) as excinfo:
        actions.complete_milestone(
            milestone=milestone,
            actual_date=timezone.localdate(),
            evidence=SimpleUploadedFile("site.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
            by=world.owner,
        )
    assert set(excinfo.value.message_dict) == {"evidence"}
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None
