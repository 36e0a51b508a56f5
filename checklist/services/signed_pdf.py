"""Writes for a signed screening's PDF: queue its render at signing, then store it exactly once.

Signing commits the signature, ticks and snapshot in milliseconds and records the PDF as pending
(``SignedPdfRender``); the background task ``checklist.tasks.screening_pdf_render`` calls
:func:`screening_pdf_store`. The render (about a second) runs outside any transaction; only the
write of the finished bytes and the one-time fill of ``pdf``/``pdf_sha256`` hold a row lock.
No file outlives a failed write or a rolled-back update, and a retry never leaves a second file.
"""

from __future__ import annotations

import errno
import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from checklist.audit import PDF_STORED, audit_log
from checklist.models import Screening, SignedPdfRender
from checklist.pdf import render_screening_pdf
from checklist.selectors import screening_signed_record

logger = logging.getLogger(__name__)

# Tries before a render is shown as failed; `manage.py screening_pdf_render` runs it again.
MAX_ATTEMPTS = 3


def signed_pdf_render_requested(*, screening: Screening) -> SignedPdfRender:
    """Inside the signing transaction: record the PDF as pending, and queue its render on commit.

    Queued on commit so that a worker never looks for a signature that is not committed yet, and
    a rolled-back signing queues nothing. Should queueing fail, the row stays pending and
    ``screening_pdf_render --pending`` finds it.
    """
    render, _created = SignedPdfRender.objects.update_or_create(
        screening=screening, defaults={"status": SignedPdfRender.Status.PENDING, "error": ""}
    )
    transaction.on_commit(lambda: _enqueue_render(screening))
    return render


def _enqueue_render(screening: Screening) -> None:
    from checklist.tasks import screening_pdf_render

    try:
        result = screening_pdf_render.enqueue(str(screening.pk))
    except Exception:
        logger.exception("Could not queue the PDF render of screening %s; it stays pending", screening.pk)
        return
    if result.is_finished:  # a backend that runs tasks at once: the caller's copy shows the PDF
        screening.refresh_from_db(fields=["pdf", "pdf_sha256"])


def signed_pdf_path(screening: Screening) -> str:
    """Where a screening's PDF is stored: one fixed name, so a retry replaces a stray, never adds one."""
    return f"consent-pdfs/{screening.signed_at:%Y/%m}/{screening.reference}.pdf"


def failure_reason(exc: BaseException) -> str:
    """What went wrong, in words for the clinic and the log; never the document's content."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _("The server's disk is full.")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _("The server is not allowed to write to its document folder.")
        return _("The document could not be written to storage (%(error)s).") % {
            "error": exc.strerror or type(exc).__name__
        }
    return _("The PDF could not be rendered (%(error)s).") % {"error": type(exc).__name__}


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not remove %s after a failed write", name)


def _write_once(screening: Screening, pdf: bytes) -> None:
    """Write the bytes and fill ``pdf``/``pdf_sha256`` in one short transaction, or leave nothing."""
    storage = Screening._meta.get_field("pdf").storage
    name = signed_pdf_path(screening)
    written = ""
    try:
        with transaction.atomic():
            locked = Screening.objects.select_for_update().get(pk=screening.pk)
            if locked.pdf or locked.pdf_sha256:
                return  # another attempt stored it first; it is the one issued
            # A file here is not the issued document (the row names none): an attempt that died
            # between its write and its commit left it.
            _delete_quietly(storage, name)
            try:
                written = storage.save(name, ContentFile(pdf))
            except BaseException:
                _delete_quietly(storage, name)  # a half-written file (a full disk) goes too
                raise
            locked.pdf.name = written
            locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
            # The hash goes into the audit chain too, so a PDF replaced with its pdf_sha256 is caught.
            audit_log(clinic=locked.clinic, screening=locked, action=PDF_STORED, sha256=locked.pdf_sha256)
            screening.pdf.name, screening.pdf_sha256 = locked.pdf.name, locked.pdf_sha256
    except BaseException:
        if written:
            _delete_quietly(storage, written)
        raise


def screening_pdf_store(*, screening: Screening, retry_allowed: bool = True) -> SignedPdfRender:
    """Render a signed screening's PDF from the record frozen at signing and store it: one attempt, recorded.

    Idempotent: a screening whose PDF is stored is left alone. A failure is logged and recorded on
    its ``SignedPdfRender`` (pending again while ``retry_allowed`` and attempts remain, failed
    otherwise); the signature and answers are untouched by it.
    """
    render, _created = SignedPdfRender.objects.get_or_create(screening=screening)
    screening = Screening.objects.select_related("clinic", "jurisdiction", "version", "attested_by").get(
        pk=screening.pk
    )
    if screening.has_stored_pdf:
        SignedPdfRender.objects.filter(pk=render.pk).update(status=SignedPdfRender.Status.STORED, error="")
        render.refresh_from_db()
        return render
    if not screening.is_locked or not screening.findings_snapshot:
        raise ValueError(f"Screening {screening.reference} is not signed; only a signed record is stored.")
    try:
        record = screening_signed_record(screening)
        assert record is not None  # noqa: S101 - checked just above: a locked screening with a record
        pdf = render_screening_pdf(screening, record=record, draft=False)
        _write_once(screening, pdf)
    except Exception as exc:
        reason = failure_reason(exc)
        logger.exception("The PDF of %s was not stored: %s", screening.reference, reason)
        render.refresh_from_db()
        attempts = render.attempts + 1
        gives_up = not retry_allowed or attempts >= MAX_ATTEMPTS
        status = SignedPdfRender.Status.FAILED if gives_up else SignedPdfRender.Status.PENDING
        SignedPdfRender.objects.filter(pk=render.pk).update(status=status, error=reason[:200], attempts=attempts)
    else:
        SignedPdfRender.objects.filter(pk=render.pk).update(
            status=SignedPdfRender.Status.STORED, error="", attempts=F("attempts") + 1
        )
        logger.info("Stored the PDF of %s", screening.reference)
    render.refresh_from_db()
    return render
