"""PDF rendering with WeasyPrint, which must never fetch anything from outside.

WeasyPrint's default fetcher reads local files and the network: a `<link rel="attachment"
href="file:///etc/hostname">` typed into a free-text field would put the server's files inside
the PDF (docs/decisions.md). Every URL goes through StaticOnlyFetcher, which serves the project's own
static files and refuses everything else: file:, data:, http(s) to anywhere, redirects.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)
# WeasyPrint's warnings quote the URLs it could not load, and those come from what users typed:
# personal data stays out of the logs. Its progress lines say nothing useful per summary.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)

# The base URL of every summary: relative and root-relative links (`{% static %}` gives
# /static/...) resolve against this origin, which exists nowhere else and is the only one served.
PDF_ORIGIN = "https://pdf.nrm.invalid"
BASE_URL = PDF_ORIGIN + "/"


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch."""


class StaticOnlyFetcher(URLFetcher):
    """Serves /static/... of the PDF origin from the static finders; refuses every other URL."""

    def __init__(self):
        # No handlers, no redirects, no network: fetch() below answers every request itself.
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = self._static_path(url)
            found = finders.find(path)
            if not found:
                raise RefusedURL("not a static file")
        except Exception as error:
            self.refused.append(url)
            # The URL itself may carry what a user typed: log only that something was refused.
            logger.warning("PDF renderer refused a URL")
            raise RefusedURL("refused") from error
        with open(found, "rb") as handle:
            body = handle.read()
        self.served.append(url)
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> str:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}".lower() != PDF_ORIGIN or parts.query or parts.username:
            raise RefusedURL("not the PDF origin")
        static_url = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        path = unquote(parts.path)
        if not path.startswith(static_url):
            raise RefusedURL("not a static path")
        relative = path[len(static_url) :]
        normalised = posixpath.normpath(relative)
        if (
            not relative
            or normalised != relative
            or normalised.startswith(("/", ".."))
            or "\\" in relative
            or "\x00" in relative
        ):
            raise RefusedURL("not a plain static path")
        return normalised


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    fetcher = fetcher or StaticOnlyFetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_summary_pdf(summary, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    html = render_to_string("monitoring/summary_pdf.html", {"s": summary})
    return render_pdf(html, fetcher=fetcher)
