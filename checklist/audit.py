"""The append-only audit log: who did what to which record, and when (pretix's ``log_action``).

Every write that a clinic must be able to account for calls :func:`audit_log` inside its own
transaction, so the event and the change it describes commit together or not at all.

The events of a clinic form a hash chain (``checklist.audit_chain``): each carries the SHA-256 of
the one before it and of its own content, so an event deleted, edited or slipped in below the app
breaks the chain, and :func:`audit_chain_verify` names the first broken link. A stored PDF's hash
is logged too (``screening.pdf_stored``), so a PDF replaced together with its ``pdf_sha256`` no
longer matches the chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.audit_chain import GENESIS_SHA256, canonical_time, event_sha256
from checklist.models import AuditEvent, Screening
from clinic.models import Clinic

PDF_STORED = "screening.pdf_stored"
# The signed PDF opened in the browser, or saved as a file.
PDF_VIEWED = "screening.pdf_viewed"
PDF_DOWNLOADED = "screening.pdf_downloaded"


def audit_log(*, clinic, action: str, actor=None, screening: Screening | None = None, **detail: Any) -> AuditEvent:
    """Append to the audit log. ``detail`` holds identifiers and counts, never answers or secrets.

    The clinic's row is locked first (``FOR NO KEY UPDATE`` on PostgreSQL; on SQLite every
    transaction starts ``IMMEDIATE``, so writers are serialised already), so two events of one
    clinic written at once are chained one after the other, never both after the same event.
    """
    with transaction.atomic():
        Clinic.objects.select_for_update(no_key=True).filter(pk=clinic.pk).values_list("pk", flat=True).get()
        last = AuditEvent.objects.filter(clinic_id=clinic.pk).order_by("-id").values_list("sha256", flat=True).first()
        previous = last or GENESIS_SHA256
        event = AuditEvent(
            clinic=clinic,
            screening=screening,
            actor=actor,
            action=action,
            at=timezone.now(),
            detail=detail,
            previous_sha256=previous,
        )
        event.sha256 = event_sha256(
            clinic_id=clinic.pk,
            screening_reference=screening.reference if screening is not None else None,
            actor_id=actor.pk if actor is not None else None,
            action=action,
            at=event.at,
            detail=detail,
            previous_sha256=previous,
        )
        event.save(force_insert=True)
        return event


@dataclass
class ChainCheck:
    """The outcome of checking one clinic's audit trail: every event, and every stored PDF's hash."""

    clinic_id: int
    events_checked: int = 0
    pdfs_checked: int = 0
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def first_broken(self) -> str:
        return self.broken[0] if self.broken else ""


def _describe(event_id: int, action: str, at) -> str:
    return _("event #%(id)s (%(action)s at %(at)s)") % {"id": event_id, "action": action, "at": canonical_time(at)}


def _chain_rows(clinic_id: int) -> Iterator[tuple]:
    return (
        AuditEvent.objects.filter(clinic_id=clinic_id)
        .order_by("id")
        .values_list("id", "screening__reference", "actor_id", "action", "at", "detail", "previous_sha256", "sha256")
        .iterator(chunk_size=2000)
    )


def audit_chain_verify(*, clinic_id: int) -> ChainCheck:
    """Walk a clinic's events in the order they were written and recompute every link.

    Detects an event edited (its digest no longer matches its content), deleted or inserted (the
    next event no longer follows the one before it), and a signed PDF whose recorded hash differs
    from the last one the chain logged for it. What it cannot see alone: events cut off the end of
    the chain, or a chain rewritten in full from the deletion on; an operator detects those by
    keeping a copy of recent chain heads elsewhere (docs/security.md).
    """
    check = ChainCheck(clinic_id=clinic_id)
    expected_previous = GENESIS_SHA256
    pdf_hashes: dict[str, str] = {}
    for event_id, reference, actor_id, action, at, detail, previous, digest in _chain_rows(clinic_id):
        check.events_checked += 1
        where = _describe(event_id, action, at)
        if previous != expected_previous:
            check.broken.append(
                _("%(event)s does not follow the event before it: an event was deleted or inserted here.")
                % {"event": where}
            )
        recomputed = event_sha256(
            clinic_id=clinic_id,
            screening_reference=reference,
            actor_id=actor_id,
            action=action,
            at=at,
            detail=detail,
            previous_sha256=previous,
        )
        if recomputed != digest:
            check.broken.append(_("%(event)s was changed after it was written.") % {"event": where})
        if action == PDF_STORED and reference and isinstance(detail, dict):
            pdf_hashes[reference] = str(detail.get("sha256", ""))
        expected_previous = digest
    stored = (
        Screening.objects.filter(clinic_id=clinic_id)
        .exclude(pdf_sha256="")
        .order_by("signed_at", "reference")
        .values_list("reference", "pdf_sha256")
    )
    for reference, pdf_sha256 in stored:
        check.pdfs_checked += 1
        logged = pdf_hashes.get(reference)
        if logged is None:
            check.broken.append(
                _("Screening %(ref)s has a stored PDF whose hash the audit trail never recorded.") % {"ref": reference}
            )
        elif logged != pdf_sha256:
            check.broken.append(
                _("Screening %(ref)s: its stored PDF's hash differs from the one in the audit trail.")
                % {"ref": reference}
            )
    return check
