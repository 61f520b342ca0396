"""Field-work personas on top of the shared world, and phone photos made with Pillow."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from tests.coordination.conftest import co, media, sent  # noqa: F401 (fixtures)

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 2.0, 3.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 13.0, 30.0),
}

# The G60 Kechuang Cloud Gallery in Songjiang, and a point about 300 m from it.
SJ_LAT, SJ_LON = Decimal("31.036300"), Decimal("121.226600")
NEAR = (31.0390, 121.2266)


def jpeg(*, gps: bool = True, name: str = "现场.jpg") -> SimpleUploadedFile:
    """A phone photo: a real JPEG with the camera's make and, by default, its GPS position."""
    image = Image.new("RGB", (40, 30), (180, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ACME"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def exif_of(data: bytes):
    return Image.open(io.BytesIO(data)).getexif()


@pytest.fixture
def field(co):  # noqa: F811 (the imported fixture)
    """The world with coordinates on the projects and a second Songjiang project further away."""
    from tests.factories import ProjectFactory

    co.sj_project.latitude, co.sj_project.longitude = SJ_LAT, SJ_LON
    co.sj_project.save()
    co.mh_project.latitude, co.mh_project.longitude = Decimal("31.039500"), Decimal("121.226600")
    co.mh_project.save()
    co.sj_far = ProjectFactory(
        code="SJ-002",
        name="松江枢纽",
        area=co.songjiang,
        responsible_unit=co.sj_bureau,
        latitude=Decimal("31.060000"),
        longitude=Decimal("121.226600"),
    )
    co.sj_nowhere = ProjectFactory(code="SJ-003", name="无坐标项目", area=co.songjiang)
    return co
