"""Backup and restore of a whole installation: every row of app data and every file a row names.

A backup is one ``.tar.gz`` archive:

``data.json``
    Django's JSON serialisation of every model in :func:`backup_models` (users, clinics and
    memberships, the checklist content, screenings, answers, the audit log, the simple-history
    tables, the admin's log and the sign-in log), with their primary keys. References to content
    types and permissions use natural keys, because ``migrate`` numbers those afresh.
``media/<name>``
    Every file under the media storage that a row (or a history row) names: signed PDFs and
    clinic logos, under the name the row stores.
``manifest.json``
    The format, the migrations the data was written under, the SHA-256 of ``data.json`` and of
    every file, and each signed PDF with the SHA-256 recorded on its screening.

:func:`backup_write` takes a consistent snapshot (one repeatable-read transaction) and refuses to
write an archive that could not be restored: a signed PDF that is missing or no longer matches
its recorded SHA-256 stops the backup with the list of problems.

:func:`restore_read` checks an archive without touching anything; :func:`restore_apply` loads it
into a freshly migrated, empty database in one transaction, writes the files, and checks every
PDF's bytes against both the manifest and ``Screening.pdf_sha256``. Any failure rolls the rows
back and removes the files it wrote. Loading goes through ``loaddata``, whose raw saves skip the
models' ``save()`` overrides (signed screenings and published content refuse ordinary saves);
the database triggers that enforce the same rules are switched off for the load's transaction
only (``checklist.immutability.protections_suspended``; on PostgreSQL as the tables' owner, which
``restore_data`` connects as).

Writing lives in :mod:`checklist.backups.write`, restoring in :mod:`checklist.backups.restore`,
and the archive's format, shared by both, in :mod:`checklist.backups.archive`.
"""

from checklist.backups.archive import MANIFEST_NAME, BackupError, backup_models
from checklist.backups.restore import RestorePlan, RestoreReport, restore_apply, restore_read
from checklist.backups.write import BackupReport, backup_write

__all__ = [
    "MANIFEST_NAME",
    "BackupError",
    "BackupReport",
    "RestorePlan",
    "RestoreReport",
    "backup_models",
    "backup_write",
    "restore_apply",
    "restore_read",
]
