"""``manage.py restore_data FILE.tar.gz``: put a backup into a new, migrated, empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from checklist.backups import BackupError, restore_apply, restore_read
from clinic.database_roles import owner_connection


class Command(BaseCommand):
    help = (
        "Restore a backup written by backup_data into an empty database (run migrate first) and an "
        "empty media storage. Every file is checked against the manifest and every signed PDF "
        "against the SHA-256 recorded on its screening; on any mismatch nothing is restored. Connects as "
        "the tables' owner (DATABASE_MIGRATE_URL) when it is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz archive written by backup_data.")
        parser.add_argument("--check", action="store_true", help="Only check the archive's integrity; change nothing.")
        parser.add_argument("--database", default="default", help="The database to restore into (default: default).")

    def handle(self, *args, archive: Path, check: bool, database: str, **options):
        if not archive.is_file():
            raise CommandError(f"{archive} is not a file.")
        try:
            plan = restore_read(archive)
            created = plan.manifest.get("created_at", "an unknown time")
            rows = sum(plan.counts.values())
            if check:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{archive} is intact: backup of {created}, {rows:,} rows, "
                        f"{len(plan.manifest.get('files', [])):,} files, {len(plan.manifest.get('pdfs', [])):,} "
                        "signed PDFs matching their SHA-256."
                    )
                )
                return
            with owner_connection(connections[database]):
                report = restore_apply(plan, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {created}: {report.rows:,} rows, {report.files_written:,} files written "
                f"({report.files_present:,} already there and identical), {report.pdfs_verified:,} signed PDFs "
                "verified against the manifest and their screenings."
            )
        )
