import shutil
import subprocess

import pytest


def pdf_text(content: bytes, *, page: int | None = None) -> str:
    """The text of a PDF as poppler's pdftotext extracts it (poppler-utils, scripts/ensure-sysdeps.sh)."""
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    result = subprocess.run([*args, "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_fonts(content: bytes) -> list[str]:
    result = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True)
    lines = result.stdout.decode().splitlines()[2:]
    return sorted(line.split()[0].split("+", 1)[-1] for line in lines if line.strip())


def pdf_pages(content: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("no page count")


@pytest.fixture(autouse=True)
def _poppler():
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run scripts/ensure-sysdeps.sh (poppler-utils)")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
