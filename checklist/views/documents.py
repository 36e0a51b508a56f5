"""The take-home PDF for clinic staff, and the public page that checks a document is genuine.

The public pages show four facts of a signed record and nothing about the patient: the clinic,
the date it was signed, whether it is still valid, and the SHA-256 of the document issued.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from csp.constants import SELF
from csp.decorators import csp_replace
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from checklist.audit import PDF_DOWNLOADED, PDF_VIEWED, audit_log
from checklist.forms_verify import MAX_UPLOAD_BYTES, VerifyForm, normalise_code
from checklist.models import Screening
from checklist.pdf import StoredPdfError, draft_preview_pdf, stored_pdf_bytes
from checklist.pdf.void_stamp import void_stamped_pdf, withdrawn_stamped_pdf
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.selectors import screening_by_verification_code, screening_withdrawal, signed_pdf_status

logger = logging.getLogger(__name__)

# Room for the form's other fields and the multipart framing around a 10 MB file.
_MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024


def _pdf_response(data: bytes, *, filename: str, as_attachment: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or ""
    # Health data: never kept by shared caches or the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response


# The signed page's "Print" loads the PDF into a hidden frame of the same origin and prints it;
# no other site may frame it.
@csp_replace({"frame-ancestors": [SELF]})
@xframe_options_sameorigin
@require_safe
@clinic_member_required
def screening_pdf(request, screening_id):
    """The screening's PDF, shown in the browser (``?download=1``: saved as a file instead)."""
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    as_attachment = request.GET.get("download") == "1"
    if not screening.is_locked:
        data = draft_preview_pdf(screening)
        return _pdf_response(data, filename=f"exosafe-{screening.reference}-DRAFT.pdf", as_attachment=as_attachment)
    pdf_status = signed_pdf_status(screening)
    if not pdf_status.is_ready:
        response = render(
            request,
            "checklist/screening_pdf_not_ready.html",
            {"screening": screening, "pdf_status": pdf_status},
            status=503,
        )
        response["Retry-After"] = "5"
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        data = stored_pdf_bytes(screening)
    except StoredPdfError:
        logger.exception("Refused to serve the PDF of %s", screening.reference)
        audit_log(
            clinic=screening.clinic, actor=request.user, screening=screening, action="screening.pdf_integrity_failed"
        )
        return HttpResponse(
            _("The stored document failed its integrity check and was not sent. Please contact support."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    filename = f"exosafe-{screening.reference}.pdf"
    if screening.status == Screening.Status.VOIDED:
        # The stored bytes stay as issued; what leaves the clinic says VOID on every page.
        data = void_stamped_pdf(data, screening=screening)
        filename = f"exosafe-{screening.reference}-VOID.pdf"
    elif (withdrawal := screening_withdrawal(screening)) is not None:
        data = withdrawn_stamped_pdf(data, screening=screening, withdrawal=withdrawal)
        filename = f"exosafe-{screening.reference}-WITHDRAWN.pdf"
    if request.method == "GET":
        audit_log(
            clinic=screening.clinic,
            actor=request.user,
            screening=screening,
            action=PDF_DOWNLOADED if as_attachment else PDF_VIEWED,
            status=screening.status,
        )
    return _pdf_response(data, filename=filename, as_attachment=as_attachment)


@require_safe
@clinic_member_required
def screening_pdf_status(request, screening_id):
    """The signed PDF's state as JSON, for the screening's page to show it once it is stored."""
    screening = get_screening_for_user(request, screening_id)
    if not screening.is_locked:
        raise Http404("A draft has no signed PDF.")
    pdf_status = signed_pdf_status(screening)
    payload = {"state": pdf_status.state, "message": pdf_status.message, "reason": pdf_status.reason}
    if pdf_status.is_ready:
        payload["url"] = reverse("checklist:screening-pdf", args=[screening.pk])
    response = JsonResponse(payload)
    response["Cache-Control"] = "private, no-store"
    return response


def _public_facts(screening: Screening) -> dict:
    """All that the public pages may show of a record."""
    withdrawal = screening_withdrawal(screening)
    status = "valid"
    if screening.status == Screening.Status.VOIDED:
        status = "voided"
    elif withdrawal is not None:
        status = "withdrawn"
    return {
        "code": screening.verification_code,
        "clinic_name": screening.clinic.name,
        "signed_on": timezone.localdate(screening.signed_at) if screening.signed_at else None,
        "withdrawn_on": timezone.localdate(withdrawal.withdrawn_at) if withdrawal is not None else None,
        "status": status,
        "sha256": screening.pdf_sha256,
    }


def _sha256_of_upload(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _MAX_REQUEST_BYTES:
            # Refuse before Django reads the body, with the reason in words.
            error = _("That file is larger than 10 MB, so it cannot be a document ExoSafe issued.")
            context = {"form": VerifyForm(), "error": error}
            return _public(render(request, "checklist/verify.html", context, status=413))
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            screening = screening_by_verification_code(form.cleaned_data["code"])
            if screening is None:
                form.add_error("code", _("No signed document has this code. Check the code and try again."))
            else:
                context = {
                    "facts": _public_facts(screening),
                    "form": VerifyForm(initial={"code": screening.verification_code}),
                }
                upload = form.cleaned_data.get("document")
                if upload:
                    uploaded = _sha256_of_upload(upload)
                    context["checked"] = {
                        "matches": hmac.compare_digest(uploaded, screening.pdf_sha256 or ""),
                        "sha256": uploaded,
                        "name": upload.name,
                    }
                return _public(render(request, "checklist/verify_result.html", context))
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")[:40]})
    return _public(render(request, "checklist/verify.html", {"form": form}))


@never_cache
@require_safe
def verify_code(request, code):
    canonical = normalise_code(code)
    screening = screening_by_verification_code(canonical)
    if screening is None:
        raise Http404("No signed document has this code.")
    if canonical != code:
        return redirect("checklist:verify-code", code=canonical)
    context = {"facts": _public_facts(screening), "form": VerifyForm(initial={"code": canonical})}
    return _public(render(request, "checklist/verify_result.html", context))
