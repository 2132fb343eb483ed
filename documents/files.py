"""What an upload may be: PDF, JPEG or PNG, decided by its content, within the size limit; images
re-encoded so that no metadata (EXIF, GPS, comments) survives."""

from __future__ import annotations

import io
import warnings

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

FILE_MISSING = _("Choose the file to attach.")
FILE_EMPTY = _("The file is empty.")
FILE_TOO_LARGE = _("The file is %(size)s; files of up to %(limit)s can be attached.")
FILE_NOT_ALLOWED = _(
    "Only PDF, JPEG and PNG files can be attached, and this file's content is none of them, "
    "whatever its name says. Scan or save the paper as PDF, JPEG or PNG and attach it again."
)
FILE_UNREADABLE = _("The image could not be read; it may be damaged. Scan or save it again.")


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refused before reading when it is over the limit."""
    if upload is None:
        raise ValidationError(FILE_MISSING, code="required")
    limit = settings.DOCUMENTS_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            FILE_TOO_LARGE % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            FILE_TOO_LARGE % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not data:
        raise ValidationError(FILE_EMPTY, code="empty")
    return data


def content_type_of(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED:
        raise ValidationError(FILE_NOT_ALLOWED, code="not_allowed")
    # filetype looks at the magic bytes; a PDF must also start like one (no leading junk).
    if mime == "application/pdf" and not data.startswith(b"%PDF-"):
        raise ValidationError(FILE_NOT_ALLOWED, code="not_allowed")
    return mime


def strip_image_metadata(data: bytes, mime: str) -> bytes:
    """Re-encode the pixels only: EXIF (camera, time, GPS), XMP, ICC and text chunks are dropped.
    The EXIF orientation is applied first, so the picture still stands the right way up."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
    ) as error:
        raise ValidationError(FILE_UNREADABLE, code="unreadable") from error
    except Image.DecompressionBombError as error:
        raise ValidationError(FILE_UNREADABLE, code="unreadable") from error
    transparency = upright.info.get("transparency")
    clean = upright.copy()
    clean.info = {}  # where Pillow keeps EXIF, XMP, ICC profiles, comments and text chunks
    out = io.BytesIO()
    if mime == "image/jpeg":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=92, optimize=True)
    else:
        extra = {"transparency": transparency} if transparency is not None else {}
        clean.save(out, format="PNG", optimize=True, **extra)
    return out.getvalue()


def checked_content(upload) -> tuple[bytes, str]:
    """The bytes to store and their content type, or a ValidationError with a clear message."""
    data = read_upload(upload)
    mime = content_type_of(data)
    if mime.startswith("image/"):
        data = strip_image_metadata(data, mime)
    return data, mime
