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
the PostgreSQL triggers that enforce the same rules are switched off for the load only, with
``pgtrigger.ignore``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import posixpath
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pgtrigger
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from checklist.models import Screening

FORMAT = "exosafe-backup"
FORMAT_VERSION = 1
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024

# Rows that migrate creates itself, and state that must not come back: sessions (everyone signs
# in again), current sign-in lockouts and the background task queue (a PDF still pending is on
# its SignedPdfRender row; `screening_pdf_render --pending` stores it). Axes' logs are kept.
EXCLUDED_MODELS = frozenset(
    {
        "contenttypes.ContentType",
        "auth.Permission",
        "sessions.Session",
        "axes.AccessAttempt",
        "axes.AccessAttemptExpiration",
        "django_tasks_database.DBTaskResult",
    }
)
# Referenced by natural key, since their primary keys differ between databases.
NATURAL_KEY_MODELS = frozenset({"contenttypes.ContentType", "auth.Permission"})


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and what to do."""


# --- What is backed up ---------------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every concrete model whose rows are the installation's data, in a stable order."""
    chosen = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in EXCLUDED_MODELS:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label)


def _file_columns(model: type[models.Model]) -> list[str]:
    """Columns naming a stored file: FileFields, and the same columns of a simple-history model
    (which keeps them as plain text)."""
    names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    original = getattr(model, "instance_type", None)  # simple-history's link to the tracked model
    if original is not None:
        tracked = {f.name for f in original._meta.concrete_fields if isinstance(f, models.FileField)}
        names += [f.attname for f in model._meta.concrete_fields if f.name in tracked and f.attname not in names]
    return names


def _storage_for(column_label: str):
    """The storage of a file column such as ``checklist.Screening.pdf`` (history columns use the
    tracked model's field); the default storage for anything else."""
    model_label, _dot, column = column_label.rpartition(".")
    try:
        model = apps.get_model(model_label)
        model = getattr(model, "instance_type", None) or model
        found = model._meta.get_field(column)
    except (LookupError, ValueError, FieldDoesNotExist):
        found = None
    return found.storage if isinstance(found, models.FileField) else default_storage


def _check_name(name: str) -> str:
    """A stored file name as it may appear in an archive: relative, no "..", no backslashes."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative path.")
    normal = posixpath.normpath(name)
    if normal != name or normal.startswith("../") or normal == ".." or "/../" in f"/{normal}/":
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative path.")
    return name


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder rounds times to the millisecond; a backup keeps them to the microsecond."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _SelectiveNaturalKeys(JsonSerializer):
    """Natural keys for content types and permissions only; every other row keeps its primary key,
    so that history rows pointing at a deleted user still serialise."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model._meta.label in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model._meta.label in NATURAL_KEY_MODELS
        super().handle_m2m_field(obj, field)


def _sha256_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One transaction that sees the database as it was when it began (on PostgreSQL, a
    repeatable-read snapshot; on SQLite the transaction holds the database's lock)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


# --- Backup ------------------------------------------------------------------------------------


@dataclass
class BackupReport:
    path: Path
    rows: int
    counts: dict[str, int]
    files: int
    pdfs: int
    size: int
    sha256: str
    missing: list[str] = field(default_factory=list)


def _objects(model_list: Iterable[type[models.Model]], using: str, counts: dict[str, int]) -> Iterator[models.Model]:
    for model in model_list:
        label = model._meta.label
        counts[label] = 0
        for obj in model._base_manager.using(using).order_by(model._meta.pk.name).iterator(chunk_size=500):
            counts[label] += 1
            yield obj


def _referenced_files(model_list: Iterable[type[models.Model]], using: str) -> dict[str, str]:
    """Every stored file name a row mentions, with the column that first names it."""
    found: dict[str, str] = {}
    for model in model_list:
        for column in _file_columns(model):
            column_label = f"{model._meta.label}.{column}"
            names = model._base_manager.using(using).exclude(**{column: ""}).exclude(**{f"{column}__isnull": True})
            for name in names.values_list(column, flat=True).distinct():
                found.setdefault(_check_name(str(name)), column_label)
    return dict(sorted(found.items()))


def _signed_pdfs(using: str) -> list[dict[str, str]]:
    rows = (
        Screening.objects.using(using)
        .exclude(pdf="")
        .order_by("reference")
        .values_list("pk", "reference", "pdf", "pdf_sha256")
    )
    return [{"screening": str(pk), "reference": ref, "name": name, "sha256": sha} for pk, ref, name, sha in rows]


def backup_write(output: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Write a backup archive of the whole installation to ``output`` (which must not exist)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name or remove it first.")
    model_list = backup_models()
    counts: dict[str, int] = {}
    missing: list[str] = []
    files: list[dict[str, Any]] = []
    partial = output.with_name(f".{output.name}.partial")
    try:
        with _snapshot(using), tempfile.TemporaryDirectory() as scratch:
            data_path = Path(scratch) / DATA_NAME
            with data_path.open("w", encoding="utf-8") as stream:
                _SelectiveNaturalKeys().serialize(
                    _objects(model_list, using, counts),
                    stream=stream,
                    use_natural_primary_keys=False,
                    cls=_ExactJSONEncoder,
                )
            with data_path.open("rb") as stream:
                data_sha256, data_size = _sha256_stream(stream)
            pdfs = _signed_pdfs(using)
            referenced = _referenced_files(model_list, using)
            with _writing(output), tarfile.open(partial, "w:gz") as archive:
                archive.add(data_path, arcname=DATA_NAME)
                for name, column_label in referenced.items():
                    entry = _add_stored_file(archive, name, column_label)
                    if entry is None:
                        missing.append(name)
                    else:
                        files.append(entry)
                problems = _pdf_problems(pdfs, {entry["name"]: entry["sha256"] for entry in files})
                if problems:
                    raise BackupError(
                        "No backup was written: these signed documents could not be restored from it.\n  "
                        + "\n  ".join(problems)
                    )
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database_vendor": connections[using].vendor,
                    "migrations": _applied_migrations(using),
                    "data": {"name": DATA_NAME, "sha256": data_sha256, "size": data_size, "counts": counts},
                    "files": files,
                    "pdfs": pdfs,
                    "missing_files": missing,
                }
                _add_bytes(archive, MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    with output.open("rb") as stream:
        sha256, size = _sha256_stream(stream)
    return BackupReport(
        path=output,
        rows=sum(counts.values()),
        counts=counts,
        files=len(files),
        pdfs=len(pdfs),
        size=size,
        sha256=sha256,
        missing=missing,
    )


def _pdf_problems(pdfs: list[dict[str, str]], archived: dict[str, str]) -> list[str]:
    """Signed PDFs that are missing from storage or differ from the SHA-256 recorded at signing."""
    problems = []
    for pdf in pdfs:
        sha256 = archived.get(pdf["name"])
        if sha256 is None:
            problems.append(f"{pdf['reference']}: its PDF {pdf['name']} is missing from the media storage.")
        elif sha256 != pdf["sha256"]:
            problems.append(
                f"{pdf['reference']}: its PDF {pdf['name']} no longer matches the SHA-256 recorded at signing."
            )
    return problems


@contextmanager
def _writing(output: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise BackupError(f"Could not write {output}: {exc}") from None


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _add_stored_file(archive: tarfile.TarFile, name: str, column_label: str) -> dict[str, Any] | None:
    """Copy one stored file into the archive; None if the storage no longer has it."""
    try:
        with _storage_for(column_label).open(name, "rb") as stream:
            data = stream.read()
    except OSError:
        return None
    _add_bytes(archive, MEDIA_PREFIX + name, data)
    return {"name": name, "column": column_label, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


# --- Restore -----------------------------------------------------------------------------------


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


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = _member(archive, MANIFEST_NAME)
    try:
        manifest = json.loads(archive.extractfile(member).read())
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
    actual, _size = _sha256_stream(archive.extractfile(member))
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
        rows = json.loads(archive.extractfile(_member(archive, DATA_NAME)).read())
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
            # Triggers off for this load only (set per statement, local to the transaction).
            with pgtrigger.ignore(databases=[using]), transaction.atomic(using=using):
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
    data = archive.extractfile(_member(archive, name)).read()
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
