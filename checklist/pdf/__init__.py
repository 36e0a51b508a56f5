"""The patient's take-home PDF: risk summary, answers and consent, rendered once after signing.

Everything PDF lives in this package (pretix's way): a Django template turns a screening and its frozen
snapshot into an HTML string, and WeasyPrint prints it with the stylesheet and fonts shipped in
``static/``. WeasyPrint would happily read ``file://`` URLs and attach files named by
``<link rel=attachment>``; :class:`SafeURLFetcher` serves only the app's own static files, the
clinic's logo and PNG data URLs that the app built itself, and refuses everything else. All
patient and clinic text reaches the HTML through Django's autoescaping.

The signed document is rendered once, by a background task, and stored with its SHA-256
(``checklist.services.signed_pdf``); downloads serve those bytes. A draft gets a preview marked
"DRAFT — not signed" on every page, which is never stored.

The package is in three parts: :mod:`~checklist.pdf.fetcher` (what a render may load),
:mod:`~checklist.pdf.context` (what the page shows) and :mod:`~checklist.pdf.render` (WeasyPrint).
"""

from checklist.pdf.context import build_context, verification_qr_svg, verification_url
from checklist.pdf.fetcher import SafeURLFetcher, URLRefused, static_dir
from checklist.pdf.render import (
    PDF_VARIANT,
    STYLESHEET,
    StoredPdfError,
    draft_preview_pdf,
    render_html,
    render_screening_pdf,
    reset_assets,
    stored_pdf_bytes,
)

__all__ = [
    "PDF_VARIANT",
    "STYLESHEET",
    "SafeURLFetcher",
    "StoredPdfError",
    "URLRefused",
    "build_context",
    "draft_preview_pdf",
    "render_html",
    "render_screening_pdf",
    "reset_assets",
    "static_dir",
    "stored_pdf_bytes",
    "verification_qr_svg",
    "verification_url",
]
