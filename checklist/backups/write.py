"""Writing a backup: one consistent snapshot of every row and every file a row names."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from checklist.backups.archive import (
    DATA_NAME,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    BackupError,
    _applied_migrations,
    _check_name,
    _ExactJSONEncoder,
    _file_columns,
    _SelectiveNaturalKeys,
    _sha256_stream,
    _snapshot,
    _storage_for,
    backup_models,
)
from checklist.models import Screening


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
