"""Uploads are judged by their content, photos lose their metadata (the location only with
consent), and stored names are random."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from groundbreak.core import uploads
from tests.security.helpers import GPS, MB, PDF, docx, photo_with_exif


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def clean(name, data, **kwargs):
    return uploads.clean_upload(upload(name, data), max_bytes=10 * MB, **kwargs)


def reopen(cleaned) -> Image.Image:
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def test_executable_named_png_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    with pytest.raises(ValidationError) as excinfo:
        clean("site.png", exe, refused_message="Upload a photo.")
    assert excinfo.value.messages == ["Upload a photo."]
    assert excinfo.value.code == "file_type"


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("notes.docx", docx(extra={"word/vbaProject.bin": b"macro"})),
        (
            "notes.docx",
            docx(content_types=b'<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'),
        ),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("empty.pdf", b""),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, data):
    with pytest.raises(ValidationError):
        clean(name, data)


@pytest.mark.parametrize(
    "data,kind",
    [
        (PDF, uploads.PDF),
        (docx(), uploads.DOCX),
        (photo_with_exif("JPEG"), uploads.JPEG),
        (photo_with_exif("PNG"), uploads.PNG),
        (photo_with_exif("WEBP"), uploads.WEBP),
    ],
)
def test_accepted_kinds_are_stored_under_a_random_name_with_their_real_extension(data, kind):
    cleaned = clean("whatever.txt", data)
    assert cleaned.kind is kind
    assert re.fullmatch(r"[0-9a-f]{32}" + re.escape(kind.extension), cleaned.name)
    assert clean("whatever.txt", data).name != cleaned.name


def test_documents_are_kept_byte_for_byte():
    assert clean("a.pdf", PDF).read() == PDF


def test_allowed_kinds_narrow_what_is_accepted():
    with pytest.raises(ValidationError):
        clean("a.pdf", PDF, allowed=uploads.PHOTOS)


def test_too_large_is_refused_before_reading():
    with pytest.raises(ValidationError) as excinfo:
        uploads.clean_upload(upload("a.pdf", PDF + b" " * 2048), max_bytes=1024)
    assert excinfo.value.code == "too_large"


def test_damaged_photo_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        clean("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13" * 300)
    assert excinfo.value.code == "damaged"


def test_photo_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError) as excinfo:
        clean("a.jpg", photo_with_exif())
    assert excinfo.value.code == "too_many_pixels"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_loses_all_metadata_without_consent(fmt):
    original = photo_with_exif(fmt)
    assert b"ACME" in original and b"private-xmp" in original
    cleaned = clean("site.jpg", original)
    data = cleaned.read()
    assert b"ACME" not in data and b"Phone 9" not in data and b"private-xmp" not in data
    cleaned.seek(0)
    image = reopen(cleaned)
    assert dict(image.getexif()) == {}
    assert "xmp" not in image.info
    # The orientation was applied to the pixels before the tag went: the photo stays upright.
    assert image.size == (48, 64)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_keeps_only_its_location_with_consent(fmt):
    cleaned = clean("site.jpg", photo_with_exif(fmt), keep_location=True)
    data = cleaned.read()
    assert b"ACME" not in data and b"private-xmp" not in data
    cleaned.seek(0)
    image = reopen(cleaned)
    exif = image.getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == GPS
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert ExifTags.Base.Orientation not in exif
    assert "xmp" not in image.info


def test_cleaning_twice_changes_nothing():
    cleaned = clean("site.jpg", photo_with_exif(), keep_location=True)
    assert uploads.clean_upload(cleaned, max_bytes=1) is cleaned


def test_transparent_png_stays_transparent():
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    result = reopen(clean("logo.png", out.getvalue()))
    assert result.mode == "RGBA" and result.getpixel((0, 0))[3] == 0
