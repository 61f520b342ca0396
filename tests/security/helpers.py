"""Builders shared by the security tests: logging in as a person does, authenticator codes, and
files as phones and offices produce them."""

import io
import time
import zipfile

from django.urls import reverse
from django_otp.oath import TOTP
from PIL import ExifTags, Image, PngImagePlugin

from tests.factories import TEST_PASSWORD


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code the user's app shows now, or `steps_ahead` 30-second steps from now (a code may
    be used once only, so a second verification needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(client, username: str, password: str = TEST_PASSWORD, **extra):
    """Log in through the login page, as a person does (force_login skips throttling and signals)."""
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


MB = 1024 * 1024
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 2.0, 3.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 13.0, 30.0),
}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>private-xmp</rdf:RDF></x:xmpmeta>'


def photo_with_exif(fmt: str = "JPEG", orientation: int = 6) -> bytes:
    """A phone photo: camera make and model, orientation, GPS position and an XMP packet."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ACME"
    exif[ExifTags.Base.Model] = "Phone 9"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    if fmt == "PNG":
        # PNG carries XMP and other text in its own chunks.
        text = PngImagePlugin.PngInfo()
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        text.add_text("Author", "ACME")
        image.save(out, fmt, exif=exif.tobytes(), pnginfo=text)
    else:
        image.save(out, fmt, exif=exif.tobytes(), xmp=XMP)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = b"<Types/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
