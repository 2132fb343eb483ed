"""Files to upload (made here: a PDF, a JPEG carrying EXIF with GPS, a PNG with a text chunk, HTML
dressed as a PDF) and the storage moved to a temporary directory."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from documents import services

# A plain one-page PDF; the marker lets a test look for the plaintext in the stored bytes.
PDF_MARKER = b"ZZ-GROUND-DOCUMENT-MARKER"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"% " + PDF_MARKER + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML_AS_PDF = b"<!doctype html><html><body><script>alert(1)</script>" + PDF_MARKER + b"</body></html>"
GPS_LATITUDE_TEXT = "56.9496"


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "ZZCameraMaker"  # Make
    exif[0x0131] = "ZZSoftware"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (56.0, 56.0, 58.0)
    gps[3] = "E"
    gps[4] = (24.0, 6.0, 23.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    image = Image.new("RGBA", (20, 20), (0, 120, 200, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "ZZ-secret-png-comment")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def upload(content: bytes = PDF, name: str = "decision.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list:
    root = media_root / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def attach(caseworker):
    def _attach(case, *, actor=None, content=PDF, title="Decision of the investigator", **extra):
        fields = {
            "doc_type": "decision",
            "document_date": datetime.date(2026, 11, 2),
            "record_kind": "case",
            "record_id": None,
            **extra,
        }
        return services.document_attach(
            case=case, actor=actor or caseworker, upload=upload(content), title=title, **fields
        )

    return _attach
