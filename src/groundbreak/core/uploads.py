"""Checking and cleaning uploaded files: the type is decided by the content, never by the name
or the browser's Content-Type, and photos are re-encoded so no metadata they carried survives.

`clean_upload()` is the one entry point. It returns a `CleanedUpload` stored under a random
name; business actions call it whatever the caller (page, API, import), and calling it again on
its own result is a no-op, so a form may clean early for a friendly field error.
"""

import io
import uuid
import warnings
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# Larger photos than a 50-megapixel camera's are refused before they are decoded: a small
# compressed file can otherwise expand into gigabytes of pixels.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90
# Enough of the head for every magic number filetype knows.
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    """A type of file we accept, as recognised from its content."""

    key: str
    extension: str
    mime: str
    image_format: str = ""  # Pillow's name for the format; empty for documents

    @property
    def is_image(self) -> bool:
        return bool(self.image_format)


PDF = FileKind("pdf", ".pdf", "application/pdf")
DOCX = FileKind("docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
JPEG = FileKind("jpeg", ".jpg", "image/jpeg", "JPEG")
PNG = FileKind("png", ".png", "image/png", "PNG")
WEBP = FileKind("webp", ".webp", "image/webp", "WEBP")

PHOTOS = (JPEG, PNG, WEBP)
DOCUMENTS_AND_PHOTOS = (PDF, DOCX, JPEG, PNG, WEBP)

_BY_MIME = {
    "application/pdf": PDF,
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/apng": PNG,
    "image/webp": WEBP,
}


class CleanedUpload(ContentFile):
    """An upload that passed `clean_upload()`: checked content under a random, unguessable name."""

    def __init__(self, content: bytes, kind: FileKind):
        super().__init__(content, name=f"{uuid.uuid4().hex}{kind.extension}")
        self.kind = kind


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _is_docx(data: bytes) -> bool:
    """A Word document is a zip with word/document.xml; macro-enabled ones (.docm) are refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return False
            # Only the head: the manifest is small, and a crafted one must not inflate in memory.
            with archive.open("[Content_Types].xml") as manifest:
                content_types = manifest.read(256 * 1024)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return False
    return b"macroEnabled" not in content_types


def detect_kind(data: bytes) -> FileKind | None:
    """The kind of file `data` is by its magic numbers (and, for Word, its zip's contents)."""
    guess = filetype.guess(data[:_HEAD_BYTES])
    if guess is None:
        return None
    if guess.mime in _BY_MIME:
        return _BY_MIME[guess.mime]
    if guess.extension in {"zip", "docx"} and _is_docx(data):
        return DOCX
    return None


def _location_only_exif(image: Image.Image) -> bytes:
    """EXIF holding the GPS position and nothing else (no camera, owner, time or thumbnail)."""
    gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return b""
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    return exif.tobytes()


def _reencode(data: bytes, kind: FileKind, *, keep_location: bool) -> bytes:
    """Decode the photo and encode its pixels afresh, turned upright, without its metadata."""
    refused = ValidationError(_("The photo cannot be read; it may be damaged."), code="damaged")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != kind.image_format:
                raise refused
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo is too large (at most %(mp)s megapixels).") % {"mp": MAX_PIXELS // 1_000_000},
                    code="too_many_pixels",
                )
            image.seek(0)  # an animated PNG or WebP keeps its first frame
            image.load()
            location = _location_only_exif(image) if keep_location else b""
            icc_profile = image.info.get("icc_profile")
            # Orientation lives in EXIF, which is dropped: apply it to the pixels first.
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        raise refused from None

    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    if kind is JPEG:
        pixels = upright if upright.mode in ("RGB", "L", "CMYK") else upright.convert("RGB")
    elif kind is WEBP or upright.mode in ("P", "PA") or "transparency" in upright.info:
        pixels = upright.convert("RGBA" if has_alpha else "RGB")
    else:
        pixels = upright
    # Encoders fall back on the image's own `info` (text chunks, XMP, EXIF) for what the save
    # call does not pass, so the copy starts with none.
    pixels = pixels.copy()
    pixels.info = {}
    options = {"exif": location} if location else {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if kind is JPEG:
        options["quality"] = JPEG_QUALITY
    elif kind is WEBP:
        options["quality"] = JPEG_QUALITY
    out = io.BytesIO()
    pixels.save(out, kind.image_format, **options)
    return out.getvalue()


def clean_upload(
    upload,
    *,
    allowed: tuple[FileKind, ...] = DOCUMENTS_AND_PHOTOS,
    max_bytes: int,
    keep_location: bool = False,
    refused_message: str | None = None,
) -> CleanedUpload:
    """Check an upload by its content and return it ready to store.

    Raises ValidationError when it is too large, of a kind not in `allowed` (whatever its name
    says) or a photo that does not decode. Photos are re-encoded without EXIF, XMP or text
    metadata; the GPS position stays only with `keep_location` (the uploader's consent).
    The result is named by a random UUID with the extension of its real kind.
    """
    if isinstance(upload, CleanedUpload):
        return upload
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes // 1024 // 1024}, code="too_large"
        )
    data = _read_all(upload)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes // 1024 // 1024}, code="too_large"
        )
    kind = detect_kind(data)
    if kind is None or kind not in allowed:
        raise ValidationError(refused_message or _("This type of file is not accepted."), code="file_type")
    if kind.is_image:
        data = _reencode(data, kind, keep_location=keep_location)
    return CleanedUpload(data, kind)
