"""Rendering: the template to HTML, then WeasyPrint with the cached stylesheet and fonts, through
:class:`~checklist.pdf.fetcher.SafeURLFetcher`; and reading back a stored PDF against its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import path2url

from checklist.models import Screening
from checklist.pdf.context import TEMPLATE, build_context
from checklist.pdf.fetcher import SafeURLFetcher, static_dir
from checklist.records import ScreeningRecord
from checklist.selectors import screening_record

STYLESHEET = Path("css") / "consent-pdf.css"
VOID_STAMP_STYLESHEET = Path("css") / "void-stamp.css"
# PDF/A-2 level A: an archival file (fonts embedded, sRGB output intent, no external content)
# that is also tagged, with a language and a title, for screen readers. WeasyPrint 70 takes one
# variant only; PDF/UA-1 asks nothing of WeasyPrint's output beyond what "pdf/a-2a" already does
# (tags, /Lang, /DisplayDocTitle, PDF 1.7) except its identification in the XMP metadata, which
# _declare_pdf_ua() adds. PDF/A-2 and PDF/UA-1 are a combination the PDF Association endorses.
PDF_VARIANT = "pdf/a-2a"


@dataclass
class _Assets:
    """What stays the same between renders: fonts and parsed stylesheets (the slow part)."""

    font_config: FontConfiguration
    stylesheet: CSS
    pages: dict[str, CSS]
    void_stamp: CSS  # checklist.pdf.void_stamp


_assets: _Assets | None = None
# One render at a time per process: the shared FontConfiguration (fontconfig, Pango) is not
# documented as thread-safe, and renders are rare (one per signature) and short.
_render_lock = threading.Lock()


def _load_assets() -> _Assets:
    global _assets
    if _assets is None:
        font_config = FontConfiguration()
        fetcher = SafeURLFetcher()
        css_path = static_dir() / STYLESHEET
        stylesheet = CSS(url=path2url(css_path), url_fetcher=fetcher, font_config=font_config)
        pages = {
            size: CSS(string=f"@page {{ size: {css_size}; }}", font_config=font_config, url_fetcher=fetcher)
            for size, css_size in (("a4", "A4"), ("letter", "letter"))
        }
        void_css = path2url(static_dir() / VOID_STAMP_STYLESHEET)
        void_stamp = CSS(url=void_css, url_fetcher=fetcher, font_config=font_config)
        _assets = _Assets(font_config=font_config, stylesheet=stylesheet, pages=pages, void_stamp=void_stamp)
    return _assets


@contextmanager
def pdf_assets() -> Iterator[_Assets]:
    """The cached fonts and stylesheets, held for one render at a time (see ``_render_lock``)."""
    with _render_lock:
        yield _load_assets()


def reset_assets() -> None:
    """Forget the cached fonts and stylesheet (after editing the CSS in a running process)."""
    global _assets
    with _render_lock:
        _assets = None


_XMP_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"


def _declare_pdf_ua(document) -> None:
    """Add the PDF/UA-1 identification (pdfuaid:part=1) to the XMP that "pdf/a-2a" writes."""
    metadata = document.metadata
    original = metadata.generate_rdf_metadata

    def generate(variant, version, conformance):
        rdf = ET.fromstring(original(variant, version, conformance))  # noqa: S314 - our own XML
        description = ET.SubElement(rdf, f"{_XMP_RDF}Description", {f"{_XMP_RDF}about": ""})
        description.set(f"{{{_PDFUAID}}}part", "1")
        return ET.tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = generate


# The template's last element (templates/pdf/consent.html): its place on the last page tells how
# full that page is. A last page that holds less than this share of its height is laid out again
# with tighter spacing (the "document--tight" class: same type sizes, smaller gaps), and that
# layout is kept when it has fewer pages.
END_ANCHOR = "document-end"
NEARLY_EMPTY = 0.3


def render_html(screening: Screening, *, record: ScreeningRecord, draft: bool) -> tuple[str, dict[str, Any]]:
    context = build_context(screening, record=record, draft=draft)
    return render_to_string(TEMPLATE, context), context


def last_page_is_nearly_empty(document) -> bool:
    """Whether the document's end sits in the top part of its last page (never for one page)."""
    if len(document.pages) < 2:
        return False
    last = document.pages[-1]
    end = last.anchors.get(END_ANCHOR)
    return end is not None and end[1] < NEARLY_EMPTY * last.height


def render_screening_pdf(
    screening: Screening,
    *,
    record: ScreeningRecord,
    draft: bool,
    base_url: str | None = None,
    url_fetcher: SafeURLFetcher | None = None,
) -> bytes:
    """The PDF bytes of a screening: the signed record, or (``draft=True``) a marked preview.

    ``base_url`` resolves relative URLs in the template (default: the static folder); pass a
    ``url_fetcher`` to inspect what the render asked for.
    """
    html, context = render_html(screening, record=record, draft=draft)
    fetcher = url_fetcher or SafeURLFetcher(extra_files=context["logo_files"])
    if url_fetcher is not None:
        fetcher.extra_files = fetcher.extra_files | frozenset(p.resolve() for p in context["logo_files"])
    paper = "letter" if getattr(screening.clinic, "paper_size", "a4") == "letter" else "a4"
    with _render_lock:
        assets = _load_assets()

        def layout(markup: str):
            return HTML(string=markup, base_url=base_url or path2url(static_dir()) + "/", url_fetcher=fetcher).render(
                stylesheets=[assets.stylesheet, assets.pages[paper]],
                font_config=assets.font_config,
                pdf_variant=PDF_VARIANT,
            )

        document = layout(html)
        if last_page_is_nearly_empty(document):
            tighter = layout(render_to_string(TEMPLATE, {**context, "tight": True}))
            if len(tighter.pages) < len(document.pages):
                document = tighter
        _declare_pdf_ua(document)
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def draft_preview_pdf(screening: Screening) -> bytes:
    """A preview of a screening not yet signed, from its record as it stands now; never stored."""
    return render_screening_pdf(screening, record=screening_record(screening), draft=True)


class StoredPdfError(Exception):
    """The stored document is missing or no longer matches the SHA-256 recorded at signing."""


def stored_pdf_bytes(screening: Screening) -> bytes:
    """The exact bytes issued at signing, checked against their recorded SHA-256."""
    if not screening.pdf or not screening.pdf_sha256:
        raise StoredPdfError(f"Screening {screening.reference} has no stored PDF.")
    try:
        with screening.pdf.open("rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise StoredPdfError(f"The stored PDF of {screening.reference} cannot be read.") from exc
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), screening.pdf_sha256):
        raise StoredPdfError(f"The stored PDF of {screening.reference} does not match its SHA-256.")
    return data
