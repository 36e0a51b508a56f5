"""A voided (or withdrawn) screening's PDF as it is served: the stored original, stamped VOID at download.

The stored bytes are never changed (their SHA-256 is in the record and in the audit chain); each
download of a voided screening's document lays a stamp over a copy of them. Every page gets a
VOID banner in its top margin and a large translucent VOID across it; the first page also gets
a notice with the date, who voided it and why. So that the notice hides nothing of the record,
the first page's own content is shown smaller, below it, rather than covered.

The stamp is drawn by WeasyPrint (the same fonts as the document, through the same restricted
URL fetcher) and merged onto the pages with pypdf.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, FloatObject, NameObject
from weasyprint import CSS, HTML
from weasyprint.urls import path2url

from checklist.models import ConsentWithdrawal, Screening
from checklist.pdf.fetcher import SafeURLFetcher, static_dir
from checklist.pdf.render import pdf_assets

TEMPLATE = "pdf/void_stamp.html"
WITHDRAWN_TEMPLATE = "pdf/withdrawn_stamp.html"
NOTICE_ID = "void-notice"
# Space kept below the notice, in points, before the first page's content starts.
NOTICE_GAP = 6.0
# The first page is never shrunk below this, however long the reason.
MIN_FIRST_PAGE_SCALE = 0.6


def _full_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _stamp_context(screening: Screening, page_count: int) -> dict[str, Any]:
    voided_at = timezone.localtime(screening.voided_at) if screening.voided_at else timezone.localtime()
    return {
        "pages": range(page_count),
        "voided_at": voided_at,
        "voided_on": voided_at.date(),
        "voided_by": _full_name(screening.voided_by),
        "reason": screening.void_reason,
        "reference": screening.reference,
    }


def _notice_bottom(page) -> float | None:
    """Where the first page's notice ends, in CSS pixels from the top, from WeasyPrint's layout."""
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == NOTICE_ID and hasattr(box, "margin_height"):
            return box.position_y + box.margin_height()
        stack.extend(getattr(box, "children", ()))
    return None


def _render_stamp(html: str, *, width: float, height: float) -> tuple[bytes, float]:
    """The stamp pages (one per page of the document), and the height the notice takes on the first."""
    page_size = CSS(string=f"@page {{ size: {width}pt {height}pt; }} .void-page {{ height: {height}pt; }}")
    with pdf_assets() as assets:
        document = HTML(string=html, base_url=path2url(static_dir()) + "/", url_fetcher=SafeURLFetcher()).render(
            stylesheets=[assets.void_stamp, page_size], font_config=assets.font_config
        )
        bottom = _notice_bottom(document.pages[0])
        data = document.write_pdf()
    # CSS pixels are 0.75 points. Without a measure (never expected), keep the largest notice's room.
    notice_height = bottom * 0.75 + NOTICE_GAP if bottom is not None else height * (1 - MIN_FIRST_PAGE_SCALE)
    return data, notice_height


def _shrink_below(page, *, width: float, height: float, top_room: float) -> None:
    """Scale a page's content (and its links) down, centred, to leave ``top_room`` points free at the top."""
    scale = max(MIN_FIRST_PAGE_SCALE, (height - top_room) / height)
    shift_x = width * (1 - scale) / 2
    transformation = Transformation().scale(scale).translate(tx=shift_x, ty=0)
    page.add_transformation(transformation)
    for annotation in page.get("/Annots") or ():
        annotation = annotation.get_object()
        rect = annotation.get("/Rect")
        if rect is None:
            continue
        x1, y1, x2, y2 = (float(v) for v in rect)
        annotation[NameObject("/Rect")] = ArrayObject(
            FloatObject(v) for v in (x1 * scale + shift_x, y1 * scale, x2 * scale + shift_x, y2 * scale)
        )


def void_stamped_pdf(original: bytes, *, screening: Screening) -> bytes:
    """A copy of ``original`` with the VOID stamp on every page; same page count and page size."""
    reader = PdfReader(io.BytesIO(original))
    html = render_to_string(TEMPLATE, _stamp_context(screening, len(reader.pages)))
    return _stamped(reader, html, title_prefix="VOID", screening=screening)


def withdrawn_stamped_pdf(original: bytes, *, screening: Screening, withdrawal: ConsentWithdrawal) -> bytes:
    """A copy of ``original`` stamped WITHDRAWN on every page, the first with when and how."""
    reader = PdfReader(io.BytesIO(original))
    withdrawn_at = timezone.localtime(withdrawal.withdrawn_at)
    context = {
        "pages": range(len(reader.pages)),
        "withdrawn_at": withdrawn_at,
        "withdrawn_on": withdrawn_at.date(),
        "how": withdrawal.get_how_display(),
        "recorded_by": _full_name(withdrawal.recorded_by),
        "note": withdrawal.note,
        "reference": screening.reference,
    }
    return _stamped(
        reader, render_to_string(WITHDRAWN_TEMPLATE, context), title_prefix="WITHDRAWN", screening=screening
    )


def _stamped(reader: PdfReader, html: str, *, title_prefix: str, screening: Screening) -> bytes:
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    stamp_bytes, notice_height = _render_stamp(html, width=width, height=height)
    stamp = PdfReader(io.BytesIO(stamp_bytes))
    writer = PdfWriter(clone_from=reader)
    for index, page in enumerate(writer.pages):
        if index == 0:
            _shrink_below(page, width=width, height=height, top_room=notice_height)
        page.merge_page(stamp.pages[index])
    title = (reader.metadata.title if reader.metadata else None) or screening.reference
    writer.add_metadata({"/Title": f"{title_prefix}: {title}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
