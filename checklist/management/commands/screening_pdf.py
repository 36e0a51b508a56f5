"""Write a screening's take-home PDF to a file, for support staff: the stored one if signed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checklist.audit import audit_log
from checklist.models import Screening
from checklist.pdf import StoredPdfError, draft_preview_pdf, stored_pdf_bytes


class Command(BaseCommand):
    help = (
        "Write the PDF of the screening with this reference. A signed or voided screening gives "
        "the exact document stored at signing; a draft gives a preview marked DRAFT."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The screening's reference, e.g. EXO-7K3M-9QX2.")
        parser.add_argument("-o", "--output", required=True, type=Path, help="The file to write.")
        parser.add_argument("--force", action="store_true", help="Overwrite the output file if it exists.")

    def handle(self, *args, reference: str, output: Path, force: bool, **options):
        reference = reference.strip().upper()
        try:
            screening = Screening.objects.select_related("clinic", "jurisdiction", "version", "attested_by").get(
                reference=reference
            )
        except Screening.DoesNotExist:
            raise CommandError(f"No screening has the reference {reference}.") from None
        if output.exists() and not force:
            raise CommandError(f"{output} already exists; pass --force to overwrite it.")
        if screening.is_locked:
            try:
                data = stored_pdf_bytes(screening)
            except StoredPdfError as exc:
                raise CommandError(str(exc)) from None
            kind = f"{screening.get_status_display().lower()} document, as stored at signing"
        else:
            data = draft_preview_pdf(screening)
            kind = "DRAFT preview, not stored"
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Could not write {output}: {exc}") from None
        if screening.is_locked:
            # A copy leaving the app through support is a disclosure like a download: on record.
            audit_log(clinic=screening.clinic, screening=screening, action="screening.pdf_exported", via="command")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({len(data):,} bytes, {kind}); SHA-256 {hashlib.sha256(data).hexdigest()}."
            )
        )
