"""``manage.py backup_data -o FILE.tar.gz``: the whole installation in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checklist.backups import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Back up every row of app data (users, clinics, the checklist, screenings, answers, the audit "
        "log and history) and every stored file the rows name (signed PDFs, clinic logos) to one "
        ".tar.gz archive, with a manifest of SHA-256 checksums. Restore it with restore_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, type=Path, help="The archive to write (.tar.gz).")
        parser.add_argument("--database", default="default", help="The database to back up (default: default).")

    def handle(self, *args, output: Path, database: str, **options):
        try:
            report = backup_write(output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for name in report.missing:
            self.stderr.write(self.style.WARNING(f"Not in the media storage, so not in the backup: {name}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {report.path} ({report.size:,} bytes): {report.rows:,} rows, {report.files:,} files, "
                f"{report.pdfs:,} signed PDFs checked against their SHA-256.\n"
                f"SHA-256 of the archive: {report.sha256}"
            )
        )
