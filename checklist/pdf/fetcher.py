"""The URL fetcher every PDF render goes through: the app's own static files, the clinic's logo
and PNG data URLs the app built itself, and nothing else (WeasyPrint would read ``file://``)."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from checklist.signatures import DATA_URL_PREFIX, PNG_MAGIC

logger = logging.getLogger(__name__)

MAX_STATIC_BYTES = 2 * 1024 * 1024
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_DATA_URL_BYTES = 1024 * 1024
# What the PDF may load from disk, by file suffix, with the content type WeasyPrint needs
# (it checks stylesheets are text/css, and tells SVG from raster images by type).
SERVED_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
LOGO_TYPES = {suffix: kind for suffix, kind in SERVED_TYPES.items() if kind.startswith("image/") and suffix != ".svg"}


def static_dir() -> Path:
    """The app's own static files (the repository's ``static/``), the only folder the PDF reads."""
    return Path(settings.BASE_DIR, "static").resolve()


class URLRefused(ValueError):
    """The PDF asked for a resource it may not have."""


class SafeURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and nothing it was not given.

    Allowed: ``file:`` URLs of files inside ``static/`` (by real path, so neither ``..`` nor a
    symlink leads out) with a known suffix; the exact files passed as ``extra_files`` (the
    clinic's logo); and ``data:image/png;base64,`` URLs whose bytes are a PNG (the signature,
    encoded by the app from stored, validated bytes). Everything else is refused: other files,
    ``http:``, ``https:``, ``ftp:``, other ``data:`` types. ``served`` and ``refused`` record what
    was asked, for tests and logs. Refusals are not fatal: WeasyPrint logs them and leaves the
    resource out, so a stray URL can never stop a patient's consent from being recorded.
    """

    def __init__(self, *, extra_files: Iterable[Path | str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("allowed_protocols", ("file", "data"))
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 1)
        super().__init__(**kwargs)
        self.root = static_dir()
        self.extra_files = frozenset(Path(p).resolve() for p in extra_files)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        try:
            response = self._fetch(url)
        except URLRefused as exc:
            self.refused.append(url[:200])
            logger.warning("PDF resource refused: %s (%s)", url[:200], exc)
            raise
        self.served.append(url if not url.startswith("data:") else url[:40])
        return response

    def _fetch(self, url: str) -> URLFetcherResponse:
        if not isinstance(url, str):
            raise URLRefused("not a URL")
        if url.startswith("data:"):
            return self._fetch_data(url)
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise URLRefused(f"scheme {parts.scheme or '(none)'!r} is not served")
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise URLRefused("only plain local file URLs are served")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise URLRefused("no such file") from None
        if path in self.extra_files:
            types, limit = LOGO_TYPES, MAX_LOGO_BYTES
        elif path.is_relative_to(self.root):
            types, limit = SERVED_TYPES, MAX_STATIC_BYTES
        else:
            raise URLRefused("outside the app's static files")
        content_type = types.get(path.suffix.lower())
        if content_type is None or not path.is_file():
            raise URLRefused("not a file type the PDF uses")
        if path.stat().st_size > limit:
            raise URLRefused("file too large")
        return URLFetcherResponse(path2url(path), path.read_bytes(), {"Content-Type": content_type})

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        # Only the exact form the app builds (signatures.signature_data_url); never a data URL
        # of another type, which could smuggle in SVG with its own references, or HTML.
        if not url.startswith(DATA_URL_PREFIX):
            raise URLRefused("only PNG data URLs are served")
        encoded = url[len(DATA_URL_PREFIX) :]
        if len(encoded) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
            raise URLRefused("data URL too large")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise URLRefused("data URL is not valid base64") from None
        if not raw.startswith(PNG_MAGIC):
            raise URLRefused("data URL is not a PNG")
        return URLFetcherResponse("data:image/png", raw, {"Content-Type": "image/png"})
