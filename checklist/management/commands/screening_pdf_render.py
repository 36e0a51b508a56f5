"""Render and store signed PDFs that are not stored yet: after a failure, or with no worker running."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from checklist.models import Screening, SignedPdfRender
from checklist.services.signed_pdf import screening_pdf_store


class Command(BaseCommand):
    help = (
        "Render and store the signed PDF of each screening named (or, with --pending, of every "
        "signed or voided screening that has none yet), here and now rather than in the worker. "
        "A stored PDF is never replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", metavar="REF", help="Screening references, e.g. EXO-7K3M-9QX2.")
        parser.add_argument(
            "--pending", action="store_true", help="Every signed or voided screening whose PDF is not stored."
        )

    def handle(self, *args, references: list[str], pending: bool, **options):
        if not references and not pending:
            raise CommandError("Name one or more screening references, or pass --pending.")
        screenings = []
        for reference in references:
            reference = reference.strip().upper()
            screening = Screening.objects.filter(reference=reference).first()
            if screening is None:
                raise CommandError(f"No screening has the reference {reference}.")
            if not screening.is_locked:
                raise CommandError(f"{reference} is not signed; only a signed screening has a stored PDF.")
            screenings.append(screening)
        if pending:
            named = {s.pk for s in screenings}
            missing = Screening.objects.filter(status__in=Screening.LOCKED_STATUSES, pdf_sha256="")
            missing = missing.order_by("signed_at")
            screenings += [s for s in missing if s.pk not in named]

        failed = 0
        for screening in screenings:
            if screening.has_stored_pdf:
                self.stdout.write(f"{screening.reference}: already stored, left as it is.")
                continue
            render = screening_pdf_store(screening=screening, retry_allowed=False)
            if render.status == SignedPdfRender.Status.STORED:
                self.stdout.write(self.style.SUCCESS(f"{screening.reference}: stored."))
            else:
                failed += 1
                self.stderr.write(f"{screening.reference}: failed: {render.error}")
        if not screenings:
            self.stdout.write("No signed screening is waiting for its PDF.")
        if failed:
            raise CommandError(f"{failed} PDF(s) could not be stored; fix the cause above and run this again.")
