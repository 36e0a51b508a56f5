"""Restoring a backup: check the archive, then load it into an empty database, all or nothing."""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from checklist.backups.archive import (
    DATA_NAME,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    BackupError,
    _applied_migrations,
    _check_name,
    _sha256_stream,
    _storage_for,
    backup_models,
)
from checklist.immutability import protections_suspended
from checklist.models import Screening
from checklist.models.content import citation_locks_suspended


@dataclass
class RestorePlan:
    """A checked archive, ready to load: its manifest and the path of its data."""

    archive_path: Path
    manifest: dict[str, Any]
    counts: dict[str, int]


@dataclass
class RestoreReport:
    rows: int
    counts: dict[str, int]
    files_written: int
    files_present: int
    pdfs_verified: int


@contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive, open for reading; any read error inside the block means it is damaged."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            yield archive
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a readable backup archive, or it is damaged ({exc}).") from None


def _member(archive: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise BackupError(f"The archive has no {name}: it is not an ExoSafe backup, or it is incomplete.") from None
    if not member.isfile():
        raise BackupError(f"{name} in the archive is not a regular file.")
    return member


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    stream = archive.extractfile(member)
    if stream is None:
        raise BackupError(f"{member.name} in the archive is not a file.")
    return stream


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = _member(archive, MANIFEST_NAME)
    try:
        manifest = json.loads(_extract(archive, member).read())
    except (ValueError, tarfile.TarError, OSError) as exc:
        raise BackupError(f"The manifest cannot be read ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("The archive's manifest is not an ExoSafe backup manifest.")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('version')}; this ExoSafe reads version {FORMAT_VERSION}."
        )
    return manifest


def _verify_member(archive: tarfile.TarFile, name: str, sha256: str, size: int | None) -> None:
    member = _member(archive, name)
    if size is not None and member.size != size:
        raise BackupError(
            f"{name} in the archive has {member.size} bytes where the manifest says {size}: the archive is damaged."
        )
    actual, _size = _sha256_stream(_extract(archive, member))
    if actual != sha256:
        raise BackupError(f"{name} in the archive does not match its SHA-256 in the manifest: the archive is damaged.")


def restore_read(path: Path) -> RestorePlan:
    """Check an archive end to end without touching the database or the media storage.

    Every file must match the manifest, and every signed screening in the data must name a PDF
    whose SHA-256 is the one recorded on the screening.
    """
    try:
        return _restore_read(Path(path))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{path} has a malformed manifest or data file ({exc!r}).") from None


def _restore_read(path: Path) -> RestorePlan:
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive)
        names = {MANIFEST_NAME, DATA_NAME}
        data = manifest.get("data") or {}
        _verify_member(archive, DATA_NAME, data.get("sha256", ""), data.get("size"))
        by_name = {}
        for entry in manifest.get("files", []):
            name = _check_name(entry["name"])
            _verify_member(archive, MEDIA_PREFIX + name, entry["sha256"], entry["size"])
            by_name[name] = entry["sha256"]
            names.add(MEDIA_PREFIX + name)
        unexpected = sorted(m.name for m in archive.getmembers() if m.name not in names)
        if unexpected:
            raise BackupError(f"The archive holds files the manifest does not list: {', '.join(unexpected[:5])}.")
        rows = json.loads(_extract(archive, _member(archive, DATA_NAME)).read())
    problems = []
    recorded = {p["screening"]: p for p in manifest.get("pdfs", [])}
    for row in rows:
        if row.get("model") != "checklist.screening" or not row["fields"].get("pdf"):
            continue
        name, sha256 = row["fields"]["pdf"], row["fields"].get("pdf_sha256", "")
        reference = row["fields"].get("reference", row.get("pk"))
        if by_name.get(name) != sha256:
            problems.append(f"{reference}: the archived PDF {name} does not match the screening's SHA-256.")
        elif recorded.get(str(row.get("pk")), {}).get("sha256") != sha256:
            problems.append(f"{reference}: the manifest's SHA-256 for its PDF differs from the screening's.")
    if problems:
        raise BackupError("Nothing was restored; the archive fails its checks:\n  " + "\n  ".join(problems))
    counts = {label: int(n) for label, n in data.get("counts", {}).items()}
    return RestorePlan(archive_path=path, manifest=manifest, counts=counts)


def _check_target(plan: RestorePlan, using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("The database is not fully migrated. Run `manage.py migrate` first, then restore.")
    here = _applied_migrations(using)
    there = plan.manifest.get("migrations", {})
    if here != there:
        differ = sorted({app for app in set(here) | set(there) if here.get(app) != there.get(app)})
        raise BackupError(
            "This backup was written under other database migrations (apps: "
            + ", ".join(differ)
            + "). Restore it with the version of ExoSafe that wrote it, then upgrade and migrate."
        )
    filled = [m._meta.label for m in backup_models() if m._base_manager.using(using).exists()]
    if filled:
        raise BackupError(
            "The database is not empty (rows in "
            + ", ".join(filled[:6])
            + (", ..." if len(filled) > 6 else "")
            + "). Restore only into a new database: create it, run `manage.py migrate`, then restore."
        )


def restore_apply(plan: RestorePlan, *, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Load a checked archive into an empty, migrated database, and put its files back."""
    _check_target(plan, using)
    files = {entry["name"]: entry for entry in plan.manifest.get("files", [])}
    storages = _storages_by_name(files)
    for name, storage in storages.items():
        if storage.exists(name):
            with storage.open(name, "rb") as stream:
                if _sha256_stream(stream)[0] != files[name]["sha256"]:
                    raise BackupError(
                        f"The media storage already has a different file at {name}. "
                        "Restore into an empty media folder (or bucket)."
                    )
    written: list[tuple[Any, str]] = []
    present = 0
    try:
        with _open_archive(plan.archive_path) as archive, tempfile.TemporaryDirectory() as scratch:
            data_path = Path(scratch) / DATA_NAME
            data_path.write_bytes(_archived_bytes(archive, DATA_NAME, plan.manifest["data"]["sha256"]))
            # The triggers that freeze signed records off for this load's transaction only (as the
            # tables' owner on PostgreSQL: restore_data connects as it).
            with citation_locks_suspended(), transaction.atomic(using=using), protections_suspended(connections[using]):
                call_command("loaddata", str(data_path), database=using, verbosity=0)
                loaded = {label: apps.get_model(label)._base_manager.using(using).count() for label in plan.counts}
                if loaded != plan.counts:
                    raise BackupError(f"The database holds other row counts than the backup: {loaded}.")
                for name in files:
                    storage = storages[name]
                    if storage.exists(name):
                        present += 1
                        continue
                    data = _archived_bytes(archive, MEDIA_PREFIX + name, files[name]["sha256"])
                    try:
                        saved = storage.save(name, ContentFile(data))
                    except OSError as exc:
                        raise BackupError(
                            f"Could not write {name} to the media storage ({exc}); nothing was restored."
                        ) from exc
                    written.append((storage, saved))
                    if saved != name:
                        raise BackupError(f"The media storage stored {name} as {saved}; cannot restore it in place.")
                verified = _verify_restored_pdfs(files, using)
    except Exception:
        for storage, name in written:
            storage.delete(name)
        raise
    return RestoreReport(
        rows=sum(plan.counts.values()),
        counts=plan.counts,
        files_written=len(written),
        files_present=present,
        pdfs_verified=verified,
    )


def _archived_bytes(archive: tarfile.TarFile, name: str, sha256: str) -> bytes:
    """A member's bytes, checked again as they are used (the archive may have changed since)."""
    data = _extract(archive, _member(archive, name)).read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BackupError(f"{name} in the archive does not match its SHA-256 in the manifest: the archive is damaged.")
    return data


def _storages_by_name(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The storage each archived file goes back to: the one of the column that names it."""
    return {name: _storage_for(entry.get("column", "")) for name, entry in files.items()}


def _verify_restored_pdfs(files: dict[str, dict[str, Any]], using: str) -> int:
    """Every signed PDF, read back from storage, against its screening and the manifest."""
    problems, verified = [], 0
    storage = Screening._meta.get_field("pdf").storage
    rows = Screening._base_manager.using(using).exclude(pdf="").values_list("reference", "pdf", "pdf_sha256")
    for reference, name, recorded in rows:
        try:
            with storage.open(name, "rb") as stream:
                actual, _size = _sha256_stream(stream)
        except OSError:
            problems.append(f"{reference}: its PDF {name} is missing after the restore.")
            continue
        if not (actual == recorded == files.get(name, {}).get("sha256")):
            problems.append(f"{reference}: its PDF {name} does not match its SHA-256.")
            continue
        verified += 1
    if problems:
        raise BackupError("The restore was rolled back:\n  " + "\n  ".join(problems))
    return verified
