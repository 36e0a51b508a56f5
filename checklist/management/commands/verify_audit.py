"""Check the audit trail's hash chain, and every stored PDF's hash against it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from checklist.audit import audit_chain_verify
from checklist.models import AuditEvent, Screening
from clinic.models import Clinic


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain of every clinic (or of one, with --clinic) and compare "
        "each stored PDF's hash with the one the chain recorded. Exits non-zero and names the first "
        "broken link when anything was deleted, edited or inserted below the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinic", type=int, metavar="ID", help="Only this clinic's trail.")

    def handle(self, *args, clinic: int | None, **options):
        if clinic is not None:
            if not Clinic.objects.filter(pk=clinic).exists():
                raise CommandError(f"No clinic has the id {clinic}.")
            clinic_ids = [clinic]
        else:
            clinic_ids = sorted(
                set(AuditEvent.objects.values_list("clinic_id", flat=True))
                | set(Screening.objects.values_list("clinic_id", flat=True))
            )
        failures = []
        for clinic_id in clinic_ids:
            check = audit_chain_verify(clinic_id=clinic_id)
            if check.ok:
                self.stdout.write(
                    f"Clinic {clinic_id}: the chain verifies ({check.events_checked} event(s), "
                    f"{check.pdfs_checked} stored PDF(s))."
                )
            else:
                failures.append(clinic_id)
                self.stderr.write(f"Clinic {clinic_id}: BROKEN at {check.first_broken}")
                for problem in check.broken[1:]:
                    self.stderr.write(f"  also: {problem}")
        if failures:
            raise CommandError(f"The audit trail of clinic(s) {', '.join(map(str, failures))} does not verify.")
