"""The patient's take-home PDF: risk summary, answers and consent, rendered once after signing.

Everything PDF lives here (pretix's way): a Django template turns a screening and its frozen
snapshot into an HTML string, and WeasyPrint prints it with the stylesheet and fonts shipped in
``static/``. WeasyPrint would happily read ``file://`` URLs and attach files named by
``<link rel=attachment>``; :class:`SafeURLFetcher` serves only the app's own static files, the
clinic's logo and PNG data URLs that the app built itself, and refuses everything else. All
patient and clinic text reaches the HTML through Django's autoescaping.

The signed document is rendered once, by a background task, and stored with its SHA-256
(``checklist.services.signed_pdf``); downloads serve those bytes. A draft gets a preview marked
"DRAFT — not signed" on every page, which is never stored.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree as ET

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from checklist.models import Decision, Screening
from checklist.records import ScreeningRecord
from checklist.selectors import screening_record
from checklist.signatures import DATA_URL_PREFIX, PNG_MAGIC, signature_data_url
from checklist.spec import QuestionSpec, ReferenceSpec
from checklist.vocabulary import AnswerType, Level

logger = logging.getLogger(__name__)

TEMPLATE = "pdf/consent.html"
STYLESHEET = Path("css") / "consent-pdf.css"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

# PDF/A-2 level A: an archival file (fonts embedded, sRGB output intent, no external content)
# that is also tagged, with a language and a title, for screen readers. WeasyPrint 70 takes one
# variant only; PDF/UA-1 asks nothing of WeasyPrint's output beyond what "pdf/a-2a" already does
# (tags, /Lang, /DisplayDocTitle, PDF 1.7) except its identification in the XMP metadata, which
# _declare_pdf_ua() adds. PDF/A-2 and PDF/UA-1 are a combination the PDF Association endorses.
PDF_VARIANT = "pdf/a-2a"

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


@dataclass
class _Assets:
    """What stays the same between renders: fonts and parsed stylesheets (the slow part)."""

    font_config: FontConfiguration
    stylesheet: CSS
    pages: dict[str, CSS]


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
        _assets = _Assets(font_config=font_config, stylesheet=stylesheet, pages=pages)
    return _assets


def reset_assets() -> None:
    """Forget the cached fonts and stylesheet (after editing the CSS in a running process)."""
    global _assets
    with _render_lock:
        _assets = None


def verification_url(code: str) -> str:
    """The public page where anyone holding the document can check it, as the QR code links."""
    base = getattr(settings, "EXOSAFE_PUBLIC_URL", DEFAULT_PUBLIC_URL) or DEFAULT_PUBLIC_URL
    return base.rstrip("/") + reverse("checklist:verify-code", kwargs={"code": code})


def verification_qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (no fetch: it is part of the HTML)."""
    qr = segno.make(url, error="m", micro=False)
    # The <title> becomes the figure's alternative text in the tagged PDF.
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, title=_("QR code linking to %(url)s") % {"url": url})
    return svg.replace('class="segno"', 'class="qr" role="img"', 1)


# --- Building the page ------------------------------------------------------------------------


@dataclass
class _Citations:
    """References numbered in order of first citation, as the document shows them."""

    known: Mapping[str, ReferenceSpec]
    numbers: dict[str, int] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def cite(self, refs: Iterable[str | ReferenceSpec]) -> list[int]:
        cited = []
        for ref in refs or ():
            details = ref if isinstance(ref, ReferenceSpec) else self.known.get(ref) or ReferenceSpec(ref, ref)
            code = details.code
            if code not in self.numbers:
                self.numbers[code] = len(self.entries) + 1
                self.entries.append(
                    {
                        "number": self.numbers[code],
                        "title": details.title or code,
                        "publisher": details.publisher,
                        "date": details.date,
                        "url": details.url if details.url.startswith("https://") else "",
                    }
                )
            if self.numbers[code] not in cited:
                cited.append(self.numbers[code])
        return sorted(cited)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _full_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _logo(clinic) -> tuple[str, list[Path]]:
    """The clinic's logo as a file URL, and the file the fetcher may serve for it."""
    logo = getattr(clinic, "logo", None)
    if not logo:
        return "", []
    try:
        path = Path(logo.path)
    except (NotImplementedError, ValueError):  # storage without local paths
        return "", []
    if not path.is_file() or path.suffix.lower() not in LOGO_TYPES:
        return "", []
    return path2url(path), [path]


def _answer_text(record: ScreeningRecord, question: QuestionSpec) -> str:
    answer = record.answers.get(question.code)
    if answer is not None and question.answer_type == AnswerType.DATE and (day := _parse_date(answer.value)):
        return date_format(day, "j F Y")
    return record.answer_text(question)


def build_context(screening: Screening, *, record: ScreeningRecord, draft: bool) -> dict[str, Any]:
    """Everything the template shows, in the order it shows it (so citations number in order).

    The checklist's words come from ``record`` alone (for a signed screening, the record frozen at
    signing), so a signed document reads the same however the content rows change later.
    """
    checklist = record.checklist
    citations = _Citations(known=checklist.references)
    questions = checklist.questions_by_code
    assessment = record.assessment

    # One card per question and level: a multiple-choice answer can raise several flags of the
    # same kind, which read better together than as cards repeating the same question.
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    answer_levels: dict[str, Level] = {}
    for index, f in enumerate(assessment.findings):
        from_rule = f.code.startswith("rule.")
        question = questions.get(f.question_code or "") if not from_rule else None
        if question is not None and answer_levels.get(question.code) != Level.RED_FLAG:
            answer_levels[question.code] = f.level
        key = (f.level.code, f"q:{question.code}" if question is not None else f"f:{index}")
        group = groups.get(key)
        if group is None:
            section = checklist.sections_by_code.get(f.section_code or "")
            group = groups[key] = {
                "level": f.level.code,
                "level_label": f.level.label,
                "section": section.title if section else "",
                "asked": question.patient_text if question is not None else "",
                "answer": record.answer_text(question) if question is not None else "",
                "why": question.why if question is not None else "",
                "items": [],
            }
        group["items"].append({"found": f.patient_text, "ask": f.ask, "refs": citations.cite(f.references)})
    findings = list(groups.values())

    key_facts = [{"text": k.text, "refs": citations.cite(k.references)} for k in checklist.key_facts]

    j = record.jurisdiction
    jurisdiction = {
        "code": j.code,
        "name": j.name,
        "regulator": j.regulator,
        "summary": j.summary,
        "no_approved_products": j.no_approved_products,
        "last_reviewed_date": _parse_date(j.last_reviewed),
        "refs": citations.cite(j.references),
        "report_name": j.report_name,
        "report_url": j.report_url if j.report_url.startswith(("https://", "http://")) else "",
        "report_phone": j.report_phone,
        "report_instructions": j.report_instructions,
    }

    answer_sections = [
        {
            "title": s.title,
            "questions": [
                {
                    "text": q.patient_text or q.prompt,
                    "answer": _answer_text(record, q),
                    "note": record.note(q),
                    "level": answer_levels[q.code].code if q.code in answer_levels else "",
                    "level_label": answer_levels[q.code].label if q.code in answer_levels else "",
                }
                for q in s.questions
            ],
        }
        for s in checklist.sections
        if s.questions
    ]

    acknowledgements = [
        {"text": a.text, "ticked": a.code in record.acknowledged, "refs": citations.cite(a.references)}
        for a in checklist.acknowledgements
    ]

    signed_at = None if draft else _local(screening.signed_at)
    prepared_at = signed_at or timezone.localtime()
    signature = ""
    if not draft and screening.signature_png:
        signature = signature_data_url(bytes(screening.signature_png))
    clinic = screening.clinic
    logo_url, logo_files = _logo(clinic)
    code = "" if draft else (screening.verification_code or "")
    verify_url = verification_url(code) if code else ""
    decision = ""
    if screening.decision and not draft:
        decision = str(Decision(screening.decision).label)

    return {
        "draft": draft,
        "title": _("Exosome treatment: risk summary and consent record"),
        "doc_title": _("Risk summary and consent record %(reference)s") % {"reference": screening.reference},
        "created_iso": prepared_at.replace(microsecond=0).isoformat(),
        "prepared_at": prepared_at,
        "signed_at": signed_at,
        "reference": screening.reference,
        "version": record.checklist_version,
        "clinic": clinic,
        "logo_url": logo_url,
        "logo_files": logo_files,
        "screening": screening,
        "risk": {
            "level": assessment.level.code,
            "level_label": assessment.level.label,
            "headline": assessment.headline,
            "summary": assessment.summary,
            "red_flags": len(assessment.red_flags),
            "cautions": len(assessment.cautions),
        },
        "findings": findings,
        "key_facts": key_facts,
        "jurisdiction": jurisdiction,
        "answer_sections": answer_sections,
        "acknowledgements": acknowledgements,
        "decision": decision,
        "decisions": [label for _value, label in Decision.choices],
        "patient_signed_name": "" if draft else screening.patient_signed_name,
        "signature_url": signature,
        "clinician_name": "" if draft else _full_name(screening.attested_by),
        "references": citations.entries,
        "verification_code": code,
        "verification_url": verify_url,
        "qr_svg": mark_safe(verification_qr_svg(verify_url)) if verify_url else "",  # noqa: S308 - built here from our own URL
    }


# --- Rendering --------------------------------------------------------------------------------

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


def render_html(screening: Screening, *, record: ScreeningRecord, draft: bool) -> tuple[str, dict[str, Any]]:
    context = build_context(screening, record=record, draft=draft)
    return render_to_string(TEMPLATE, context), context


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
        document = HTML(string=html, base_url=base_url or path2url(static_dir()) + "/", url_fetcher=fetcher).render(
            stylesheets=[assets.stylesheet, assets.pages[paper]],
            font_config=assets.font_config,
            pdf_variant=PDF_VARIANT,
        )
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
